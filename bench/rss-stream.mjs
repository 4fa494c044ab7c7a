#!/usr/bin/env node
// Scenario 6 — memory over a long stream: a generated trace is piped into `peregrine replay -` (the
// real CLI) without ever touching the disk, with the upstream stable rules; the replay process's
// RSS is sampled from /proc every 250 ms. Reports the peak and whether it stays flat: the RSS at
// the end compared with the RSS once the process and fd tables have filled (after 20% of the stream).
// Target: RSS < 200 MB and flat over 10M events. Usage: node bench/rss-stream.mjs [events]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { traceLines } from './gen-trace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 10_000_000);
const stable = join(root, '..', 'shared', 'compat', 'falco-rules', 'falco_rules.yaml');
const rules = existsSync(stable) ? ['-r', stable] : [];

const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'replay', '-q', ...rules, '--format', 'native',
  '-o', 'outputs.stdout.enabled=false', '--summary-json', '-', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
let summary = '';
child.stderr.setEncoding('utf8').on('data', (d) => { summary += d; });

const samples = []; // [eventsWritten, rssBytes]
let written = 0;
const rss = () => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
};
const timer = setInterval(() => {
  const r = rss();
  if (r !== undefined) samples.push([written, r]);
}, 250);

const t0 = Date.now();
let buf = '';
for (const line of traceLines({ events: N, seed: 11 })) {
  buf += line + '\n';
  written++;
  if (buf.length > 1 << 20) {
    if (!child.stdin.write(buf)) await new Promise((r) => child.stdin.once('drain', r));
    buf = '';
  }
}
child.stdin.end(buf);
await new Promise((r) => child.once('exit', r));
clearInterval(timer);
const secs = (Date.now() - t0) / 1000;

const peak = Math.max(...samples.map((s) => s[1]));
const after = (share) => samples.filter((s) => s[0] >= share * N);
const warm = after(0.2)[0]?.[1] ?? peak;
const end = samples[samples.length - 1]?.[1] ?? peak;
const mb = (b) => (b / 1048576).toFixed(0);
console.log(`events ${N.toLocaleString('en-US')} in ${secs.toFixed(0)} s; ${samples.length} RSS samples`);
for (const share of [0.1, 0.2, 0.4, 0.6, 0.8, 1.0]) {
  const s = after(share - 0.1).find((x) => x[0] >= (share - 0.1) * N);
  if (s) console.log(`  after ${(100 * share - 10).toFixed(0).padStart(3)}%: ${mb(s[1])} MB`);
}
const parsed = (() => { try { return JSON.parse(summary.slice(summary.indexOf('{'))); } catch { return undefined; } })();
if (parsed) console.log(`  replay: ${parsed.events} events, ${parsed.alerts} alerts`);
console.log(`rss-stream: peak ${mb(peak)} MB, ${mb(warm)} MB at 20% → ${mb(end)} MB at the end (${end <= warm * 1.1 ? 'flat' : `grew ${(100 * (end / warm - 1)).toFixed(0)}%`}) over ${N.toLocaleString('en-US')} events; target < 200 MB and flat`);
