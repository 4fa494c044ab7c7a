// eBPF sensor adapter – bpftrace JSON output of sensor/peregrine.bt in, native JSON lines out:
// escaping (bpftrace 0.17's high-byte quirk included), forgery attempts, record assembly, identity,
// cgroups, reordering across CPUs, truncation flags, drops and counters. No kernel needed: the
// lines are written the way bpftrace 0.17 writes them.
import { describe, expect, it } from 'vitest';
import { SensorAdapter, type AdapterOptions, type Identity } from '../../src/ingest/ebpf-protocol.js';
import { CgroupPaths } from '../../src/ingest/ebpf-cgroups.js';
import { loadNativeSchema, validate } from '../helpers/json-schema.js';

const schema = loadNativeSchema();
const CHUNK = 143;

/** Escapes bytes the way bpftrace 0.17's JSON output does (bytes >= 0x80 as \uffffffXX). */
function bpfEscape(bytes: Buffer | string): string {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  let s = '';
  for (const c of b) {
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c < 0x20) s += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0x80) s += `\\uffffff${c.toString(16).padStart(2, '0')}`;
    else s += String.fromCharCode(c);
  }
  return s;
}

/** One bpftrace printf line: numeric header, then an optional raw string after '|'. */
const pf = (head: string, tail: Buffer | string = ''): string => `{"type": "printf", "data": "${head}|${bpfEscape(tail)}"}`;

/** comm as the two hex words the sensor prints. */
function commHex(name: string): [string, string] {
  const b = Buffer.alloc(16);
  b.write(name, 'utf8');
  return [b.readBigUInt64LE(0).toString(16), b.readBigUInt64LE(8).toString(16)];
}

const P = (tid: number, ts: number, pid = tid, opts: { ppid?: number; uid?: number; gid?: number; cg?: string; comm?: string } = {}): string => {
  const [c0, c1] = commHex(opts.comm ?? 'cat');
  return pf(`P ${tid} ${ts} ${pid} ${opts.ppid ?? 1} ${opts.uid ?? 0} ${opts.gid ?? 0} ${opts.cg ?? '77'} ${c0} ${c1}`);
};
const S = (tid: number, ts: number, slot: number, flags: number, text: Buffer | string): string => pf(`S ${tid} ${ts} ${slot} ${flags}`, text);

function harness(over: Partial<AdapterOptions> = {}, ready = true): { a: SensorAdapter; out: Record<string, unknown>[]; raw: string[] } {
  const raw: string[] = [];
  const a = new SensorAdapter({
    epochOffset: { sec: 1_700_000_000, nsec: 500_000_000 },
    chunk: CHUNK,
    ignorePids: new Set<number>(),
    cgroups: new CgroupPaths({ minIntervalMs: 1e9 }),
    reorderWindowNs: 0,
    ...over,
  }, (line) => raw.push(line));
  if (ready) a.markReady(0);
  const out: Record<string, unknown>[] = [];
  return {
    a,
    raw,
    get out() {
      out.length = 0;
      for (const l of raw) out.push(JSON.parse(l) as Record<string, unknown>);
      return out;
    },
  };
}

function expectValid(ev: Record<string, unknown>): void {
  expect(validate(schema, ev)).toEqual([]);
}

