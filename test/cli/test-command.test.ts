// `peregrine test` – the default rules' tests pass and cover every default rule; users' test files
// with inline events in several formats, sample line ranges, failures explained on the closest
// event, JUnit XML, --filter, --strict, -r, and exit codes 0 / 1 / 2.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ensureBuilt, fakeContext, runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/shared.js';

async function run(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  const ctx = fakeContext(cwd);
  const code = await main(['test', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('the default rules\' tests', () => {
  it('pass, and --coverage shows every default rule with a positive and a negative test', async () => {
    const r = await run(['--coverage']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+ cases in 7 files: (\d+) passed, 0 failed$/m);
    expect(r.out).not.toContain('✗');
    expect(r.out).toContain('Coverage: 28 of 28 rules have a passing positive test (expected to fire), 28 of 28 a passing negative test (count: 0).');
    expect(r.out).not.toContain('Rules without');
  });

  it('pass --strict (no default rule without a positive test)', async () => {
    const r = await run(['--strict', '-q', 'rules/tests/']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Coverage: 28 of 28/m);
  });

  it('run from the built CLI, which finds the bundled rules and tests itself', async () => {
    await ensureBuilt();
    const r = runCli(['test', '-q'], tmpdir());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cases in 7 files: \d+ passed, 0 failed/);
  });
});

describe('users\' rule tests', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'peregrine-ruletest-'));
    writeFileSync(join(dir, 'rules.yaml'), `- macro: spawned
  condition: (evt.type in (execve, execveat))
- rule: Curl Run
  desc: curl started
  condition: spawned and proc.name = curl and not proc.pname = cron
  output: "curl run (cmdline=%proc.cmdline parent=%proc.pname user=%user.uid)"
  priority: WARNING
  tags: [net]
- rule: Shadow Read
  desc: /etc/shadow opened
  condition: evt.type = openat and fd.name = /etc/shadow
  output: "shadow read by %proc.name"
  priority: ERROR
- rule: Untested
  desc: never tested
  condition: evt.type = chmod
  output: "%proc.name"
  priority: INFO
- rule: Exec into pod
  desc: someone ran kubectl exec
  condition: ka.verb = create and ka.target.subresource = exec
  output: "%ka.user.name exec into %ka.target.namespace/%ka.target.name"
  priority: NOTICE
  source: k8s_audit
`);
    const exec = (pid: number, ppid: number, comm: string, argv: string[], ts: number): string =>
      JSON.stringify({ type: 'execve', ts: String(1732662000000000000n + BigInt(ts)), pid, ppid, comm, uid: 0, res: 0, exe: `/usr/bin/${comm}`, argv });
    writeFileSync(join(dir, 'events.jsonl'), [
      exec(10, 1, 'bash', ['bash'], 1),
      exec(11, 10, 'curl', ['curl', 'http://example.com'], 2),
      exec(20, 1, 'cron', ['cron'], 3),
      exec(21, 20, 'curl', ['curl', 'http://example.com/cron'], 4),
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'good.yaml'), `rules_files: rules.yaml
cases:
  - name: curl from bash (sample lines, output fields)
    events:
      - sample: events.jsonl
        lines: 1-2
    expect:
      - rule: Curl Run
        count: 1
        output_fields: {proc.cmdline: curl http://example.com, proc.pname: bash, user.uid: 0}
    no_other_rules: true
  - name: curl from cron is exempt
    events:
      - {sample: events.jsonl, lines: 3-4}
    expect:
      - {rule: Curl Run, count: 0}
  - name: shadow read, inline native events with an exact nanosecond timestamp
    events:
      - {type: execve, ts: 1732662000123456789, pid: 5, comm: cat, exe: /bin/cat, argv: [cat, /etc/shadow], res: 0}
      - '{"type":"openat","ts":"1732662000123456999","pid":5,"comm":"cat","res":3,"args":{"dirfd":-100,"name":"/etc/shadow","flags":0}}'
    expect:
      - {rule: Shadow Read, output_fields: {proc.name: cat}}
  - name: flat Falco fields
    format: falco-json
    events:
      - {evt.type: openat, fd.name: /etc/shadow, proc.name: python3}
    expect:
      - {rule: Shadow Read, count: 1, output_fields: {proc.name: python3}}
  - name: a Kubernetes audit event
    format: k8s_audit
    events:
      - {kind: Event, apiVersion: audit.k8s.io/v1, stage: ResponseComplete, verb: create, auditID: a1, objectRef: {resource: pods, subresource: exec, namespace: shop, name: web-1}, user: {username: alice}, stageTimestamp: "2024-11-26T23:00:00.000000Z"}
    expect:
      - {rule: Exec into pod, count: 1, output_fields: {ka.user.name: alice, ka.target.name: web-1}}
  - name: priority threshold and selection
    config:
      priority: error
      rules:
        - disable: {rule: "*"}
        - enable: {rule: "Sh*"}
    events:
      - {sample: events.jsonl, lines: 1-2}
    expect: []
    no_other_rules: true
`);
    writeFileSync(join(dir, 'failing.yaml'), `rules_files: rules.yaml
cases:
  - name: expects curl from cron
    events:
      - {sample: events.jsonl, lines: 3-4}
    expect:
      - {rule: Curl Run, count: 1}
  - name: wrong output field
    events:
      - {sample: events.jsonl, lines: 1-2}
    expect:
      - {rule: Curl Run, output_fields: {proc.pname: zsh}}
  - name: the rule is filtered out by the selection
    config:
      rules:
        - disable: {tag: net}
    events:
      - {sample: events.jsonl, lines: 1-2}
    expect:
      - {rule: Curl Run}
  - name: a bad record
    events:
      - {sample: events.jsonl, lines: 1-2}
      - '{"type":"execve","pid":"x"}'
    expect:
      - {rule: Curl Run}
  - name: a misspelt rule
    events:
      - {sample: events.jsonl, lines: 1-2}
    expect:
      - {rule: Curl run}
`);
    writeFileSync(join(dir, 'invalid.yaml'), `cases:
  - name: x
    events: []
    expect: []
`);
  });

  it('pass: sample ranges, inline native / falco-json / k8s_audit events, config, output fields', async () => {
    const r = await run(['good.yaml'], dir);
    expect(r.out).toBe([
      'good.yaml',
      '  ✓ curl from bash (sample lines, output fields)  (2 events, 1 alert)',
      '  ✓ curl from cron is exempt  (2 events, 0 alerts)',
      '  ✓ shadow read, inline native events with an exact nanosecond timestamp  (2 events, 1 alert)',
      '  ✓ flat Falco fields  (1 event, 1 alert)',
      '  ✓ a Kubernetes audit event  (1 event, 1 alert)',
      '  ✓ priority threshold and selection  (2 events, 0 alerts)',
      '',
      '6 cases in 1 file: 6 passed, 0 failed',
      '',
    ].join('\n'));
    expect(r.code).toBe(0);
  });

  it('fail with the diff of what fired, the closest event explained, and exit 1', async () => {
    const r = await run(['failing.yaml', '--junit', 'out.xml'], dir);
    expect(r.code).toBe(1);
    const out = r.out;
    expect(out).toContain('  ✗ expects curl from cron  [failing.yaml:3]');
    expect(out).toContain('      ✗ Curl Run  1         0');
    expect(out).toContain('      Curl Run (expected 1): closest event events.jsonl:4 (execve), 2 of 3 clauses held, of 2 events it ran on:');
    expect(out).toContain('        └── ✗ not\n            └── ✓ proc.pname = cron    [proc.pname = "cron"]');
    expect(out).toContain('      output_fields of Curl Run (closest alert: events.jsonl:2):\n        proc.pname: expected "zsh", got "bash"');
    expect(out).toContain("      Curl Run: the rule is disabled (enabled: false, or disabled by the config's rules: selection)");
    expect(out).toContain('      failing.yaml:24: bad record (missing-field): missing "ts"');
    expect(out).toContain("  ! a misspelt rule  [failing.yaml:27]\n      failing.yaml:31:9: no rule named 'Curl run' in rules.yaml; did you mean 'Curl Run'?");
    expect(out).toContain('5 cases in 1 file: 0 passed, 5 failed');
    const xml = readFileSync(join(dir, 'out.xml'), 'utf8');
    expect(xml).toContain('<testsuites name="peregrine test" tests="5" failures="4" errors="1"');
    expect(xml).toContain('<failure message="Curl Run: expected 1, fired 0">');
  });

  it('exit 2 for an invalid test file, reported with file:line:col, while other files still run', async () => {
    const r = await run(['invalid.yaml', 'good.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.out).toContain('invalid.yaml\n  invalid.yaml:3:13: `events` must be a non-empty list');
    expect(r.out).toContain('6 cases in 2 files: 6 passed, 0 failed; 1 test file with problems (not run)');
  });

  it('run only matching cases with --filter, and use -r rules for cases without rules_files', async () => {
    const r = await run(['good.yaml', '--filter', 'cron'], dir);
    expect(r.out).toContain('1 case in 1 file: 1 passed, 0 failed');
    writeFileSync(join(dir, 'norules.yaml'), 'cases:\n  - name: uses -r\n    events: [{sample: events.jsonl, lines: 1-2}]\n    expect: [{rule: Curl Run, count: 1}]\n');
    expect((await run(['norules.yaml', '-r', 'rules.yaml'], dir)).code).toBe(0);
    // without -r the default rules load, which have no rule of that name
    expect((await run(['norules.yaml'], dir)).out).toContain("no rule named 'Curl Run'");
  });

  it('--strict fails when a rule of the loaded files has no passing positive test', async () => {
    const r = await run(['good.yaml', '--strict'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Coverage: 3 of 4 rules have a passing positive test (expected to fire), 1 of 4 a passing negative test (count: 0).');
    expect(r.out).toContain('Rules without a positive test:\n  - Untested  (rules.yaml:14)');
    expect(r.out).toContain('--strict: 1 rule without a passing positive test');
    const lenient = await run(['good.yaml', '--coverage'], dir);
    expect(lenient.code).toBe(0);
  });

  it('run the README\'s example test file as printed', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /```yaml\n(# tests\/shell\.yaml\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const abs = (block as string).replaceAll('../rules/', `${join(ROOT, 'rules')}/`).replaceAll('../samples/', `${join(ROOT, 'samples')}/`);
    writeFileSync(join(dir, 'readme-example.yaml'), abs);
    const r = await run(['readme-example.yaml'], dir);
    expect(r.out).toContain('2 cases in 1 file: 2 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('fail a case whose rules do not load, with the loader\'s located errors', async () => {
    writeFileSync(join(dir, 'broken-rules.yaml'), '- rule: Broken\n  desc: d\n  condition: evt.type = execve and proc.nmae = x\n  output: o\n  priority: INFO\n');
    writeFileSync(join(dir, 'broken.yaml'), 'rules_files: broken-rules.yaml\ncases:\n  - name: b\n    events: [{sample: events.jsonl}]\n    expect: [{rule: Broken}]\n');
    const r = await run(['broken.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  ! b  [broken.yaml:3]\n      the rules files did not load:');
    expect(r.out).toMatch(/broken-rules\.yaml:3:\d+: error LOAD_ERR_COMPILE_CONDITION: .*proc\.nmae/);
  });

  it('is a usage error without test files', async () => {
    const r = await run(['nothing-here/'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("peregrine test: no test files at 'nothing-here/'");
  });
});
