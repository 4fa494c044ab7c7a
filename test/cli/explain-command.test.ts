// `peregrine explain` – a rule on one event: true, false and missing-field cases; line N of a file
// replayed through decoder and state first (ancestry); --all with the rules not evaluated because of
// their event types; --json; errors and exit codes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeContext } from '../helpers/cli.js';
import { ROOT } from '../helpers/shared.js';

async function run(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  const ctx = fakeContext(cwd);
  const code = await main(['explain', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

const DEMO = 'samples/demo-attack.jsonl';

describe('explain on the default rules', () => {
  it('shows why a rule fires: values from the state built by the earlier lines (the parent is node)', async () => {
    const r = await run(['--rule', 'Shell Spawned in Container', '--events', DEMO, '--line', '13']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Event: samples/demo-attack.jsonl:13  evt.type=execve proc.name=sh proc.pid=41102 proc.pname=node');
    expect(r.out).toContain('Rule: Shell Spawned in Container  (Notice, rules/10-execution.yaml:');
    expect(r.out).toContain('  Fires: Shell spawned by a program in a container | shell=sh cmdline=sh -c id;');
    expect(r.out).toContain('│   ├── ✓ proc.name in (ash, bash, csh, dash, fish, ksh, ksh93, mksh, pdksh, sh, tcsh, zsh)    [proc.name = "sh"]');
    expect(r.out).toContain('│   │       └── ✗ proc.pname in (runc, runc:[0:PARENT]');
    expect(r.out).toContain('[proc.pname = "node"]');
  });

  it('shows why a rule does not fire: the failing check, and short-circuited rest on one line each', async () => {
    const r = await run(['--rule', 'Shell Spawned in Container', '--events', DEMO, '--line', '15']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  Does not fire.');
    expect(r.out).toContain('✗ proc.name in (ash, bash, csh, dash, fish, ksh, ksh93, mksh, pdksh, sh, tcsh, zsh)    [proc.name = "id"]');
    expect(r.out).toMatch(/· not \(not proc\.pname exists or .*…    \(not evaluated: short-circuit\)/);
    const full = await run(['--rule', 'Shell Spawned in Container', '--events', DEMO, '--line', '15', '--full']);
    expect(full.out).toContain('· proc.pname exists    [proc.pname = "sh"]    (not evaluated: short-circuit)');
  });

  it('says when a check is false because a value is unavailable (a single event has no parent)', async () => {
    const event = JSON.stringify({ type: 'openat', ts: '1', pid: 7, comm: 'cat', uid: 0, res: 3, args: { dirfd: -100, name: '/etc/shadow', flags: 0 } });
    const r = await run(['--rule', 'Sensitive Account File Read', '--event', event]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(a single event: parents, fds and containers known only from earlier events are missing');
    expect(r.out).toContain('  Fires: Sensitive account file opened for reading | file=/etc/shadow process=cat cmdline=<NA> parent=<NA>');
    expect(r.out).toContain('✗ proc.aname in (apk, apt,');
    expect(r.out).toContain('[proc.aname = []]    (false: value unavailable)');
  });

  it('says when the engine does not evaluate the rule on this event type, and explains it anyway', async () => {
    const r = await run(['--rule', 'Sensitive Account File Read', '--events', DEMO, '--line', '13']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  Not evaluated: the engine does not evaluate it on execve events: its event types are open, openat, openat2.');
    expect(r.out).toContain('✗ evt.type in (open, openat, openat2)    [evt.type = "execve"]');
  });

  it('--all explains every rule evaluated on the event and lists the others with their event types', async () => {
    const r = await run(['--all', '--events', DEMO, '--line', '47']);
    expect(r.code).toBe(0);
    for (const name of ['Crypto Miner Executed', 'Drifted Binary Executed in Container', 'Program Executed from Temporary Directory']) {
      expect(r.out).toContain(`Rule: ${name}  (`);
    }
    expect(r.out).toContain('Not evaluated on execve events (their event types), 18 rules:');
    expect(r.out).toContain('  - Outbound Connection to Mining Pool Port: connect');
    expect(r.out).toContain('  - Log or Shell History Cleared: creat, ftruncate, open, openat, openat2, rename, … (13)');
    expect(r.out).toContain('3 of 10 evaluated rules fire on this event (rule_matching all).');
  });

  it('--json gives the explanation as data', async () => {
    const r = await run(['--rule', 'Reverse Shell Redirected to Network Socket', '--events', DEMO, '--line', '56', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      event: { where: string; type: string };
      rules: Array<{ name: string; fires: boolean; evaluated: boolean; output: string; explanation: { result: boolean; children: Array<{ children?: Array<{ text: string; values?: Array<{ field: string; value: unknown }> }> }> } }>;
    };
    expect(j.event).toMatchObject({ where: 'samples/demo-attack.jsonl:56', type: 'dup2' });
    const rule = j.rules[0]!;
    expect(rule).toMatchObject({ name: 'Reverse Shell Redirected to Network Socket', fires: true, evaluated: true });
    expect(rule.output).toContain('stdio_fd=0');
    expect(rule.explanation.result).toBe(true);
    const checks = rule.explanation.children[0]!.children!;
    expect(checks.find((c) => c.text === 'evt.rawres in (0, 1, 2)')?.values).toEqual([{ field: 'evt.rawres', value: 0 }]);
    expect(checks.find((c) => c.text === 'fd.type in (ipv4, ipv6)')?.values).toEqual([{ field: 'fd.type', value: 'ipv4' }]);
  });
});

describe('explain: errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'peregrine-explain-'));
    writeFileSync(join(dir, 'ev.jsonl'), '{"type":"execve","ts":"1","pid":1,"comm":"sh","res":0}\nnot json\n{"type":"execve","ts":"2","pid":2,"dir":">"}\n');
    writeFileSync(join(dir, 'bad-rules.yaml'), '- rule: x\n  desc: d\n  condition: proc.nam = x\n  output: o\n  priority: INFO\n');
  });

  it('exit 1 for an unknown rule, with suggestions, and for rules that do not load', async () => {
    const r = await run(['--rule', 'shell spawned', '--events', DEMO, '--line', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toBe("peregrine explain: no rule named 'shell spawned'; did you mean 'Shell Spawned in Container'?\n");
    const bad = await run(['--rule', 'x', '--event', '{}', '-r', 'bad-rules.yaml'], dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('LOAD_ERR_COMPILE_CONDITION');
  });

  it('exit 2 for bad usage and events that cannot be explained', async () => {
    const rule = ['--rule', 'Shell Spawned in Container'];
    expect((await run(['--events', DEMO, '--line', '1'])).err).toContain('give --rule NAME or --all');
    expect((await run([...rule, '--events', DEMO])).err).toContain('--events needs --line N');
    expect((await run([...rule])).err).toContain('give the event: --event JSON, or --events FILE --line N');
    const past = await run([...rule, '--events', 'ev.jsonl', '--line', '9'], dir);
    expect(past.code).toBe(2);
    expect(past.err).toContain('ev.jsonl has 3 lines; there is no line 9');
    expect((await run([...rule, '--events', 'ev.jsonl', '--line', '2'], dir)).err).toContain('ev.jsonl:2: no event to explain: line 2: bad record (invalid-json)');
    expect((await run([...rule, '--events', 'ev.jsonl', '--line', '3'], dir)).err).toContain('ev.jsonl:3: no event to explain: the decoder produced no event from it');
    expect((await run([...rule, '--event', '{"x":1}'])).err).toContain('--event could not be decoded');
  });
});
