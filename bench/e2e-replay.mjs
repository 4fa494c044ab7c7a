#!/usr/bin/env node
// Scenario 4 — end-to-end replay: `peregrine replay` (the real CLI, in its own process) over a
// generated trace with the upstream stable + incubating + sandbox rules and three outputs at once
// (stdout to /dev/null, a file, NATS when nats-server is installed), against the ceiling measured in
// the same run: bare read + split + JSON.parse of the same file. Engine time is the replay's own
// (rules loaded → last alert delivered), from its --summary-json; best of N runs. Rate = records
// consumed (input lines) per second: records of event types no rule and no state table uses are
// skipped unparsed (decode.skip_unused_types, on by default); one more run parses every record, for
// the figure without that, and must produce the same alerts.
// Target: ≥ 0.7 × the ceiling. Usage: node bench/e2e-replay.mjs [events] [runs] [matchShare]
// Without matchShare the trace is gen-trace's historical mix (about 5 % of events match by chance);
// with it, that share of events matches (e.g. 0.001 for a realistic, quiet production stream).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTrace } from './gen-trace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const SHARE = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const compat = join(root, '..', 'shared', 'compat', 'falco-rules');
if (!existsSync(compat)) {
  console.log('e2e-replay: SKIPPED — ../shared/compat (the upstream rules) is not present');
  process.exit(0);
}
const trace = join(out, SHARE === undefined ? `trace-${N}.jsonl` : `trace-${N}-share-${SHARE}.jsonl`);
if (!existsSync(trace)) await writeTrace(trace, { events: N, seed: 42, matchShare: SHARE });
const size = statSync(trace).size;

function ceiling() {
  const t0 = process.hrtime.bigint();
  const text = readFileSync(trace, 'utf8');
  let n = 0;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    if (nl > start) {
      JSON.parse(text.slice(start, nl));
      n++;
    }
    start = nl + 1;
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const natsBin = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));
let nats;
let natsUrl;
if (natsBin) {
  const port = await new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
  nats = spawn(natsBin, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  natsUrl = `nats://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 500));
}
const config = join(out, 'e2e-replay.yaml');
writeFileSync(config, `outputs:
  format: json
  stdout: {}
  file: { path: ${join(out, 'e2e-alerts.jsonl')} }
${natsUrl ? `  nats: { servers: [${natsUrl}] }\n` : ''}`);

/** Records the replay consumed (each input line once, whether evaluated or skipped unparsed). */
function records(s) {
  return s.sources.reduce((n, src) => n + (src.counters.lines ?? 0), 0);
}

/** Records skipped unparsed because no rule and no state table uses their event type. */
function unusedTypeSkipped(s) {
  return s.sources.reduce((n, src) => n + (src.counters.unused_type_skipped ?? 0), 0);
}

function replayOnce(extra = []) {
  rmSync(join(out, 'e2e-alerts.jsonl'), { force: true });
  const summaryPath = join(out, 'e2e-summary.json');
  const devnull = openSync('/dev/null', 'w');
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'replay', '-q', '-c', config,
    '-r', join(compat, 'falco_rules.yaml'), '-r', join(compat, 'falco-incubating_rules.yaml'), '-r', join(compat, 'falco-sandbox_rules.yaml'),
    '--format', 'native', ...extra, '--summary-json', summaryPath, trace], { stdio: ['ignore', devnull, 'inherit'] });
  if (r.status !== 0) throw new Error(`replay exited ${r.status}`);
  return JSON.parse(readFileSync(summaryPath, 'utf8'));
}

let bestCeiling = 0;
let best;
for (let i = 0; i < RUNS; i++) {
  bestCeiling = Math.max(bestCeiling, ceiling());
  const s = replayOnce();
  const rate = records(s) / s.seconds;
  if (best === undefined || rate > best.rate) best = { rate, s };
}
// Once more parsing every record (decode.skip_unused_types=false): the figure before records of
// unused event types were skipped unparsed.
const every = replayOnce(['-o', 'decode.skip_unused_types=false']);
const everyRate = records(every) / every.seconds;
nats?.kill();
const { s } = best;
if (every.alerts !== s.alerts) throw new Error(`skipping unused event types changed the alerts: ${s.alerts} vs ${every.alerts}`);
console.log(`trace ${N} events (${(size / 1e6).toFixed(0)} MB); outputs: ${s.outputs.map((o) => `${o.name} ${o.sent}`).join(', ')}; alerts ${s.alerts}`);
console.log(`ceiling (read + split + JSON.parse): ${Math.round(bestCeiling).toLocaleString('en-US')} events/s`);
console.log(`replay end to end: ${Math.round(best.rate).toLocaleString('en-US')} events/s (best of ${RUNS}); ${unusedTypeSkipped(s).toLocaleString('en-US')} records of unused event types skipped unparsed`);
console.log(`parsing every record (-o decode.skip_unused_types=false, one run): ${Math.round(everyRate).toLocaleString('en-US')} events/s = ${(everyRate / bestCeiling).toFixed(2)}x`);
console.log(`e2e-replay: ${(best.rate / 1e3).toFixed(0)}K ev/s = ${(best.rate / bestCeiling).toFixed(2)}x the read+parse ceiling (${(bestCeiling / 1e3).toFixed(0)}K ev/s; ${(everyRate / bestCeiling).toFixed(2)}x parsing every record); ${s.alerts} alerts to ${s.outputs.length} outputs; target >= 0.70x`);
