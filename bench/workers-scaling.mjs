#!/usr/bin/env node
// Scenario 5 — scaling detection over cores: `peregrine replay --workers N` (the real CLI, in its
// own process) over the same generated trace with the upstream stable + incubating + sandbox rules,
// on the plain single-threaded path, with 1 worker and with 2 workers. The main thread reads and
// routes the lines; each worker decodes, tracks state, evaluates and renders the alerts of its
// process trees (README: replay, --workers). JSON alerts go to stdout (/dev/null).
//
// Rate = events / the replay's own time (rules loaded → last alert delivered, from --summary-json;
// with workers this includes waiting for them to load their rules); the wall time of the whole
// process (start-up included) is printed too. Runs are interleaved (plain, 1, 2, plain, …) so
// that a noisy neighbour hits all modes alike; best of N per mode. The alert counts of the three
// modes must agree. Target: 2 workers ≥ 1.7 × 1 worker.
// Usage: node bench/workers-scaling.mjs [events] [runs]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTrace } from './gen-trace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const compat = join(root, '..', 'shared', 'compat', 'falco-rules');
if (!existsSync(compat)) {
  console.log('workers-scaling: SKIPPED — ../shared/compat (the upstream rules) is not present');
  process.exit(0);
}
const trace = join(out, `trace-${N}.jsonl`);
if (!existsSync(trace)) await writeTrace(trace, { events: N, seed: 42 });
const size = statSync(trace).size;

const MODES = [
  { name: 'single-thread', args: [] },
  { name: '1 worker', args: ['--workers', '1'] },
  { name: '2 workers', args: ['--workers', '2'] },
];

function replayOnce(mode) {
  const summaryPath = join(out, 'workers-summary.json');
  const devnull = openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'replay', '-q', '--json',
    '-r', join(compat, 'falco_rules.yaml'), '-r', join(compat, 'falco-incubating_rules.yaml'), '-r', join(compat, 'falco-sandbox_rules.yaml'),
    '--format', 'native', '--summary-json', summaryPath, ...mode.args, trace], { stdio: ['ignore', devnull, 'inherit'] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(devnull);
  if (r.status !== 0) throw new Error(`replay ${mode.args.join(' ')} exited ${r.status}`);
  const s = JSON.parse(readFileSync(summaryPath, 'utf8'));
  // Records consumed (input lines), whether evaluated or skipped unparsed as of an unused event type.
  const records = s.sources.reduce((n, src) => n + (src.counters.lines ?? 0), 0);
  return { rate: records / s.seconds, wallRate: records / wall, wall, s };
}

console.log(`trace ${N} events (${(size / 1e6).toFixed(0)} MB); ${cpus().length} CPUs; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const best = new Map();
for (let i = 0; i < RUNS; i++) {
  for (const mode of MODES) {
    const r = replayOnce(mode);
    const c = r.s.sources[0]?.counters ?? {};
    const split = c['worker_0_lines'] !== undefined
      ? `; lines per worker ${Object.keys(c).filter((k) => /^worker_\d+_lines$/.test(k)).map((k) => c[k]).join('/')}, replicated ${c['replicated_lines']}`
      : '';
    console.log(`  run ${i + 1} ${mode.name.padEnd(13)} ${Math.round(r.rate).toLocaleString('en-US').padStart(9)} events/s (${r.s.seconds.toFixed(2)} s; wall ${r.wall.toFixed(2)} s); ${r.s.alerts} alerts${split}`);
    const b = best.get(mode.name);
    if (b === undefined || r.rate > b.rate) best.set(mode.name, r);
  }
}
const plain = best.get('single-thread');
const one = best.get('1 worker');
const two = best.get('2 workers');
const alerts = new Set([plain.s.alerts, one.s.alerts, two.s.alerts]);
if (alerts.size !== 1) {
  console.log(`workers-scaling: FAILED — the modes disagree on the alerts (${[...alerts].join(' / ')})`);
  process.exit(1);
}
const k = (x) => `${(x / 1e3).toFixed(0)}K`;
for (const [name, r] of best) console.log(`${name.padEnd(13)} ${Math.round(r.rate).toLocaleString('en-US').padStart(9)} events/s (best of ${RUNS}); wall incl. start-up ${Math.round(r.wallRate).toLocaleString('en-US')} events/s`);
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`workers-scaling: 2 workers ${k(two.rate)} ev/s = ${(two.rate / one.rate).toFixed(2)}x 1 worker (${k(one.rate)} ev/s), ${(two.rate / plain.rate).toFixed(2)}x single-thread (${k(plain.rate)} ev/s); ${plain.s.alerts} alerts; target >= 1.70x`);
