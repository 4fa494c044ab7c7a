// End to end – `peregrine replay` spawned as a user would: Falco-identical alerts from a real capture,
// stdout + file + NATS at once with equal counts, a closed pipe, the summary, and load failures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { traceLines } from '../../bench/gen-trace.mjs';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { TEST_RULES, testEvents } from '../helpers/e2e-events.js';
import { NatsServer } from '../helpers/nats-server.js';
import { DATA, describeShared, ROOT } from '../helpers/shared.js';

beforeAll(async () => {
  await ensureBuilt();
}, 300_000);

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'peregrine-e2e-'));
}

describeShared('replay – Falco compatibility', () => {
  it('replays cat_write.scap into alerts byte-identical to the real Falco alerts', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'single_rule.yaml'), `- rule: open_from_cat
  desc: A process named cat does an open
  condition: evt.type=open and proc.name=cat
  output: "An open was seen (command=%proc.cmdline)"
  priority: WARNING
  tags: [filesystem, process, testing]
`);
    // Falco of 2016 evaluated enter events too, so keep them to compare with its output.
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'replay', '-r', join(dir, 'single_rule.yaml'),
      '-o', 'json_output=true', '-o', 'time_format_iso_8601=true', '-o', 'decode.keep_enter_events=true', '-q',
      join(DATA, 'falco-test-trace_files/cat_write.scap')], { encoding: 'utf8', env: { ...process.env, FALCO_HOSTNAME: 'test-falco-hostname' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(DATA, 'falco-test-trace_files/falco-alerts-single_rule_with_cat_write.jsonl'), 'utf8'));
  });
});

