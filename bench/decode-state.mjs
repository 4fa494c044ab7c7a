#!/usr/bin/env node
// Decode + state throughput against its ceiling, in one run, for the native format and the flat
// Falco-field JSON format. For each format's trace it measures:
//   split        bare read (1 MiB chunks) + cut into line strings — no parsing
//   ceiling      bare read + split + JSON.parse of every line (what no JSON ingester can beat)
//   decode       Peregrine's source → line splitter → decoder (forEachEvent with a no-op state)
//   decode+state the same plus the state tracker (forEachEvent, as the CLI runs it)
// Each is reported as events/s and as a ratio of the same format's ceiling, by wall time and by the
// process's CPU time (user + system over all its threads: less disturbed by neighbours on a shared
// machine, and what "one core" pays). Measurements alternate and each is repeated --rounds times;
// the best is kept (compare ratios within one run, never absolute numbers across runs). Runs
// against dist/ (npm run build).
//
// Traces: the native trace is generated (bench/gen-trace.mjs, seeded); the flat trace is that trace
// replayed through `peregrine events` with the field set of the sysdig/Falco field-JSON samples in
// ../shared/data (about 75 keys per line, evt.time as integer nanoseconds beyond 2^53).
//
//   node bench/decode-state.mjs [--events 1000000] [--seed 42] [--rounds 3] [--formats native,flat]
//                               [--trace FILE] [--flat-trace FILE] [--dist DIR]
//
// The last line is a one-line summary with the ratios.

import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTrace } from './gen-trace.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = 'Usage: node bench/decode-state.mjs [--events N] [--seed S] [--rounds R] [--formats native,flat] [--trace FILE] [--flat-trace FILE] [--dist DIR]\n';
const opts = { events: 1_000_000, seed: 42, trace: undefined, flatTrace: undefined, rounds: 3, formats: ['native', 'flat'], dist: join(ROOT, 'dist') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--events') opts.events = Number(argv[++i]);
  else if (a === '--dist') opts.dist = resolve(argv[++i]);
  else if (a === '--seed') opts.seed = Number(argv[++i]);
  else if (a === '--trace') opts.trace = argv[++i];
  else if (a === '--flat-trace') opts.flatTrace = argv[++i];
  else if (a === '--rounds') opts.rounds = Number(argv[++i]);
  else if (a === '--formats') opts.formats = argv[++i].split(',');
  else {
    process.stderr.write(`unknown option ${a}\n${USAGE}`);
    process.exit(2);
  }
}
if (opts.formats.some((f) => f !== 'native' && f !== 'flat')) {
  process.stderr.write(`--formats takes native and/or flat\n${USAGE}`);
  process.exit(2);
}
// --dist runs another build (e.g. a copy of dist/ from an earlier commit) for before/after figures.
const dist = (p) => join(opts.dist, p);
if (!existsSync(dist('cli/inputs.js'))) {
  process.stderr.write(`bench/decode-state.mjs: ${opts.dist} is missing — run \`npm run build\` first\n`);
  process.exit(2);
}
const { openInput, forEachEvent } = await import(dist('cli/inputs.js'));
const { StateTracker } = await import(dist('state/tracker.js'));

/** The keys of the falco-fields samples in ../shared/data/sysdig-json-from-scap. */
const FLAT_FIELDS = [
  'container.id', 'container.image', 'container.image.repository', 'container.image.tag', 'container.name',
  'container.privileged', 'evt.arg.domain', 'evt.arg.fd', 'evt.arg.flags', 'evt.arg.name', 'evt.arg.newpath',
  'evt.arg.oldpath', 'evt.arg.request', 'evt.arg.target', 'evt.arg.uid', 'evt.args', 'evt.category', 'evt.cpu',
  'evt.dir', 'evt.failed', 'evt.is_open_exec', 'evt.is_open_read', 'evt.is_open_write', 'evt.num', 'evt.rawres',
  'evt.res', 'evt.time', 'evt.type', 'fd.cip', 'fd.connected', 'fd.cport', 'fd.directory', 'fd.filename',
  'fd.l4proto', 'fd.lip', 'fd.lport', 'fd.name', 'fd.name_changed', 'fd.num', 'fd.rip', 'fd.rport', 'fd.sip',
  'fd.sip.name', 'fd.sockfamily', 'fd.sport', 'fd.type', 'fd.typechar', 'group.gid', 'group.name', 'k8s.ns.name',
  'k8s.pod.name', 'proc.aname[2]', 'proc.aname[3]', 'proc.args', 'proc.cmdline', 'proc.cwd', 'proc.duration',
  'proc.exe', 'proc.exepath', 'proc.name', 'proc.pcmdline', 'proc.pid', 'proc.pname', 'proc.ppid', 'proc.sid',
  'proc.sname', 'proc.tty', 'proc.vpgid', 'proc.vpid', 'thread.tid', 'thread.vtid', 'user.loginname',
  'user.loginuid', 'user.name', 'user.uid',
];

const nativeTrace = opts.trace ?? join(ROOT, 'bench', 'out', `trace-${opts.events}-${opts.seed}.jsonl`);
if (!existsSync(nativeTrace)) {
  process.stderr.write(`generating ${opts.events} events (seed ${opts.seed}) into ${nativeTrace}…\n`);
  await writeTrace(nativeTrace, { events: opts.events, seed: opts.seed });
}

