#!/usr/bin/env node
// Decode + state throughput against its ceiling, in one run on one file: the bare cost of reading
// the file, splitting lines and JSON.parse-ing each, versus Peregrine's input pipeline (file source
// → line splitter → native decoder → state tracker, via the same forEachEvent the CLI uses).
// Runs against dist/ (npm run build first). The trace is generated (bench/gen-trace.mjs) unless given.
//
//   node bench/decode-state.mjs [--events 1000000] [--seed 42] [--trace FILE] [--rounds 3]
//
// The last line is a one-line summary with the ratio.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTrace } from './gen-trace.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(ROOT, 'dist', p);
if (!existsSync(dist('cli/inputs.js'))) {
  process.stderr.write('bench/decode-state.mjs: dist/ is missing — run `npm run build` first\n');
  process.exit(2);
}
const { openInput, forEachEvent } = await import(dist('cli/inputs.js'));
const { StateTracker } = await import(dist('state/tracker.js'));

const opts = { events: 1_000_000, seed: 42, trace: undefined, rounds: 3 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--events') opts.events = Number(argv[++i]);
  else if (a === '--seed') opts.seed = Number(argv[++i]);
  else if (a === '--trace') opts.trace = argv[++i];
  else if (a === '--rounds') opts.rounds = Number(argv[++i]);
  else {
    process.stderr.write(`unknown option ${a}\nUsage: node bench/decode-state.mjs [--events N] [--seed S] [--trace FILE] [--rounds R]\n`);
    process.exit(2);
  }
}

const trace = opts.trace ?? join(ROOT, 'bench', 'out', `trace-${opts.events}-${opts.seed}.jsonl`);
if (!existsSync(trace)) {
  process.stderr.write(`generating ${opts.events} events (seed ${opts.seed}) into ${trace}…\n`);
  await writeTrace(trace, { events: opts.events, seed: opts.seed });
}
const bytes = statSync(trace).size;

/** The ceiling: read in 1 MiB chunks, split at '\n' with indexOf, JSON.parse every line. */
async function bare() {
  let n = 0;
  let carry = '';
  for await (const chunk of createReadStream(trace, { highWaterMark: 1 << 20 })) {
    const text = carry + chunk.toString('utf8');
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      if (nl > pos) {
        JSON.parse(text.slice(pos, nl));
        n++;
      }
      pos = nl + 1;
    }
    carry = text.slice(pos);
  }
  if (carry.length > 0) {
    JSON.parse(carry);
    n++;
  }
  return n;
}

/** Peregrine: source → decoder → state, every event applied. */
async function pipeline() {
  const input = await openInput({ path: trace, format: 'native' });
  const tracker = new StateTracker();
  let n = 0;
  await forEachEvent(input, tracker, () => {
    n++;
  });
  if (input.decoder.stats.bad !== 0) throw new Error(`${input.decoder.stats.bad} bad records in the trace`);
  return { n, state: tracker.stats() };
}

async function time(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { r, s: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const fmt = (x) => `${(x / 1e6).toFixed(2)} M ev/s`;
let bestBare = 0;
let bestPipe = 0;
let events = 0;
let state;
// Warm-up (JIT), then alternate so both see the same machine conditions.
await bare();
await pipeline();
for (let round = 1; round <= opts.rounds; round++) {
  const b = await time(bare);
  const p = await time(pipeline);
  events = p.r.n;
  state = p.r.state;
  if (b.r !== events) throw new Error(`line count mismatch: bare ${b.r}, pipeline ${events}`);
  bestBare = Math.max(bestBare, events / b.s);
  bestPipe = Math.max(bestPipe, events / p.s);
  process.stdout.write(`round ${round}: bare read+JSON.parse ${fmt(events / b.s)} (${b.s.toFixed(2)} s) | decode+state ${fmt(events / p.s)} (${p.s.toFixed(2)} s)\n`);
}
process.stdout.write(`state after a run: ${state.processes} processes, ${state.threads} threads, ${state.containers} containers, ${state.exits} exits\n`);
process.stdout.write(`decode+state ${fmt(bestPipe)} vs bare read+JSON.parse ${fmt(bestBare)} = ${(bestPipe / bestBare).toFixed(2)}x of the ceiling `
  + `(${events} events, ${(bytes / 1e6).toFixed(0)} MB, best of ${opts.rounds}, node ${process.version})\n`);
