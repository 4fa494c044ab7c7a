#!/usr/bin/env node
// Scenario 7 — alert latency at a fixed input rate: `peregrine run` follows a file that this script
// appends to at a steady rate (default 20,000 events/s, 1% of them matching a rule); each matching
// event carries its write time as evt.time, so latency = when its alert line is read from the
// run's stdout − when the event was written. Reports p50, p99 and max over the run.
// Usage: node bench/alert-latency.mjs [events/s] [seconds]
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RATE = Number(process.argv[2] ?? 20_000);
const SECONDS = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'peregrine-latency-'));
const events = join(dir, 'events.jsonl');
writeFileSync(events, '');
writeFileSync(join(dir, 'rules.yaml'), `- rule: Marked event
  desc: an event the benchmark measures
  condition: evt.type = openat and fd.name = /etc/shadow
  output: marked t=%evt.rawtime
  priority: WARNING
`);
const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'run', '-r', join(dir, 'rules.yaml'), '-i', events, '--follow',
  '--format', 'native', '-o', 'outputs.format=json', '-o', 'log_level=warn'], { stdio: ['ignore', 'pipe', 'inherit'] });

const latencies = [];
let pending = '';
child.stdout.setEncoding('utf8').on('data', (d) => {
  const now = process.hrtime.bigint();
  pending += d;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    const t = /"evt\.rawtime":(\d+)/.exec(line)?.[1];
    if (t !== undefined) latencies.push(Number(now - BigInt(t)) / 1e6);
  }
});
await new Promise((r) => setTimeout(r, 3000)); // rules load, file followed

// Timestamps: the monotonic clock (hrtime) written as evt.time, compared with hrtime on arrival.
let n = 0;
const tickMs = 10;
const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
const start = Date.now();
await new Promise((resolve) => {
  const timer = setInterval(() => {
    let batch = '';
    for (let i = 0; i < perTick; i++) {
      n++;
      const marked = n % 100 === 0;
      const ts = process.hrtime.bigint().toString();
      batch += `{"type":"openat","ts":"${ts}","pid":${1000 + (n % 50)},"comm":"cat","res":3,"args":{"dirfd":-100,"name":"${marked ? '/etc/shadow' : '/tmp/x'}","flags":0}}\n`;
    }
    appendFileSync(events, batch);
    if (Date.now() - start >= SECONDS * 1000) {
      clearInterval(timer);
      resolve();
    }
  }, tickMs);
});
await new Promise((r) => setTimeout(r, 2000));
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
console.log(`input ${n.toLocaleString('en-US')} events at ${RATE.toLocaleString('en-US')}/s for ${SECONDS} s; ${latencies.length} alerts measured`);
console.log(`alert-latency: p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${q(1).toFixed(1)} ms at ${RATE.toLocaleString('en-US')} events/s (file append → follow → alert on stdout)`);
