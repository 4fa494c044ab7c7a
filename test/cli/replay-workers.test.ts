// Replay on worker threads – `replay --workers N` yields exactly the alerts (as a multiset) and the
// counters of a single-threaded replay: on the bundled samples, a generated trace with the upstream
// rules, real sysdig samples and captures; with bad input, several inputs, full output queues and
// profiling. A rule that fires on every event and prints the state-derived fields (parent, ancestors,
// fds, container) checks that every worker's state tables are right for what it evaluates.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { traceLines } from '../../bench/gen-trace.mjs';
import { ensureBuilt } from '../helpers/cli.js';
import { DATA, describeShared, INCUBATING_RULES, ROOT, SANDBOX_RULES, STABLE_RULES } from '../helpers/shared.js';

beforeAll(async () => {
  await ensureBuilt();
}, 300_000);

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const UPSTREAM = ['-r', STABLE_RULES, '-r', INCUBATING_RULES, '-r', SANDBOX_RULES];
const dir = mkdtempSync(join(tmpdir(), 'peregrine-workers-'));

/** Fires on every syscall event and prints what the state tables derived for it. */
const EVERY = join(dir, 'every.yaml');
writeFileSync(EVERY, `- rule: every event
  desc: prints the state-derived fields of every event
  condition: evt.type = execve or evt.type != execve
  output: "%evt.num %evt.type %evt.res pid=%proc.pid tid=%thread.tid %proc.name p=%proc.pname a2=%proc.aname[2] a3=%proc.aname[3] a4=%proc.aname[4] ppid=%proc.ppid apid2=%proc.apid[2] cmd=%proc.cmdline pcmd=%proc.pcmdline exe=%proc.exepath cwd=%proc.cwd fd=%fd.num name=%fd.name type=%fd.type sip=%fd.sip sport=%fd.sport c=%container.id img=%container.image uid=%user.uid tty=%proc.tty"
  priority: DEBUG
`);

interface Run {
  readonly code: number | null;
  readonly alerts: string[];
  readonly stderr: string;
  readonly summary: Summary;
}

interface Summary {
  events: number;
  alerts: number;
  byRule: Record<string, number>;
  byPriority: Record<string, number>;
  sources: { name: string; counters: Record<string, number> }[];
  outputs: { name: string; sent: number; dropped: number }[];
}

let runs = 0;
function replay(args: readonly string[]): Run {
  const summaryFile = join(dir, `summary-${++runs}.json`);
  const r = spawnSync(process.execPath, [MAIN, 'replay', '-q', '--json', '--summary-json', summaryFile, ...args],
    { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 180_000, env: { ...process.env, FALCO_HOSTNAME: 'test-host' } });
  let summary = {} as Summary;
  try {
    summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
  } catch {
    // no summary: the run failed (the code says so)
  }
  return { code: r.status, alerts: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr, summary };
}

/**
 * Decode counters only: the worker split is reported on top, and state counters are summed over the
 * workers' trackers (a process replicated to both counts twice), so they differ by design.
 */
function inputCounters(s: Summary): Record<string, number>[] {
  return s.sources.map((x) => Object.fromEntries(Object.entries(x.counters).filter(([k]) => !/^(worker_\d+_lines|replicated_lines|state_\w+)$/.test(k))));
}

/** Runs once on the main thread and once with `workers`; expects the same alerts and counters. */
function expectSame(args: readonly string[], workers = 2): { one: Run; many: Run } {
  const one = replay(args);
  const many = replay(['--workers', String(workers), ...args]);
  expect(one.code, one.stderr).toBe(0);
  expect(many.code, many.stderr).toBe(0);
  expect([...many.alerts].sort()).toEqual([...one.alerts].sort());
  expect(many.summary.byRule).toEqual(one.summary.byRule);
  expect(many.summary.byPriority).toEqual(one.summary.byPriority);
  expect([many.summary.events, many.summary.alerts]).toEqual([one.summary.events, one.summary.alerts]);
  expect(inputCounters(many.summary)).toEqual(inputCounters(one.summary));
  return { one, many };
}

const trace = join(dir, 'trace.jsonl');
writeFileSync(trace, `${[...traceLines({ events: 10_000, seed: 42 })].join('\n')}\n`);

describe('replay --workers – the same alerts as one thread', () => {
  it('on the bundled samples, with the default rules and with a rule printing every derived field', () => {
    const samples = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.jsonl')).map((f) => join(ROOT, 'samples', f));
    const { one } = expectSame(samples);
    expect(one.alerts.length).toBeGreaterThan(0);
    expectSame(['-r', EVERY, ...samples]);
  });

  it('on a generated trace, splitting it between the workers', () => {
    const { one, many } = expectSame(['-r', EVERY, trace]);
    expect(one.alerts.length).toBe(one.summary.events);
    expect(one.alerts.length).toBeGreaterThan(9_000);
    const c = many.summary.sources[0]?.counters ?? {};
    // Both workers got a real share, and only a small part was replicated.
    expect(c['worker_0_lines']).toBeGreaterThan(3000);
    expect(c['worker_1_lines']).toBeGreaterThan(3000);
    expect(c['replicated_lines']).toBeLessThan(2500);
  });

  it('with three workers and several inputs in one replay', () => {
    const samples = ['demo-attack.jsonl', 'benign-k8s-node.jsonl'].map((f) => join(ROOT, 'samples', f));
    expectSame(['-r', EVERY, trace, ...samples], 3);
  });

  it('keeps the alerts of one process in input order', () => {
    const { many } = expectSame(['-r', EVERY, '--share-depth', '0', trace]);
    const lastByPid = new Map<string, number>();
    for (const line of many.alerts) {
      const out = (JSON.parse(line) as { output_fields: Record<string, unknown> }).output_fields;
      const pid = String(out['proc.pid']);
      const num = Number(out['evt.num']);
      expect(num, `evt.num of pid ${pid}`).toBeGreaterThan(lastByPid.get(pid) ?? -1);
      lastByPid.set(pid, num);
    }
  });

  it('whatever the share depth', () => {
    for (const depth of ['0', '1', '4']) expectSame(['-r', EVERY, '--share-depth', depth, trace]);
  });
});

