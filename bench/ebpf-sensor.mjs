// Benchmark: events per second the live eBPF sensor (sensor/peregrine.bt under bpftrace) turns into
// native JSON lines under a syscall-heavy workload — a child process opening and closing a file in
// a tight loop — and how many events the kernel drops because bpftrace does not keep up.
//
// Two phases: (1) the workload as fast as it goes, (2) the workload throttled to 60 % of what phase
// 1 delivered, to see whether that rate is sustained without loss. Needs root and `npm run build`.
// Prints a one-line summary last.
//
//   node bench/ebpf-sensor.mjs [seconds-per-phase]

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'ingest', 'ebpf.js');
if (!existsSync(dist)) {
  console.error('bench/ebpf-sensor: dist/ is missing — run `npm run build` first');
  process.exit(2);
}
const { startEbpfSensor } = await import(dist);
const { SensorPreflightError } = await import(join(root, 'dist', 'ingest', 'ebpf-preflight.js'));

const seconds = Number(process.argv[2] ?? 10);
const ticks = (pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100/s)
  } catch {
    return 0;
  }
};

/** A child that opens and closes /etc/hostname for `secs`, at most `rate` times a second (0 = no limit). */
function workload(secs, rate) {
  const code = `
    const fs = require('fs'); const end = Date.now() + ${secs * 1000}; const rate = ${rate};
    const sab = new Int32Array(new SharedArrayBuffer(4)); let n = 0; const t0 = Date.now();
    while (Date.now() < end) {
      for (let i = 0; i < 100; i++) { fs.closeSync(fs.openSync('/etc/hostname', 'r')); n++; }
      if (rate > 0) { const ahead = n / rate * 1000 - (Date.now() - t0); if (ahead > 0) Atomics.wait(sab, 0, 0, ahead); }
    }
    console.log(n);`;
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (b) => { out += b; });
    c.on('close', () => resolve({ pid: c.pid, opens: Number(out.trim()) }));
  });
}

let sensor;
try {
  sensor = startEbpfSensor({ ignorePids: [process.pid] });
} catch (err) {
  if (err instanceof SensorPreflightError) {
    console.error(`bench/ebpf-sensor: cannot run here —\n${err.problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(2);
  }
  throw err;
}
const perPid = new Map();
let total = 0;
const consume = (async () => {
  for await (const line of sensor.lines) {
    total++;
    // cheap pid extraction: the adapter writes "pid" right after "num"
    const i = line.indexOf('"pid":');
    const pid = Number(line.slice(i + 6, line.indexOf(',', i)));
    perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
  }
})();
const t0 = Date.now();
await sensor.ready;
console.log(`sensor ready after ${((Date.now() - t0) / 1000).toFixed(1)} s on ${cpus().length} CPUs (${sensor.stats().probes} probes)`);

async function phase(label, rate) {
  const before = { lost: sensor.stats().lost, total, bt: ticks(sensor.stats().pid), node: process.cpuUsage() };
  const started = Date.now(); // wall time includes draining the sensor after the workload
  const w = await workload(seconds, rate);
  // let the sensor drain what the kernel buffered: wait until the workload's count stops growing
  for (let quiet = 0, last = -1; quiet < 4;) {
    await new Promise((r) => setTimeout(r, 250));
    const n = perPid.get(w.pid) ?? 0;
    if (n === last) quiet++; else { quiet = 0; last = n; }
  }
  const wall = (Date.now() - started) / 1000;
  const s = sensor.stats();
  const seen = perPid.get(w.pid) ?? 0;
  const lost = s.lost - before.lost;
  const bt = (ticks(s.pid) - before.bt) / 100 / seconds;
  const node = process.cpuUsage(before.node);
  const r = {
    label, offered: w.opens / seconds, delivered: seen / seconds, seen, opens: w.opens, lost,
    all: (total - before.total) / wall, btCpu: bt, nodeCpu: (node.user + node.system) / 1e6 / seconds, wall,
  };
  console.log(`${label}: workload ${w.opens} opens (${Math.round(r.offered)}/s); sensor delivered ${seen} of them `
    + `(${Math.round(r.delivered)}/s, ${(100 * seen / Math.max(1, w.opens)).toFixed(1)} %), kernel dropped ${lost} events; `
    + `all processes: ${Math.round(r.all)} events/s over ${wall.toFixed(1)} s; bpftrace ${(100 * bt).toFixed(0)} % CPU, node ${(100 * r.nodeCpu).toFixed(0)} % CPU`);
  return r;
}

const max = await phase('phase 1 (unthrottled)', 0);
const steady = await phase('phase 2 (throttled to 60 %)', Math.max(1000, Math.round(max.delivered * 0.6)));
await sensor.stop();
await consume;
const s = sensor.stats();
console.log(`counters: ${JSON.stringify({ events: s.events, lost: s.lost, late: s.late, strayParts: s.strayParts, noIdentity: s.noIdentity, malformed: s.malformed })}`);
console.log(`ebpf-sensor: ${Math.round(max.delivered)} events/s delivered at full load (${max.lost} lost of ${max.opens} offered), `
  + `${Math.round(steady.delivered)} events/s sustained with ${steady.lost} lost; bpftrace ${(100 * max.btCpu).toFixed(0)} % CPU, node ${(100 * max.nodeCpu).toFixed(0)} % CPU at full load`);
