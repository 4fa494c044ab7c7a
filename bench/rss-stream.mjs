#!/usr/bin/env node
// Scenario 6 — memory over a long stream: a generated trace is piped into `peregrine replay -` (the
// real CLI) without ever touching the disk, with the upstream stable rules; the replay process's
// RSS is sampled from /proc every 250 ms. Reports the peak and whether it stays flat: the RSS at
// the end compared with the RSS once the process and fd tables have filled (after 20% of the stream).
// Target: RSS < 200 MB and flat over 10M events.
//
//   node bench/rss-stream.mjs [--events N] [--seed S] [--node-option FLAG]...
//   node bench/rss-stream.mjs --events 10000000        # the target's length (~6 min on 2 cores)
//
// The default is 2M events so that `npm run bench` stays short. --node-option passes a flag to the
// replay process's node (e.g. --node-option=--max-old-space-size=512) to compare V8 heap sizings.
// The last line is the summary: peak RSS, RSS at 20%/50%/100%, growth from 20% to the end, events/s
// (of the whole pipeline: the generator in this process feeds the replay, and is often the slower
// side) and events per CPU second of the replay process (from /proc, sampled with the RSS).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { traceLines } from './gen-trace.mjs';

function parseArgs(argv) {
  const o = { events: 2_000_000, seed: 11, nodeOptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--events') o.events = Number(value());
    else if (name === '--seed') o.seed = Number(value());
    else if (name === '--node-option') o.nodeOptions.push(value());
    else if (/^\d+$/.test(a)) o.events = Number(a); // the former positional form
    else if (a === '-h' || a === '--help') {
      process.stdout.write('Usage: node bench/rss-stream.mjs [--events N] [--seed S] [--node-option FLAG]...\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(o.events) || o.events <= 0) throw new Error('--events must be a positive integer');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const N = opts.events;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stable = join(root, '..', 'shared', 'compat', 'falco-rules', 'falco_rules.yaml');
const rules = existsSync(stable) ? ['-r', stable] : [];

const child = spawn(process.execPath, [...opts.nodeOptions, join(root, 'dist', 'cli', 'main.js'), 'replay', '-q', ...rules, '--format', 'native',
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
/** The replay's CPU seconds (user + system) so far: less sensitive than wall time to a busy machine. */
let cpu = 0;
const cpuSeconds = () => {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
};
const timer = setInterval(() => {
  const r = rss();
  if (r !== undefined) samples.push([written, r]);
  cpu = cpuSeconds() ?? cpu;
}, 250);

const t0 = Date.now();
let buf = '';
for (const line of traceLines({ events: N, seed: opts.seed })) {
  buf += line + '\n';
  written++;
  if (buf.length > 1 << 20) {
    if (!child.stdin.write(buf)) await new Promise((r) => child.stdin.once('drain', r));
    buf = '';
  }
}
child.stdin.end(buf);
const code = await new Promise((r) => child.once('exit', (c) => r(c)));
clearInterval(timer);
const secs = (Date.now() - t0) / 1000;
if (code !== 0) {
  process.stderr.write(summary);
  throw new Error(`replay exited with ${code}`);
}

const peak = Math.max(...samples.map((s) => s[1]));
/** The first sample taken once `share` of the stream had been written (the last one for 100%). */
const at = (share) => (share >= 1 ? samples[samples.length - 1] : samples.find((s) => s[0] >= share * N))?.[1] ?? peak;
const mb = (b) => (b / 1048576).toFixed(0);
console.log(`events ${N.toLocaleString('en-US')} in ${secs.toFixed(0)} s (replay CPU ≥ ${cpu.toFixed(0)} s); ${samples.length} RSS samples${opts.nodeOptions.length ? `; node ${opts.nodeOptions.join(' ')}` : ''}`);
for (const share of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]) console.log(`  at ${(100 * share).toFixed(0).padStart(3)}%: ${mb(at(share))} MB`);
const parsed = (() => { try { return JSON.parse(summary.slice(summary.indexOf('{'))); } catch { return undefined; } })();
if (parsed) {
  console.log(`  replay: ${parsed.events} events, ${parsed.alerts} alerts`);
  if (parsed.state) console.log(`  state: ${JSON.stringify(parsed.state)}`);
}
const warm = at(0.2);
const end = at(1);
const growth = 100 * (end / warm - 1);
console.log(`rss-stream: peak ${mb(peak)} MB; RSS ${mb(warm)} MB at 20%, ${mb(at(0.5))} MB at 50%, ${mb(end)} MB at 100% `
  + `(${growth >= 0 ? '+' : ''}${growth.toFixed(0)}%, ${growth <= 10 ? 'flat' : 'grew'}) over ${N.toLocaleString('en-US')} events; `
  + `${Math.round(N / secs).toLocaleString('en-US')} events/s (${Math.round(N / cpu).toLocaleString('en-US')} per replay CPU second); target < 200 MB and flat`);