describe('eBPF adapter – file events', () => {
  it('builds an openat event with the thread identity, epoch time and args; valid against the schema', () => {
    const h = harness();
    h.a.push(S(42, 1_000_000_001, 5, 0, 'cri-containerd-abc.scope'));
    h.a.push(S(42, 1_000_000_001, 5, 0, 'kubepods.slice'));
    h.a.push(P(42, 1_000_000_001, 40, { ppid: 7, uid: 1000, gid: 100, comm: 'cat' }));
    h.a.push(pf('E 2 42 1000000001 3 524288 0 -100 -100', '/etc/shadow'));
    expect(h.out).toEqual([{
      type: 'openat', ts: '1700000001500000001', num: 1, pid: 40, tid: 42, ppid: 7, comm: 'cat', uid: 1000, gid: 100, res: 3,
      cgroup: '/kubepods.slice/cri-containerd-abc.scope',
      args: { dirfd: -100, name: '/etc/shadow', flags: 524288, mode: 0 },
    }]);
    expectValid(h.out[0]!);
  });

  it('carries hostile bytes through exactly: quotes, backslashes, newlines, control bytes, UTF-8 and invalid bytes', () => {
    const h = harness();
    const name = Buffer.concat([Buffer.from('/tmp/a"b\\c\nd\re\tf\u0001g é €/'), Buffer.from([0xff, 0x41])]);
    h.a.push(P(5, 10));
    h.a.push(pf('E 2 5 10 3 0 0 -100 -100', name));
    expect(h.raw).toHaveLength(1);
    expect(h.out[0]!.args).toMatchObject({ name: '/tmp/a"b\\c\nd\re\tf\u0001g é €/\ufffdA' });
    expectValid(h.out[0]!);
  });

  it('cannot be made to forge events or fields by a file name or a comm', () => {
    const h = harness();
    const evil = 'x"},"type":"forged","pid":1}\n{"type":"forged","ts":"1","pid":1,"args":{"name":"';
    h.a.push(P(5, 10, 5, { comm: 'a"b\n{"c' }));
    h.a.push(pf('E 2 5 10 3 0 0 -100 -100', evil));
    h.a.push(S(5, 11, 1, 0, '|E 2 5 11 0 0 0 0 0|'));
    h.a.push(pf('E 7 5 11 0 0 0 0 -100', `|${evil}`));
    const out = h.out;
    expect(out.map((e) => e.type)).toEqual(['openat', 'rename']);
    expect(out[0]!.args).toMatchObject({ name: evil });
    expect(out[0]!.comm).toBe('a"b\n{"c');
    expect(out[1]!.args).toEqual({ oldpath: `|${evil}`, newpath: '|E 2 5 11 0 0 0 0 0|' });
  });

  it('adds the cwd a relative path was resolved against, and the dirfd directory as dirpath', () => {
    const h = harness();
    h.a.push(P(5, 10));
    h.a.push(S(5, 10, 3, 0, 'etc'));
    h.a.push(pf('E 2 5 10 3 0 0 -100 -100', 'hostname'));
    h.a.push(S(5, 11, 4, 0, 'log'));
    h.a.push(S(5, 11, 4, 0, 'var'));
    h.a.push(pf('E 6 5 11 0 0 0 4 4', 'old.log'));
    const [open, unlink] = h.out;
    expect(open).toMatchObject({ type: 'openat', cwd: '/etc', args: { name: 'hostname', dirfd: -100 } });
    expect(unlink).toMatchObject({ type: 'unlinkat', dirpath: '/var/log', args: { dirfd: 4, name: 'old.log', flags: 0 } });
    expectValid(open!);
    expectValid(unlink!);
  });

  it('reports the new cwd of chdir, "/" from the root marker, and flags a walk cut at its depth limit', () => {
    const h = harness();
    h.a.push(P(5, 10));
    h.a.push(S(5, 10, 3, 1, ''));
    h.a.push(pf('E 13 5 10 0 0 0 0 -100', '/'));
    h.a.push(S(5, 11, 3, 0, 'deep'));
    h.a.push(S(5, 11, 3, 4, ''));
    h.a.push(pf('E 13 5 11 0 0 0 0 -100', 'deep'));
    const [a, b] = h.out;
    expect(a).toMatchObject({ type: 'chdir', cwd: '/', args: { path: '/' } });
    expect(a!.trunc).toBeUndefined();
    expect(b).toMatchObject({ cwd: '/.../deep', trunc: ['cwd'] });
  });

  it('flags a string that filled the sensor buffer as possibly truncated (counting raw bytes, not escapes)', () => {
    const h = harness();
    h.a.push(P(5, 10));
    const full = `/${'a'.repeat(CHUNK - 1)}`;
    h.a.push(pf('E 2 5 10 3 0 0 -100 -100', full));
    const escapedButShort = `/${'"'.repeat(100)}`; // 101 raw bytes, 201 escaped characters
    h.a.push(pf('E 2 5 11 3 0 0 -100 -100', escapedButShort));
    const multibyte = `/${'é'.repeat(71)}`; // 143 raw bytes
    h.a.push(pf('E 2 5 12 3 0 0 -100 -100', multibyte));
    const [a, b, c] = h.out;
    expect(a!.trunc).toEqual(['args.name']);
    expect(b!.trunc).toBeUndefined();
    expect((b!.args as { name: string }).name).toBe(escapedButShort);
    expect(c!.trunc).toEqual(['args.name']);
    expect((c!.args as { name: string }).name).toBe(multibyte);
  });

  it('maps two- and three-string syscalls and fchmodat2 to Falco parameter names', () => {
    const h = harness();
    h.a.push(P(5, 10));
    h.a.push(S(5, 10, 1, 0, 'proc'));
    h.a.push(S(5, 10, 2, 0, 'proc'));
    h.a.push(pf('E 22 5 10 0 14 0 0 -100', '/mnt/x'));
    h.a.push(S(5, 11, 1, 0, '/etc/shadow'));
    h.a.push(pf('E 19 5 11 0 0 0 -100 -100', 'link'));
    h.a.push(pf('E 42 5 12 0 256 420 -100 -100', '/etc/x'));
    h.a.push(pf('E 9 5 13 -2 4294967196 7 1 4294967196', 'a'));
    const [mount, symlinkat, fchmodat, renameat2] = h.out;
    expect(mount!.args).toEqual({ dev: 'proc', dir: '/mnt/x', type: 'proc', flags: 14 });
    expect(symlinkat!.args).toEqual({ target: '/etc/shadow', linkdirfd: -100, linkpath: 'link' });
    expect(fchmodat).toMatchObject({ type: 'fchmodat', args: { dirfd: -100, filename: '/etc/x', mode: 420, flags: 256 } });
    expect(renameat2).toMatchObject({ type: 'renameat2', res: -2, args: { olddirfd: -100, oldpath: 'a', newdirfd: 7, flags: 1 } });
    for (const e of h.out) expectValid(e);
  });
});

