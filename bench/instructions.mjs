#!/usr/bin/env node
// Scenario 9 — instructions per record, stage by stage: the cost of each pipeline stage counted in
// machine instructions by valgrind's callgrind, under `node --predictable` (V8 without concurrent
// compilation or GC threads and without time-based heuristics) with fixed hash and random seeds.
// It does not see cache misses, which the timed scenarios do.
//
// Stages, each including the ones before it (bench/_instructions-workload.mjs):
//   parse   JSON.parse of every line: the work of scenario 4's ceiling (without reading the file)
//   decode  the native decoder, every record parsed (no type filter)
//   state   + the state tracker
//   stable  + the engine over falco_rules.yaml's enabled rules
//   rules   + the engine over the stable, incubating and sandbox files' enabled rules
//   alerts  + each match formatted as a Falco JSON alert
// Per record = (Ir of WARM + 4 rounds − Ir of WARM rounds) ÷ (4 × records): start-up, rule loading
// and the JIT's warm-up (the first WARM rounds, default 2) cancel out. Each stage's increment over
// the one before is its own cost; the ratio parse ÷ rules is what scenario 4's ratio would be with
// free file reading and free outputs.
// How repeatable: parse, decode and state count the same to ±0.5 % run after run, whatever else the
// shared machine is doing (timed runs here spread by up to 45 %). The rule stages, with the compiled
// rules in the heap, spread by a few % (old-generation collections fall unevenly into the measured
// window): judge a change there by several runs. Between settings of --warm the state stage moves
// by up to ~10 %: compare builds at one setting.
// --compare DIR counts another build (a dist/ directory) on the same trace and prints the change.
// Needs valgrind (Debian package valgrind). Usage:
//   node bench/instructions.mjs [records] [--compare DIR] [--stages parse,decode,…] [--warm ROUNDS]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTrace } from './gen-trace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAGES = ['parse', 'decode', 'state', 'stable', 'rules', 'alerts'];
const argv = process.argv.slice(2);
const positional = [];
let compareDir;
let stages = STAGES;
let warmArg;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--compare') compareDir = resolve(argv[++i] ?? '');
  else if (argv[i] === '--stages') stages = (argv[++i] ?? '').split(',');
  else if (argv[i] === '--warm') warmArg = Number(argv[++i]);
  else positional.push(argv[i]);
}
for (const s of stages) {
  if (!STAGES.includes(s)) {
    console.error(`instructions: unknown stage ${JSON.stringify(s)} (stages: ${STAGES.join(', ')})`);
    process.exit(2);
  }
}
const N = Number(positional[0] ?? 20_000);
if (!(Number.isInteger(N) && N > 0)) {
  console.error(`instructions: records must be a whole number above 0, got ${JSON.stringify(positional[0])}`);
  process.exit(2);
}
/** Rounds whose instructions are subtracted: start-up, rule loading and the JIT's warm-up. */
const WARM = warmArg ?? 2;
/** Rounds measured: the garbage collector works in lumps, which more rounds average out. */
const MEASURED = 4;
if (!(Number.isInteger(WARM) && WARM >= 1)) {
  console.error('instructions: --warm must be a whole number of rounds, at least 1');
  process.exit(2);
}
const rulesDir = join(root, '..', 'shared', 'compat', 'falco-rules');
if (spawnSync('valgrind', ['--version']).error !== undefined) {
  console.log('instructions: SKIPPED — valgrind is not installed (Debian package valgrind)');
  process.exit(0);
}
if (stages.some((s) => STAGES.indexOf(s) >= 3) && !existsSync(rulesDir)) {
  console.log('instructions: SKIPPED — ../shared/compat (the upstream rules) is not present');
  process.exit(0);
}
const builds = [join(root, 'dist'), ...(compareDir === undefined ? [] : [compareDir])];
for (const d of builds) {
  if (!existsSync(join(d, 'engine', 'engine.js'))) {
    console.error(`instructions: ${d} is missing — run \`npm run build\` first`);
    process.exit(2);
  }
}
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const trace = join(out, `instructions-trace-${N}.jsonl`);
if (!existsSync(trace)) await writeTrace(trace, { events: N, seed: 42 });

