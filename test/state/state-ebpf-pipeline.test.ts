// The eBPF sensor's records through the whole live path: bpftrace messages (as sensor/peregrine.bt
// prints them) → SensorAdapter → native decoder → state tracker, observed through the fields rules
// use. Checks the state effects of the sensor's exact event shapes: fork pairs (two events, the
// parent's first), failed execs, chdir/fchdir with the kernel's cwd, relative paths with the cwd or
// the dirfd's path the sensor read.
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/decode/index.js';
import type { SyscallEvent } from '../../src/event/types.js';
import { CgroupPaths } from '../../src/ingest/ebpf-cgroups.js';
import { SensorAdapter } from '../../src/ingest/ebpf-protocol.js';
import { normalizePath, resolvePath } from '../../src/state/paths.js';
import { StateTracker } from '../../src/state/tracker.js';
import { fields } from '../helpers/events.js';

const pf = (head: string, tail = ''): string => JSON.stringify({ type: 'printf', data: `${head}|${tail}` }).replace('{"type":"printf","data":', '{"type": "printf", "data": ').replace(/}$/, '}');

function commHex(name: string): [string, string] {
  const b = Buffer.alloc(16);
  b.write(name, 'utf8');
  return [b.readBigUInt64LE(0).toString(16), b.readBigUInt64LE(8).toString(16)];
}

/** Builds sensor messages with advancing timestamps and runs them through the live path. */
class Sensor {
  private ts = 1_000_000_000;
  readonly lines: string[] = [];
  private readonly adapter = new SensorAdapter({
    epochOffset: { sec: 1_700_000_000, nsec: 0 }, chunk: 143, ignorePids: new Set<number>(),
    cgroups: new CgroupPaths({ minIntervalMs: 1e9 }), reorderWindowNs: 0,
  }, (l) => this.lines.push(l));

  constructor() {
    this.adapter.markReady(0);
  }

  private push(m: string): void {
    this.adapter.push(m);
  }

  /** The thread's identity (P). */
  id(tid: number, comm: string, ppid: number, pid = tid): void {
    const [c0, c1] = commHex(comm);
    this.push(pf(`P ${tid} ${this.ts} ${pid} ${ppid} 0 0 0 ${c0} ${c1}`));
  }

  /** Path components, leaf first, for slot 3 (cwd), 4 (dirfd path) or 6 (exe). */
  private walk(tid: number, slot: number, path: string): void {
    const comps = path.split('/').filter((c) => c !== '').reverse();
    if (comps.length === 0) this.push(pf(`S ${tid} ${this.ts} ${slot} 1`));
    for (const c of comps) this.push(pf(`S ${tid} ${this.ts} ${slot} 0`, c));
  }

  exec(tid: number, res: number, argv: string[], exe?: string, cwd?: string): void {
    this.ts += 1000;
    for (const a of argv) this.push(pf(`S ${tid} ${this.ts} 7 0`, a));
    if (exe !== undefined) this.walk(tid, 6, exe);
    if (cwd !== undefined) this.walk(tid, 3, cwd);
    this.push(pf(`X 50 ${tid} ${this.ts} ${res} -100 0 1000 ${tid} ${tid} ${tid} ${tid} 0 1ff 1ff 0`));
  }

  /** An E record; `cwd`/`dirpath` as the sensor walks them for a relative path. */
  e(kind: number, tid: number, res: number, a: [number, number, number, number], p0 = '', walk: { cwd?: string; dirpath?: string } = {}): void {
    this.ts += 1000;
    if (walk.cwd !== undefined) this.walk(tid, 3, walk.cwd);
    if (walk.dirpath !== undefined) this.walk(tid, 4, walk.dirpath);
    this.push(pf(`E ${kind} ${tid} ${this.ts} ${res} ${a.join(' ')}`, p0));
  }

  fork(tid: number, child: number, flags = 17): void {
    this.ts += 1000;
    this.push(pf(`F 72 ${tid} ${this.ts} ${child} ${flags} ${(flags & 0x10000) !== 0 ? tid : child}`));
  }

  /** Decodes and applies everything; field snapshots after each event. */
  run(names: readonly string[]): { events: SyscallEvent[]; snaps: Record<string, unknown>[]; tracker: StateTracker } {
    this.adapter.release();
    const decoder = createDecoder('native');
    const tracker = new StateTracker();
    const events: SyscallEvent[] = [];
    const snaps: Record<string, unknown>[] = [];
    this.lines.forEach((l, i) => {
      const ev = decoder.decode(l, i + 1);
      if (ev === undefined) throw new Error(`undecodable: ${l}`);
      tracker.apply(ev);
      events.push(ev);
      snaps.push({ type: ev.type, ...fields(ev, names) });
    });
    return { events, snaps, tracker };
  }
}

const O_DIRECTORY = 0o200000;