/** The native trace as flat field JSON, through the CLI's events command (written once, then reused). */
async function makeFlatTrace(from, to) {
  process.stderr.write(`writing the flat field-JSON form of ${from} into ${to}…\n`);
  const tmp = `${to}.tmp`;
  const out = createWriteStream(tmp);
  const child = spawn(process.execPath, [dist('cli/main.js'), 'events', '--format', 'native', '--fields', FLAT_FIELDS.join(','), from],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pipe(out);
  const code = await new Promise((resolve) => child.on('close', resolve));
  await new Promise((resolve) => out.close(resolve));
  if (code !== 0) throw new Error(`peregrine events exited with ${code}`);
  renameSync(tmp, to);
}

let flatTrace;
if (opts.formats.includes('flat')) {
  flatTrace = opts.flatTrace ?? join(ROOT, 'bench', 'out', `flat-${opts.events}-${opts.seed}.jsonl`);
  if (!existsSync(flatTrace)) await makeFlatTrace(nativeTrace, flatTrace);
}

/** Bare read + split into line strings; `parse` adds JSON.parse of every line (the ceiling). */
async function bare(path, parse) {
  let n = 0;
  let carry = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = carry + chunk.toString('utf8');
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      if (nl > pos) {
        const line = text.slice(pos, nl);
        if (parse) JSON.parse(line);
        n++;
      }
      pos = nl + 1;
    }
    carry = text.slice(pos);
  }
  if (carry.length > 0) {
    if (parse) JSON.parse(carry);
    n++;
  }
  return { n };
}

const NO_STATE = { apply() {} };

/** Peregrine's input pipeline: source → splitter → decoder (→ state when `withState`). */
async function pipeline(path, format, withState) {
  const input = await openInput({ path, format });
  const tracker = withState ? new StateTracker() : NO_STATE;
  let n = 0;
  await forEachEvent(input, tracker, () => {
    n++;
  });
  if (input.decoder.stats.bad !== 0) throw new Error(`${input.decoder.stats.bad} bad records in ${path}`);
  return { n, state: withState ? tracker.stats() : undefined };
}

/** Wall time, and CPU time of the whole process (user + system, every thread: GC helpers, I/O). */
async function time(fn) {
  globalThis.gc?.();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { r, wall, cpu: (c.user + c.system) / 1e6 };
}

const STEPS = ['split', 'ceiling', 'decode', 'decode+state'];
const fmtRate = (x) => `${(x / 1e6).toFixed(3)} M ev/s`;
const summary = [];

for (const name of opts.formats) {
  const path = name === 'native' ? nativeTrace : flatTrace;
  const format = name === 'native' ? 'native' : 'falco-json';
  const mb = statSync(path).size / 1e6;
  const run = {
    split: () => bare(path, false),
    ceiling: () => bare(path, true),
    decode: () => pipeline(path, format, false),
    'decode+state': () => pipeline(path, format, true),
  };
  process.stdout.write(`\n${name} (${format}): ${path} (${mb.toFixed(0)} MB)\n`);
  // Warm-up (JIT) once, then alternate so every step sees the same machine conditions.
  for (const step of STEPS) await run[step]();
  const wall = Object.fromEntries(STEPS.map((s) => [s, 0]));
  const cpu = Object.fromEntries(STEPS.map((s) => [s, 0]));
  let events = 0;
  let state;
  for (let round = 1; round <= opts.rounds; round++) {
    const parts = [];
    for (const step of STEPS) {
      const t = await time(run[step]);
      if (events === 0) events = t.r.n;
      if (t.r.n !== events) throw new Error(`${name} ${step}: ${t.r.n} events, expected ${events}`);
      if (t.r.state !== undefined) state = t.r.state;
      wall[step] = Math.max(wall[step], events / t.wall);
      cpu[step] = Math.max(cpu[step], events / t.cpu);
      parts.push(`${step} ${t.wall.toFixed(2)} s (cpu ${t.cpu.toFixed(2)})`);
    }
    process.stdout.write(`  round ${round}: ${parts.join(' | ')}\n`);
  }
  process.stdout.write(`  ${''.padEnd(13)} ${'wall'.padStart(14)}  ${'ratio'.padStart(5)}   ${'cpu'.padStart(14)}  ${'ratio'.padStart(5)}\n`);
  for (const step of STEPS) {
    process.stdout.write(`  ${step.padEnd(13)} ${fmtRate(wall[step]).padStart(14)}  ${(wall[step] / wall.ceiling).toFixed(2).padStart(5)}x  `
      + `${fmtRate(cpu[step]).padStart(14)}  ${(cpu[step] / cpu.ceiling).toFixed(2).padStart(5)}x\n`);
  }
  process.stdout.write(`  state after a run: ${state.processes} processes, ${state.threads} threads, ${state.containers} containers, ${state.exits} exits\n`);
  const r = (t, s) => (t[s] / t.ceiling).toFixed(2);
  summary.push(`${name} decode+state ${r(wall, 'decode+state')}x wall / ${r(cpu, 'decode+state')}x cpu (decode ${r(wall, 'decode')}x / ${r(cpu, 'decode')}x)`);
}

process.stdout.write(`\n${summary.join('; ')} — ${opts.dist === join(ROOT, 'dist') ? '' : `${opts.dist}: `}ratios of each format's read+JSON.parse ceiling, ${opts.events} events, best of ${opts.rounds}, node ${process.version}\n`);