describe('eBPF adapter – processes', () => {
  it('builds execve from argv chunks (joining only after a full chunk), exe, cwd, filename and process details', () => {
    const h = harness();
    const long = 'x'.repeat(CHUNK);
    h.a.push(P(9, 20, 9, { ppid: 8, comm: 'sh' }));
    h.a.push(S(9, 20, 7, 0, 'sh'));
    h.a.push(S(9, 20, 8, 0, 'garbage past the end of "sh"'));
    h.a.push(S(9, 20, 7, 0, '-c'));
    h.a.push(S(9, 20, 7, 0, long));
    h.a.push(S(9, 20, 8, 0, 'tail'));
    h.a.push(S(9, 20, 9, 0, '/bin/sh'));
    h.a.push(S(9, 20, 6, 0, 'dash'));
    h.a.push(S(9, 20, 6, 0, 'bin'));
    h.a.push(S(9, 20, 6, 0, 'usr'));
    h.a.push(S(9, 20, 3, 0, 'root'));
    h.a.push(pf('X 50 9 20 0 -100 0 4294967295 9 9 1 1 34816 1fffeffffff 1fffeffffff 0'));
    const [ev] = h.out;
    expect(ev).toMatchObject({
      type: 'execve', pid: 9, ppid: 8, comm: 'sh', res: 0, exe: '/usr/bin/dash', argv: ['sh', '-c', `${long}tail`], cwd: '/root',
      loginuid: 4294967295, tty: 34816, sid: 9, pgid: 9, vpid: 1, vpgid: 1, pidns_init: true,
      cap_effective: '0x1fffeffffff', exe_from_memfd: false, args: { filename: '/bin/sh' },
    });
    expect(ev!.trunc).toBeUndefined();
    expectValid(ev!);
  });

  it('flags argv with more elements than captured, and an element cut after three chunks', () => {
    const h = harness();
    const full = 'y'.repeat(CHUNK);
    h.a.push(P(9, 20));
    h.a.push(S(9, 20, 7, 0, full));
    h.a.push(S(9, 20, 8, 0, full));
    h.a.push(S(9, 20, 8, 0, full));
    h.a.push(pf('X 50 9 20 0 -100 0 0 1 1 1 1 0 0 0 0'));
    h.a.push(S(9, 21, 7, 0, 'a'));
    h.a.push(pf('X 50 9 21 0 -100 0 0 1 1 1 1 0 0 0 2'));
    const [a, b] = h.out;
    expect(a!.argv).toEqual([full.repeat(3)]);
    expect(a!.trunc).toEqual(['argv']);
    expect(b!.trunc).toEqual(['argv']);
  });

  it('reports a failed execve with the caller identity and the attempted argv, without process details', () => {
    const h = harness();
    h.a.push(P(9, 20, 9, { comm: 'node' }));
    h.a.push(S(9, 20, 7, 0, 'nope'));
    h.a.push(pf('X 51 9 20 -2 3 4096 1000 0 0 0 0 0 0 0 0'));
    const [ev] = h.out;
    expect(ev).toEqual({
      type: 'execveat', ts: '1700000000500000020', num: 1, pid: 9, tid: 9, ppid: 1, comm: 'node', uid: 0, gid: 0, res: -2,
      argv: ['nope'], loginuid: 1000, args: { dirfd: 3, flags: 4096 },
    });
    expectValid(ev!);
  });

  it('marks memfd executables like d_path does', () => {
    const h = harness();
    h.a.push(P(9, 20));
    h.a.push(S(9, 20, 6, 0, 'memfd:payload'));
    h.a.push(pf('X 50 9 20 0 -100 0 0 1 1 1 1 0 0 0 4'));
    expect(h.out[0]).toMatchObject({ exe: '/memfd:payload (deleted)', exe_from_memfd: true });
  });

  it('turns a fork into the parent view (res = child) and the child view (res 0), threads keeping the parent pid', () => {
    const h = harness();
    h.a.push(P(30, 20, 30, { ppid: 2 }));
    h.a.push(pf('F 72 30 20 31 17 31'));
    h.a.push(pf('F 70 30 21 32 331520 30'));
    const [parent, child, tparent, thread] = h.out;
    expect(parent).toMatchObject({ type: 'fork', pid: 30, tid: 30, ppid: 2, res: 31, args: { flags: 17 } });
    expect(child).toMatchObject({ type: 'fork', pid: 31, tid: 31, ppid: 30, res: 0 });
    expect(tparent).toMatchObject({ type: 'clone', res: 32 });
    expect(thread).toMatchObject({ type: 'clone', pid: 30, tid: 32, ppid: 2, res: 0, args: { flags: 331520 } });
    for (const e of h.out) expectValid(e);
  });

  it('reports procexit with the decoded wait status and forgets the thread', () => {
    const h = harness();
    h.a.push(P(30, 20));
    h.a.push(pf('Q 80 30 21 30 256'));
    h.a.push(pf('E 27 30 22 0 0 0 0 -1'));
    const [exit, after] = h.out;
    expect(exit).toMatchObject({ type: 'procexit', pid: 30, args: { status: 256, ret: 1, sig: 0, core: false } });
    expect(after).toMatchObject({ type: 'setuid', pid: 30, tid: 30 });
    expect(after!.comm).toBeUndefined();
    expect(h.a.stats.noIdentity).toBe(1);
  });

  it('reports the exit of a thread it never described with the pid the record carries', () => {
    const h = harness();
    h.a.push(pf('Q 80 31 21 30 139'));
    expect(h.out[0]).toEqual({ type: 'procexit', ts: '1700000000500000021', num: 1, pid: 30, tid: 31, res: 0, args: { status: 139, ret: 0, sig: 11, core: true } });
    expectValid(h.out[0]!);
  });

  it('uses the identity fallback for a thread whose description was lost', () => {
    const fallback = (tid: number): Identity => ({ pid: tid - 1, ppid: 1, uid: 5, gid: 6, cg: '', comm: 'fromproc' });
    const h = harness({ identityFallback: fallback });
    h.a.push(pf('E 36 12 20 3 2 1 0 -1'));
    expect(h.out[0]).toMatchObject({ type: 'socket', pid: 11, tid: 12, comm: 'fromproc', uid: 5, gid: 6, args: { domain: 2, type: 1, proto: 0 } });
    expect(h.a.stats.noIdentity).toBe(0);
  });

  it('drops the events of ignored processes', () => {
    const ignore = new Set<number>([40]);
    const h = harness({ ignorePids: ignore });
    h.a.push(P(41, 10, 40));
    h.a.push(pf('E 2 41 10 3 0 0 -100 -100', '/x'));
    h.a.push(P(50, 11, 50));
    h.a.push(pf('E 2 50 11 3 0 0 -100 -100', '/y'));
    expect(h.out.map((e) => e.pid)).toEqual([50]);
    expect(h.a.stats.ignored).toBe(1);
  });
});