describeShared('replay – Kubernetes audit logs', () => {
  it('recognises an audit log given as a plain FILE and runs the k8s_audit rules on it', () => {
    const dir = tmp();
    const files = ['create_nginx_pod_privileged', 'create_nginx_pod_hostnetwork', 'create_nginx_pod_unprivileged'];
    writeFileSync(join(dir, 'audit.jsonl'), files.map((f) => readFileSync(join(DATA, 'falco-test-trace_files/k8s_audit', `${f}.json`), 'utf8').trim()).join('\n') + '\n');
    const r = runCli(['replay', '-r', join(ROOT, '..', 'shared', 'compat', 'k8saudit-rules', 'k8s_audit_rules.yaml'), '--json', join(dir, 'audit.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; source: string });
    expect(alerts.map((a) => a.rule).sort()).toEqual(['Create HostNetwork Pod', 'Create Privileged Pod']);
    expect(alerts.every((a) => a.source === 'k8s_audit')).toBe(true);
  });
});

describe('replay – outputs, summary and errors', () => {
  it('sends the same alerts to stdout, a file and NATS at once; counts equal', async () => {
    const nats = await NatsServer.start();
    const nc = await connect({ servers: nats.url });
    try {
      const received: string[] = [];
      const sub = nc.subscribe('falco.>', { callback: (_e, m) => received.push(m.string()) });
      await nc.flush();
      const dir = tmp();
      writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
      const { lines, shadow, curl } = testEvents(3000);
      writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
      writeFileSync(join(dir, 'peregrine.yaml'), `outputs:
  format: json
  stdout: {}
  file: { path: ${join(dir, 'alerts.jsonl')} }
  nats: { servers: [${nats.url}] }
`);
      const r = runCli(['replay', '-c', join(dir, 'peregrine.yaml'), '-r', join(dir, 'rules.yaml'), '--summary-json', join(dir, 'summary.json'), join(dir, 'events.jsonl')]);
      expect(r.code, r.stderr).toBe(0);
      const expected = shadow + curl;
      const out = r.stdout.trim().split('\n');
      const file = readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trim().split('\n');
      const deadline = Date.now() + 10_000;
      while (received.length < expected && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      sub.unsubscribe();
      expect(out.length).toBe(expected);
      expect(file).toEqual(out);
      expect(received).toEqual(out);
      const rules = out.map((l) => (JSON.parse(l) as { rule: string }).rule);
      expect(rules.filter((x) => x === 'Shadow read by cat').length).toBe(shadow);
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { events: number; alerts: number; byRule: Record<string, number>; byPriority: Record<string, number>; outputs: { name: string; sent: number }[] };
      expect(summary.events).toBe(3000);
      expect(summary.alerts).toBe(expected);
      expect(summary.byRule).toEqual({ 'Shadow read by cat': shadow, 'Curl connects': curl });
      expect(summary.byPriority).toEqual({ Warning: shadow, Notice: curl });
      expect(summary.outputs.map((o) => [o.name, o.sent])).toEqual([['stdout', expected], ['file', expected], ['nats', expected]]);
      expect(r.stderr).toContain(`replay: 3,000 events`);
    } finally {
      await nc.close();
      await nats.dispose();
    }
  });

  it('counts bad input lines in the summary and keeps going', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
    const { lines, shadow } = testEvents(30);
    lines.splice(5, 0, '{not json', '', '"a string"', '{"evt.type": 12}');
    writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
    const r = runCli(['replay', '-r', join(dir, 'rules.yaml'), '--format', 'falco-json', '--summary-json', '-', join(dir, 'events.jsonl')]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stderr.slice(r.stderr.indexOf('{\n'))) as { alerts: number; sources: { counters: Record<string, number> }[] };
    expect(summary.alerts).toBeGreaterThanOrEqual(shadow);
    expect(summary.sources[0]?.counters['bad_lines']).toBe(3);
  });

  it('reports state table sizes and evictions in the summary (a process cap far below the trace)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
    writeFileSync(join(dir, 'events.jsonl'), `${[...traceLines({ events: 20_000, seed: 7 })].join('\n')}\n`);
    const summaryOf = (extra: string[]): Record<string, number> => {
      const r = runCli(['replay', '-r', join(dir, 'rules.yaml'), ...extra, '--summary-json', join(dir, 'summary.json'), join(dir, 'events.jsonl')]);
      expect(r.code).toBe(0);
      return (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { sources: { counters: Record<string, number> }[] }).sources[0]!.counters;
    };
    const roomy = summaryOf([]);
    expect(roomy['state_processes']).toBeGreaterThan(64);
    expect(roomy['state_processes_evicted']).toBe(0);
    const capped = summaryOf(['-o', 'state.max_processes=64']);
    expect(capped['state_processes']).toBeLessThanOrEqual(64);
    expect(capped['state_processes_evicted']).toBeGreaterThan(0);
  });

  it('skips records of event types no rule and no state uses, unparsed and counted, with the same alerts', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'events.jsonl'), `${[...traceLines({ events: 20_000, seed: 11 })].join('\n')}\n`);
    const replay = (extra: string[]): { alerts: string; counters: Record<string, number> } => {
      const r = runCli(['replay', '-q', '-o', 'json_output=true', ...extra, '--summary-json', join(dir, 'summary.json'), join(dir, 'events.jsonl')]);
      expect(r.code).toBe(0);
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { sources: { counters: Record<string, number> }[] };
      return { alerts: r.stdout, counters: summary.sources[0]!.counters };
    };
    const skipping = replay([]);
    const all = replay(['-o', 'decode.skip_unused_types=false']);
    expect(skipping.alerts.split('\n').length).toBeGreaterThan(20);
    expect(skipping.alerts).toBe(all.alerts);
    // read, write and nanosleep: no bundled rule and no state table uses them.
    expect(skipping.counters['unused_type_skipped']).toBeGreaterThan(2_000);
    expect(all.counters['unused_type_skipped']).toBe(0);
    expect(skipping.counters['lines']).toBe(20_000);
    expect(skipping.counters['events']! + skipping.counters['unused_type_skipped']!).toBe(all.counters['events']);
  });

  it('exits 0 when its reader closes the pipe (peregrine replay … | head -1)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
    writeFileSync(join(dir, 'events.jsonl'), `${testEvents(20000).lines.join('\n')}\n`);
    const main = join(ROOT, 'dist/cli/main.js');
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${main}" replay -q -r rules.yaml events.jsonl | head -1`], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).length).toBe(1);
  });

  it('fails with a located error when the rules do not load', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rules.yaml'), '- rule: broken\n  desc: d\n  condition: evt.type = open and proc.nmae = x\n  output: x\n  priority: WARNING\n');
    writeFileSync(join(dir, 'events.jsonl'), '{}\n');
    const r = runCli(['replay', '-r', join(dir, 'rules.yaml'), join(dir, 'events.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rules\.yaml:3:\d+: error LOAD_ERR_COMPILE_CONDITION: filter_check called with nonexistent field proc.nmae/);
    expect(r.stderr).toContain('rules failed to load');
  });

  it('reports a missing input and exits 1', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
    const r = runCli(['replay', '-q', '-r', join(dir, 'rules.yaml'), join(dir, 'nope.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope.jsonl');
  });

  it('profiles rules when asked', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
    writeFileSync(join(dir, 'events.jsonl'), `${testEvents(300).lines.join('\n')}\n`);
    const r = runCli(['replay', '-r', join(dir, 'rules.yaml'), '--profile', '--profile-json', join(dir, 'p.json'), join(dir, 'events.jsonl')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Per-rule cost: 300 events; 300 rule evaluations, 140 matches/);
    const p = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as { rules: { name: string; evaluations: number; matches: number }[] };
    const shadow = p.rules.find((x) => x.name === 'Shadow read by cat');
    expect(shadow?.matches).toBe(100);
    expect(shadow?.evaluations).toBe(260); // every openat event (300 minus 40 curl connects)
  });
});