describe('eBPF records through decode and state', () => {
  it('a fork pair: the child inherits the parent’s image, cwd and fds (dup of an inherited fd)', () => {
    const s = new Sensor();
    s.id(100, 'bash', 1);
    s.exec(100, 0, ['bash', '-i'], '/usr/bin/bash', '/home/u');
    s.e(2, 100, 3, [0, 0, -100, -100], 'notes.txt', { cwd: '/home/u' });
    s.fork(100, 101);
    s.id(101, 'bash', 100);
    s.e(37, 101, 5, [3, 0, 0, -1]);
    const { snaps } = s.run(['proc.pid', 'proc.name', 'proc.cmdline', 'proc.exepath', 'proc.cwd', 'proc.pname', 'proc.ppid', 'fd.num', 'fd.name']);
    expect(snaps.map((x) => x['type'])).toEqual(['execve', 'openat', 'fork', 'fork', 'dup']);
    expect(snaps[1]).toMatchObject({ 'fd.num': 3, 'fd.name': '/home/u/notes.txt' });
    expect(snaps[3]).toMatchObject({ 'proc.pid': 101, 'proc.ppid': 100, 'proc.name': 'bash', 'proc.pname': 'bash' });
    expect(snaps[4]).toEqual({
      type: 'dup', 'proc.pid': 101, 'proc.name': 'bash', 'proc.cmdline': 'bash -i', 'proc.exepath': '/usr/bin/bash', 'proc.cwd': '/home/u',
      'proc.pname': 'bash', 'proc.ppid': 100, 'fd.num': 5, 'fd.name': '/home/u/notes.txt',
    });
  });

  it('a failed execve leaves the process image (name, exe, args, exepath) as it was; a later one replaces it', () => {
    const s = new Sensor();
    s.id(200, 'sh', 1);
    s.exec(200, 0, ['sh', '-c', 'x'], '/usr/bin/dash', '/');
    s.exec(200, -2, ['/nonexistent', 'arg']);
    s.e(37, 200, 4, [1, 0, 0, -1]);
    s.id(200, 'cat', 1);
    s.exec(200, 0, ['cat', '/etc/hostname'], '/usr/bin/cat', '/');
    const { snaps } = s.run(['proc.name', 'proc.exe', 'proc.cmdline', 'proc.exepath', 'evt.res', 'evt.failed']);
    const before = { 'proc.name': 'sh', 'proc.exe': 'sh', 'proc.cmdline': 'sh -c x', 'proc.exepath': '/usr/bin/dash' };
    expect(snaps[1]).toEqual({ type: 'execve', ...before, 'evt.res': 'ENOENT', 'evt.failed': true });
    expect(snaps[2]).toMatchObject(before);
    expect(snaps[3]).toMatchObject({ 'proc.name': 'cat', 'proc.cmdline': 'cat /etc/hostname', 'proc.exepath': '/usr/bin/cat' });
  });

  it('chdir to a relative path: the cwd is the kernel’s, not the path joined twice; fchdir too', () => {
    const s = new Sensor();
    s.id(300, 'bash', 1);
    s.exec(300, 0, ['bash'], '/usr/bin/bash', '/home/u');
    s.e(13, 300, 0, [0, 0, 0, -100], 'src', { cwd: '/home/u/src' });
    s.e(37, 300, 4, [1, 0, 0, -1]);
    s.e(13, 300, -2, [0, 0, 0, -100], 'nope');
    s.e(2, 300, 5, [O_DIRECTORY, 0, -100, -100], '/var/log');
    s.e(14, 300, 0, [5, 0, 0, -100], '', { cwd: '/var/log' });
    s.e(37, 300, 6, [1, 0, 0, -1]);
    const { snaps } = s.run(['proc.cwd']);
    expect(snaps.map((x) => `${String(x['type'])} ${String(x['proc.cwd'])}`)).toEqual([
      'execve /home/u', 'chdir /home/u/src', 'dup /home/u/src', 'chdir /home/u/src', 'openat /home/u/src', 'fchdir /var/log', 'dup /var/log',
    ]);
  });

  it('a relative path with a dirfd is resolved against the directory the sensor read (dirfd opened before start)', () => {
    const s = new Sensor();
    s.id(400, 'python3', 1);
    s.e(2, 400, 3, [0, 0, 7, 7], 'passwd', { dirpath: '/etc' });
    s.e(2, 400, 4, [0, 0, 7, 7], '../var/./log/../x', { dirpath: '/etc' });
    s.e(14, 400, 0, [7, 0, 0, -100], '', { cwd: '/etc' });
    const { snaps } = s.run(['fd.num', 'fd.name', 'fd.nameraw', 'proc.cwd']);
    expect(snaps[0]).toMatchObject({ 'fd.num': 3, 'fd.name': '/etc/passwd', 'fd.nameraw': 'passwd' });
    expect(snaps[1]).toMatchObject({ 'fd.num': 4, 'fd.name': '/var/x', 'fd.nameraw': '../var/./log/../x' });
    expect(snaps[2]).toMatchObject({ 'proc.cwd': '/etc' });
  });
});

describe('path normalisation on hostile input', () => {
  it('is linear: long runs of "..", ".", "//" resolve quickly and never climb above /', () => {
    const s = new Sensor();
    s.id(500, 'evil', 1);
    s.e(2, 500, 3, [0, 0, 7, 7], `${'../'.repeat(200_000)}etc/shadow`, { dirpath: '/var/lib' });
    s.e(2, 500, 4, [0, 0, -100, -100], `${'.//'.repeat(100_000)}${'a/../'.repeat(100_000)}x`, { cwd: '/tmp' });
    const t0 = performance.now();
    const { snaps } = s.run(['fd.name']);
    expect(snaps.map((x) => x['fd.name'])).toEqual(['/etc/shadow', '/tmp/x']);
    const deep = `/${'d/'.repeat(500_000)}e`;
    const up = resolvePath(`${'x/../'.repeat(200_000)}..`, deep);
    expect(up === `/${'d/'.repeat(499_999)}d`).toBe(true);
    expect(normalizePath(`/${'/./..'.repeat(300_000)}/a`)).toBe('/a');
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