describe('eBPF adapter – sockets', () => {
  it('decodes an IPv4 TCP connect with the local end', () => {
    const h = harness();
    h.a.push(P(5, 10, 5, { comm: 'curl' }));
    // 10.96.0.1:443 from 10.0.0.5:40000; words as read from memory (little endian)
    h.a.push(pf('N 60 5 10 0 3 2 6 1 47873 40000 100600a 0 0 0 500000a 0 0 0 0'));
    const [ev] = h.out;
    expect(ev).toMatchObject({ type: 'connect', res: 0, args: { fd: 3, addr: { family: 'inet', ip: '10.96.0.1', port: 443, proto: 'tcp', local: { ip: '10.0.0.5', port: 40000 } } } });
    expectValid(ev!);
  });

  it('decodes an IPv6 accept (fd = the new socket) and an abstract unix connect', () => {
    const h = harness();
    h.a.push(P(5, 10));
    // peer ::1 port 5555 (bytes 15 b3, read as 0xb315), local ::1:8080
    h.a.push(pf('N 62 5 10 7 3 10 6 1 45845 8080 0 0 0 1000000 0 0 0 1000000 0'));
    h.a.push(S(5, 11, 10, 0, 'dbus-"session\n'));
    h.a.push(pf('N 60 5 11 -111 4 1 0 1 0 0 0 0 0 0 0 0 0 0 1'));
    h.a.push(pf('N 60 5 12 0 4 17 0 0 0 0 0 0 0 0 0 0 0 0 0'));
    const [acc, unix, netlink] = h.out;
    expect(acc).toMatchObject({ type: 'accept4', res: 7, args: { fd: 7, addr: { family: 'inet6', ip: '::1', port: 5555, proto: 'tcp', local: { ip: '::1', port: 8080 } } } });
    expect(unix).toMatchObject({ type: 'connect', res: -111, args: { fd: 4, addr: { family: 'unix', path: '@dbus-"session\n' } } });
    expect(netlink).toEqual(expect.objectContaining({ type: 'connect', args: { fd: 4 } }));
    for (const e of h.out) expectValid(e);
  });
});

