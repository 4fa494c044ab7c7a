#!/usr/bin/env node
// A reproducible synthetic trace in Peregrine's native format (schema/native-event.schema.json):
// process trees (sessions of shells forking and exec'ing tools, services with worker threads,
// containers on kubepods cgroups), file opens/reads/closes, network connects/sends/accepts, exits.
// The same --seed and --events give byte-identical output.
//
//   node bench/gen-trace.mjs --events 1000000 --seed 42 --out bench/out/trace.jsonl
//
// Library use (for other benchmarks): `import { traceLines } from './gen-trace.mjs'` — a generator
// of lines; extend SCENARIOS to add behaviours.

import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: small, fast, good enough for workload shapes. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOOLS = [
  ['/usr/bin/cat', ['cat', '/etc/hosts']], ['/usr/bin/ls', ['ls', '-la']], ['/usr/bin/grep', ['grep', '-r', 'TODO', '.']],
  ['/usr/bin/curl', ['curl', '-s', 'https://example.com']], ['/usr/bin/python3', ['python3', 'job.py']],
  ['/usr/bin/git', ['git', 'status']], ['/bin/ps', ['ps', 'aux']], ['/usr/bin/find', ['find', '/tmp', '-name', '*.log']],
];
const FILES = ['/etc/hosts', '/etc/passwd', '/etc/ld.so.cache', '/lib/x86_64-linux-gnu/libc.so.6', '/proc/self/status',
  '/var/log/app.log', '/tmp/work.txt', 'config.yaml', '../shared/data.bin', '/etc/shadow', '/usr/share/zoneinfo/UTC'];
const HOSTS = ['10.0.0.10', '10.0.0.11', '192.168.1.20', '93.184.216.34', '2001:db8::7', '172.17.0.3'];
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_CREAT = 0o100;
const O_CLOEXEC = 0o2000000;

/** The lowest free fd ≥ 3, as the kernel allocates them (`cloexec`: opened with O_CLOEXEC). */
function allocFd(p, cloexec = false) {
  let fd = 3;
  while (p.fds.includes(fd)) fd++;
  p.fds.push(fd);
  if (cloexec) p.cloexec.add(fd);
  else p.cloexec.delete(fd);
  return fd;
}

/** Processes keep a realistic handful of fds open. */
const MAX_OPEN = 48;

function hex64(r) {
  let s = '';
  for (let i = 0; i < 8; i++) s += Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
  return s;
}

/**
 * Lines of a trace. Options: events (count), seed, startNs (bigint, first timestamp).
 * The shape: a pool of live processes; each step picks an action weighted by kind.
 */