/** Instructions callgrind counted for one workload run, and the workload's own report. */
function count(dist, stage, rounds) {
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all-non-file',
    process.execPath, '--predictable', '--hash-seed=1', '--random-seed=1', join(root, 'bench', '_instructions-workload.mjs'), dist, stage, String(rounds), trace, rulesDir];
  return new Promise((res, rej) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => { stdout += b; });
    child.stderr.on('data', (b) => { stderr += b; });
    child.on('close', (code) => {
      const m = /Collected : (\d+)/.exec(stderr);
      if (code !== 0 || m === null) rej(new Error(`valgrind ${stage} ×${rounds} (${dist}) exited ${code}:\n${stderr.slice(-2000)}`));
      else res({ ir: Number(m[1]), report: JSON.parse(stdout.trim().split('\n').pop() ?? '{}') });
    });
  });
}

// Every (build, stage, rounds) run is independent: run as many at once as there are CPUs.
const jobs = [];
for (const dist of builds) for (const stage of stages) for (const rounds of [WARM, WARM + MEASURED]) jobs.push({ dist, stage, rounds });
const results = new Map();
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const job = jobs[next++];
    results.set(`${job.dist} ${job.stage} ${job.rounds}`, await count(job.dist, job.stage, job.rounds));
  }
}
const t0 = Date.now();
await Promise.all(Array.from({ length: Math.min(availableParallelism(), jobs.length) }, worker));

/** Per-record instructions of each stage for one build, and the workload's counts. */
function perRecord(dist) {
  const rows = new Map();
  for (const stage of stages) {
    const one = results.get(`${dist} ${stage} ${WARM}`);
    const more = results.get(`${dist} ${stage} ${WARM + MEASURED}`);
    rows.set(stage, { perRecord: (more.ir - one.ir) / (MEASURED * one.report.records), report: one.report });
  }
  return rows;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const tables = builds.map(perRecord);
console.log(`trace: ${N} records (gen-trace seed 42, historical mix); ${jobs.length} callgrind runs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
for (const [k, dist] of builds.entries()) {
  const rows = tables[k];
  console.log(`\n${dist}`);
  let before;
  for (const stage of stages) {
    const r = rows.get(stage);
    const inc = before === undefined ? '' : `  (+${fmt(r.perRecord - before)})`;
    const extra = r.report.candidates > 0 ? `  ${(r.report.candidates / r.report.records).toFixed(2)} candidates/record, ${r.report.matches} matches` : '';
    console.log(`  ${stage.padEnd(7)} ${fmt(r.perRecord).padStart(8)} instructions/record${inc}${extra}`);
    before = r.perRecord;
  }
}
if (compareDir !== undefined) {
  console.log('\nchange (this build vs --compare):');
  for (const stage of stages) {
    const a = tables[0].get(stage).perRecord;
    const b = tables[1].get(stage).perRecord;
    console.log(`  ${stage.padEnd(7)} ${fmt(a).padStart(8)} vs ${fmt(b).padStart(8)} = ${((a / b - 1) * 100).toFixed(1)} %`);
  }
}
const main = tables[0];
const summary = [];
for (const s of stages) summary.push(`${s} ${fmt(main.get(s).perRecord)}`);
let ratio = '';
if (main.has('parse') && main.has('rules')) ratio = `; parse ÷ rules = ${(main.get('parse').perRecord / main.get('rules').perRecord).toFixed(2)}×`;
let perCandidate = '';
if (main.has('state') && main.has('stable')) {
  const st = main.get('stable');
  perCandidate = `; stable conditions ${fmt((st.perRecord - main.get('state').perRecord) * st.report.records / st.report.candidates)} instructions per (event, candidate rule)`;
}
console.log(`instructions: per record ${summary.join(', ')}${ratio}${perCandidate}`);