describe('eBPF adapter – ordering, drops and counters', () => {
  it('restores time order across CPUs within the reorder window and counts records that come too late', () => {
    const h = harness({ reorderWindowNs: 1000 });
    h.a.push(P(1, 100));
    h.a.push(P(2, 100));
    h.a.push(pf('E 27 1 300 0 0 0 0 -1'));
    h.a.push(pf('E 27 1 400 0 0 0 0 -1'));
    h.a.push(pf('E 27 2 200 0 0 0 0 -1'));
    h.a.release(1350);
    expect(h.out.map((e) => e.ts)).toEqual(['1700000000500000200', '1700000000500000300']);
    h.a.push(pf('E 27 2 250 0 0 0 0 -1'));
    h.a.release();
    expect(h.out.map((e) => e.ts)).toEqual(['1700000000500000200', '1700000000500000300', '1700000000500000250', '1700000000500000400']);
    expect(h.a.stats.late).toBe(1);
  });

  it('holds records until the sensor is ready, then drops those of the attaching phase but keeps identities', () => {
    const h = harness({ reorderWindowNs: 1 }, false);
    h.a.push(P(1, 50, 1, { comm: 'early' }));
    h.a.push(pf('E 27 1 60 0 0 0 0 -1'));
    h.a.release(1e12);
    expect(h.raw).toEqual([]);
    h.a.markReady(100);
    h.a.push(pf('E 27 1 90 0 0 0 0 -1'));
    h.a.push(pf('E 27 1 110 0 0 0 0 -1'));
    h.a.release();
    expect(h.out).toHaveLength(1);
    expect(h.out[0]).toMatchObject({ comm: 'early', ts: '1700000000500000110' });
    expect(h.a.stats.beforeReady).toBe(2);
  });

  it('drops string parts whose record never came (a lost message) instead of attaching them to the next one', () => {
    const h = harness();
    h.a.push(P(5, 10));
    h.a.push(S(5, 10, 1, 0, 'stale'));
    h.a.push(pf('E 7 5 11 0 0 0 0 -100', 'a'));
    expect(h.out[0]!.args).toEqual({ oldpath: 'a' });
    expect(h.a.stats.strayParts).toBe(1);
  });

  it('counts lost events from bpftrace (JSON and text forms), malformed messages and unknown kinds', () => {
    const notices: string[] = [];
    const h = harness({ onNotice: (t) => notices.push(t) });
    h.a.push('{"type": "lost_events", "data": {"events": 7}}');
    h.a.push('Lost 3 events');
    h.a.push(pf('E 2 5'));
    h.a.push('{"type": "printf", "data": "garbage"}');
    h.a.push(P(5, 10));
    h.a.push(pf('E 99 5 10 0 0 0 0 0'));
    h.a.push('ERROR: something bpftrace said');
    h.a.push('{"type": "attached_probes", "data": {"probes": 98}}');
    h.a.push('');
    expect(h.a.stats).toMatchObject({ lost: 10, malformed: 3, events: 0 });
    expect(notices).toEqual(['ERROR: something bpftrace said']);
  });

  it('learns cgroup v1 paths (key bit 63) and marks a path cut at the walk depth limit', () => {
    const h = harness();
    const v1 = (1n << 63n | 3269n).toString();
    h.a.push(S(5, 10, 5, 0, '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'));
    h.a.push(S(5, 10, 5, 0, 'docker'));
    h.a.push(P(5, 10, 5, { cg: v1 }));
    h.a.push(pf('E 27 5 10 0 0 0 0 -1'));
    h.a.push(S(6, 11, 5, 0, 'leaf'));
    h.a.push(S(6, 11, 5, 4, ''));
    h.a.push(P(6, 11, 6, { cg: '99' }));
    h.a.push(pf('E 27 6 11 0 0 0 0 -1'));
    const [a, b] = h.out;
    expect(a!.cgroup).toBe('/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(b!.cgroup).toBe('/.../leaf');
  });
});