export function* traceLines({ events = 1_000_000, seed = 42, startNs = 1_732_662_000_000_000_000n } = {}) {
  const r = rng(seed);
  let ts = startNs;
  let num = 0;
  let nextPid = 1000;
  const containers = Array.from({ length: 8 }, () => hex64(r));
  /** live processes: { pid, comm, ppid, cgroup, fds: number[] (open), cloexec: Set<number> (of fds), threads: number[] } */
  const live = [];
  const line = (o) => {
    ts += BigInt(200 + Math.floor(r() * 5000));
    num++;
    return JSON.stringify({ ts: ts.toString(), num, ...o });
  };
  const spawn = (parent, exe, argv, cgroup) => {
    const pid = nextPid++;
    const comm = exe.slice(exe.lastIndexOf('/') + 1).slice(0, 15);
    // The child inherits the parent's fds; exec closes those opened with O_CLOEXEC (as the
    // tracker does from the open flags, so the generator's fd view and the engine's agree).
    const p = { pid, comm, ppid: parent.pid, cgroup, fds: parent.fds.filter((fd) => !parent.cloexec.has(fd)), cloexec: new Set(), threads: [] };
    live.push(p);
    return [
      line({ type: 'clone', pid: parent.pid, comm: parent.comm, res: pid, args: { flags: 0x1200011 } }),
      line({ type: 'clone', pid, ppid: parent.pid, comm: parent.comm, res: 0 }),
      line({ type: 'execve', pid, ppid: parent.pid, comm, res: 0, uid: r() < 0.3 ? 0 : 1000, exe, argv, cwd: '/home/dev',
        tty: r() < 0.5 ? 34816 : 0, cgroup }),
    ];
  };
  // The roots: init, sshd, containerd-shims with their containers' init.
  const init = { pid: 1, comm: 'systemd', ppid: 0, cgroup: '/init.scope', fds: [], cloexec: new Set(), threads: [] };
  live.push(init);
  const out = [line({ type: 'execve', pid: 1, comm: 'systemd', res: 0, exe: '/usr/lib/systemd/systemd', argv: ['/sbin/init'], cwd: '/', cgroup: '/init.scope', vpid: 1 })];
  out.push(...spawn(init, '/usr/sbin/sshd', ['/usr/sbin/sshd', '-D'], '/system.slice/ssh.service'));
  for (const id of containers) {
    const shim = live[live.length - 1];
    out.push(...spawn(init, '/usr/bin/containerd-shim-runc-v2', ['containerd-shim-runc-v2', '-id', id.slice(0, 12)], '/system.slice/containerd.service'));
    out.push(...spawn(live[live.length - 1] ?? shim, '/usr/sbin/nginx', ['nginx', '-g', 'daemon off;'],
      `/kubepods/burstable/pod${id.slice(0, 8)}-1111-2222-3333-${id.slice(8, 20)}/${id}`));
  }
  for (const l of out) {
    if (num > events) return;
    yield l;
  }
  while (num < events) {
    const p = live[Math.floor(r() * live.length)];
    const dice = r();
    let batch;
    if (dice < 0.06 && live.length < 2000) {
      const [exe, argv] = TOOLS[Math.floor(r() * TOOLS.length)];
      batch = spawn(p, exe, argv, p.cgroup);
    } else if (dice < 0.08 && p.pid !== 1 && live.length > 20) {
      live.splice(live.indexOf(p), 1);
      batch = [line({ type: 'procexit', pid: p.pid, comm: p.comm, args: { status: 0 } })];
    } else if (dice < 0.09 && p.threads.length < 8) {
      const tid = nextPid++;
      p.threads.push(tid);
      batch = [line({ type: 'clone', pid: p.pid, comm: p.comm, res: tid, args: { flags: 0x3d0f00 } })];
    } else if (dice < 0.45 && p.fds.length < MAX_OPEN) {
      const name = FILES[Math.floor(r() * FILES.length)];
      const write = r() < 0.2;
      const fail = r() < 0.05;
      const cloexec = r() < 0.5;
      const fd = fail ? -2 : allocFd(p, cloexec);
      batch = [line({ type: 'openat', pid: p.pid, comm: p.comm, res: fd,
        args: { dirfd: -100, name, flags: (write ? O_WRONLY | O_CREAT : O_RDONLY) | (cloexec ? O_CLOEXEC : 0), mode: write ? 0o644 : 0 } })];
    } else if (dice < 0.7 && p.fds.length > 0) {
      const fd = p.fds[Math.floor(r() * p.fds.length)];
      const tid = p.threads.length > 0 && r() < 0.3 ? p.threads[Math.floor(r() * p.threads.length)] : p.pid;
      batch = [line({ type: r() < 0.7 ? 'read' : 'write', pid: p.pid, tid, comm: p.comm, res: Math.floor(r() * 4096), args: { fd, size: 4096 } })];
    } else if ((dice < 0.8 || p.fds.length >= MAX_OPEN) && p.fds.length > 0) {
      const fd = p.fds.splice(Math.floor(r() * p.fds.length), 1)[0];
      batch = [line({ type: 'close', pid: p.pid, comm: p.comm, res: 0, args: { fd } })];
    } else if (dice < 0.9 && p.fds.length < MAX_OPEN) {
      const ip = HOSTS[Math.floor(r() * HOSTS.length)];
      const v6 = ip.includes(':');
      const fd = allocFd(p);
      const udp = r() < 0.3;
      batch = [
        line({ type: 'socket', pid: p.pid, comm: p.comm, res: fd, args: { domain: v6 ? 10 : 2, type: udp ? 2 : 1, proto: 0 } }),
        line({ type: 'connect', pid: p.pid, comm: p.comm, res: r() < 0.1 ? -111 : 0, args: { fd, addr: {
          family: v6 ? 'inet6' : 'inet', ip, port: udp ? 53 : 443, proto: udp ? 'udp' : 'tcp', local: { ip: v6 ? '2001:db8::1' : '10.0.0.2', port: 30000 + Math.floor(r() * 30000) },
        } } }),
      ];
    } else if (p.fds.length < MAX_OPEN) {
      const fd = allocFd(p);
      batch = [line({ type: 'accept4', pid: p.pid, comm: p.comm, res: fd, args: { addr: {
        family: 'inet', ip: `10.1.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`, port: 40000 + Math.floor(r() * 20000), proto: 'tcp', local: { ip: '10.0.0.2', port: 80 },
      } } })];
    } else {
      batch = [line({ type: 'nanosleep', pid: p.pid, comm: p.comm, res: 0 })];
    }
    for (const l of batch) {
      if (num > events) return;
      yield l;
    }
  }
}

function parseArgs(argv) {
  const opts = { events: 1_000_000, seed: 42, out: 'bench/out/trace.jsonl' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--events') opts.events = Number(argv[++i]);
    else if (a === '--seed') opts.seed = Number(argv[++i]);
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '-h' || a === '--help') {
      process.stdout.write('Usage: node bench/gen-trace.mjs [--events N] [--seed S] [--out FILE]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(opts.events) || opts.events <= 0) throw new Error('--events must be a positive integer');
  return opts;
}

/** Writes a trace file (with backpressure); resolves to its byte size. */
export async function writeTrace(path, options) {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  let bytes = 0;
  let buf = [];
  for (const l of traceLines(options)) {
    buf.push(l);
    if (buf.length >= 4096) {
      const chunk = `${buf.join('\n')}\n`;
      bytes += Buffer.byteLength(chunk);
      buf = [];
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    }
  }
  if (buf.length > 0) {
    const chunk = `${buf.join('\n')}\n`;
    bytes += Buffer.byteLength(chunk);
    out.write(chunk);
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return bytes;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = parseArgs(process.argv.slice(2));
  const bytes = await writeTrace(opts.out, opts);
  process.stdout.write(`wrote ${opts.events} events (${(bytes / 1e6).toFixed(1)} MB) to ${opts.out}\n`);
}
