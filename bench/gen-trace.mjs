#!/usr/bin/env node
// A reproducible synthetic trace in Peregrine's native format (schema/native-event.schema.json):
// process trees (sessions of shells forking and exec'ing tools, services with worker threads,
// containers on kubepods cgroups), file opens/reads/closes, network connects/sends/accepts, exits.
// The same --seed and --events give byte-identical output.
//
//   node bench/gen-trace.mjs --events 1000000 --seed 42 [--match-share 0.01] --out bench/out/trace.jsonl
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

/** Files a benign process opens when the share of matches is controlled: nothing sensitive. */
const BENIGN_FILES = FILES.filter((f) => f !== '/etc/shadow');
/**
 * The processes whose network activity no upstream rule flags ("System procs network activity" covers
 * coreutils-like binaries, daemons and web servers).
 */
const NETWORK_COMMS = new Set(['curl', 'python3', 'git']);
/** Web servers: upstream rules flag the tools they spawn ("Web Server Spawned Suspicious Child Process"). */
const WEB_SERVERS = new Set(['nginx']);

/**
 * Lines of a trace. Options: events (count), seed, startNs (bigint, first timestamp), matchShare.
 * The shape: a pool of live processes; each step picks an action weighted by kind.
 *
 * matchShare (0–1, optional) controls how many events match a rule. Without it the trace is the
 * historical mix, where about 5 % of events match upstream rules by chance (writes to /etc, reads of
 * /etc/shadow, system daemons on the network). With it, the random actions are benign (no
 * /etc/shadow, writes only below /tmp, network only from curl, python3 and git, web servers spawn
 * nothing) and, before each step, with
 * probability matchShare one deliberate match is inserted: a tool reading /etc/shadow ("Read
 * sensitive file untrusted" in the upstream stable rules). Decided by a second random stream, so
 * the rest of the trace keeps its shape.
 */
export function* traceLines({ events = 1_000_000, seed = 42, startNs = 1_732_662_000_000_000_000n, matchShare = undefined } = {}) {
  const r = rng(seed);
  const controlled = matchShare !== undefined;
  const rMatch = rng(seed ^ 0x5bd1e995);
  let ts = startNs;
  let num = 0;
  /** Lines handed out: a batch is cut at `events` line by line (its numbers are assigned before). */
  let emitted = 0;
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
    if (emitted >= events) return;
    emitted++;
    yield l;
  }
  while (emitted < events) {
    if (controlled && rMatch() < matchShare) {
      // The most recent `cat` that can open one more file reads /etc/shadow (successfully: only
      // successful opens match). Until a cat exists, no match is inserted.
      let tool;
      for (let i = live.length - 1; i >= 0 && tool === undefined; i--) if (live[i].comm === 'cat' && live[i].fds.length < MAX_OPEN) tool = live[i];
      if (tool !== undefined) {
        const l = line({ type: 'openat', pid: tool.pid, comm: tool.comm, res: allocFd(tool, true), args: { dirfd: -100, name: '/etc/shadow', flags: O_RDONLY | O_CLOEXEC, mode: 0 } });
        if (emitted >= events) return;
        emitted++;
        yield l;
        continue;
      }
    }
    const p = live[Math.floor(r() * live.length)];
    const dice = r();
    let batch;
    if (controlled && dice < 0.06 && WEB_SERVERS.has(p.comm)) {
      batch = [line({ type: 'nanosleep', pid: p.pid, comm: p.comm, res: 0 })];
    } else if (dice < 0.06 && live.length < 2000) {
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
      let name = controlled ? BENIGN_FILES[Math.floor(r() * BENIGN_FILES.length)] : FILES[Math.floor(r() * FILES.length)];
      const write = r() < 0.2;
      if (controlled && write) name = '/tmp/work.txt';
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
    } else if (controlled && dice >= 0.8 && !NETWORK_COMMS.has(p.comm)) {
      batch = [line({ type: 'nanosleep', pid: p.pid, comm: p.comm, res: 0 })];
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
      if (emitted >= events) return;
      emitted++;
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
    else if (a === '--match-share') opts.matchShare = Number(argv[++i]);
    else if (a === '-h' || a === '--help') {
      process.stdout.write('Usage: node bench/gen-trace.mjs [--events N] [--seed S] [--match-share 0..1] [--out FILE]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(opts.events) || opts.events <= 0) throw new Error('--events must be a positive integer');
  if (opts.matchShare !== undefined && !(opts.matchShare >= 0 && opts.matchShare <= 1)) throw new Error('--match-share must be a number from 0 to 1');
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
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`gen-trace: ${err.message}\nUsage: node bench/gen-trace.mjs [--events N] [--seed S] [--match-share 0..1] [--out FILE]\n`);
    process.exit(2);
  }
  const bytes = await writeTrace(opts.out, opts);
  process.stdout.write(`wrote ${opts.events} events (${(bytes / 1e6).toFixed(1)} MB) to ${opts.out}\n`);
}