describeShared('replay --workers – upstream rules and real samples', () => {
  it('on a generated trace with the upstream stable, incubating and sandbox rules', () => {
    const { one } = expectSame([...UPSTREAM, '--format', 'native', trace]);
    expect(one.alerts.length).toBeGreaterThan(500);
  });

  it('on the sysdig Falco-field samples and the captures they came from', () => {
    const dirFf = join(DATA, 'sysdig-json-from-scap');
    const ff = readdirSync(dirFf).filter((f) => f.endsWith('.falco-fields.jsonl')).map((f) => join(dirFf, f));
    const caps = [
      join(DATA, 'falco-test-trace_files', 'psp', 'run_as_user_0_container.scap'),
      join(DATA, 'falcosecurity-libs-captures', 'curl_google.scap'),
      join(DATA, 'falco-test-trace_files', 'open-multiple-files.scap'),
    ];
    // Several inputs in one replay: each input has its own state, on every worker.
    expectSame([...UPSTREAM, ...ff, ...caps]);
    expectSame(['-r', EVERY, ...ff, ...caps]);
  });

  it('sends a sysdig -j input to one worker and says so', () => {
    const f = join(DATA, 'sysdig-json-from-scap', 'psp__run_as_user_0_container.sysdig-j.jsonl');
    const { many } = expectSame(['-r', EVERY, f]);
    expect(many.stderr).toMatch(/the sysdig format has no routing keys.*replayed by one worker/);
  });
});

describe('replay --workers – input problems, queues, profile and usage', () => {
  it('counts bad lines exactly as one thread does, before and after the format is recognised', () => {
    const lines = [
      'not json at all', '', '{"no":"format"}',
      ...[...traceLines({ events: 300, seed: 3 })].slice(0, 150),
      '{"type":"openat","ts":"1","pid":', // truncated
      `{"type":"openat","ts":"1","pid":5,"comm":"${'x'.repeat(400)}"}`, // too long with the limit below
      '', '[1,2]', '{"type":"read","ts":"x","pid":6}',
      ...[...traceLines({ events: 300, seed: 3 })].slice(150),
    ];
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('{"type":"read","ts":"1","pid":1}\n')]));
    const { one } = expectSame(['-r', EVERY, '-o', 'decode.max_line_bytes=300', file]);
    const c = one.summary.sources[0]?.counters ?? {};
    expect(c['bad_lines']).toBeGreaterThanOrEqual(6);
    expect(c['bad_too_long']).toBeGreaterThanOrEqual(1);
    expect(c['bad_invalid_utf8']).toBe(1);
  });

  it('loses nothing when the outputs are slower than detection (queues of one alert)', () => {
    const { one, many } = expectSame(['-r', EVERY, '-o', 'outputs.queue_capacity=1', '-o', 'outputs.batch_size=1', trace]);
    expect(many.summary.outputs.every((o) => o.sent === one.alerts.length && o.dropped === 0)).toBe(true);
  });

  it('merges the workers\' per-rule profile', () => {
    const prof = (args: string[]) => {
      const file = join(dir, `profile-${++runs}.json`);
      const r = replay([...args, '-r', EVERY, '--profile-json', file, trace]);
      expect(r.code, r.stderr).toBe(0);
      const p = JSON.parse(readFileSync(file, 'utf8')) as { rules: { name: string; evaluations: number; matches: number }[] };
      return p.rules.map((x) => [x.name, x.evaluations, x.matches]);
    };
    expect(prof(['--workers', '2'])).toEqual(prof([]));
  });

  it('rejects bad --workers and --share-depth values and --workers with --realtime', () => {
    for (const args of [['--workers', '-1'], ['--workers', 'two'], ['--workers', '1.5'], ['--workers', '2', '--realtime'], ['--share-depth', '-2']]) {
      const r = replay([...args, trace]);
      expect(r.code, args.join(' ')).toBe(2);
    }
    const zero = replay(['--workers', '0', '-r', EVERY, trace]);
    expect(zero.code).toBe(0);
    expect(zero.summary.sources[0]?.counters['worker_0_lines']).toBeUndefined();
  });

  it('reports a worker that fails, and exits 1 without replaying the remaining inputs', () => {
    for (const fault of ['throw', 'exit']) {
      const r = spawnSync(process.execPath, [MAIN, 'replay', '-q', '--json', '--workers', '2', '-r', EVERY, trace, join(ROOT, 'samples', 'demo-attack.jsonl')],
        { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 180_000, env: { ...process.env, PEREGRINE_TEST_WORKER_FAULT: fault } });
      expect(r.status, `${fault}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(fault === 'throw' ? /trace\.jsonl: detection worker 1 failed: injected fault/ : /trace\.jsonl: detection worker 1 exited unexpectedly \(code 3\)/);
      expect(r.stderr).toMatch(/remaining inputs were not replayed/);
      expect(r.stderr).not.toMatch(/demo-attack/);
    }
  });

  it('fails clearly when the rules do not load', () => {
    const bad = join(dir, 'bad-rules.yaml');
    writeFileSync(bad, '- rule: broken\n  desc: x\n  condition: evt.type = = open\n  output: x\n  priority: INFO\n');
    const r = replay(['--workers', '2', '-r', bad, trace]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-rules\.yaml:3:\d+/);
    expect(r.stderr).toMatch(/rules failed to load/);
  });
});
