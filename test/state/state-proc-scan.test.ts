// Seeding the process table from /proc: the real /proc of this machine (a spawned `sleep`, its
// parent and grandparent), then a made-up procfs for hostile names, vanished processes, size caps
// and the process bound; and how seeded entries meet the events that follow.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProcess, scanProc, seedFromProc } from '../../src/state/proc-scan.js';
import { StateTracker } from '../../src/state/tracker.js';
import { fields, run } from '../helpers/events.js';
import { native, resetClock } from '../helpers/native.js';

const comm = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
const ppidOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

describe('/proc scan – this machine', () => {
  let child: ChildProcess;
  let cwd: string;

  beforeAll(async () => {
    cwd = realpathSync(mkdtempSync(join(tmpdir(), 'peregrine-scan-')));
    child = spawn('sleep', ['30'], { cwd, stdio: 'ignore' });
    // wait until the child has exec'd sleep (its comm changes from node's)
    for (let i = 0; i < 200 && comm(child.pid!) !== 'sleep'; i++) await new Promise((r) => setTimeout(r, 10));
  });

  afterAll(() => {
    child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  it('finds a spawned sleep with its pid, ppid, name, cmdline, exe, cwd and ids, and its parent', () => {
    const r = scanProc();
    expect(r.truncated).toBe(false);
    const byPid = new Map(r.processes.map((p) => [p.pid, p]));
    const p = byPid.get(child.pid!);
    expect(p).toMatchObject({
      pid: child.pid, ppid: process.pid, name: 'sleep', exe: 'sleep', args: ['30'], cwd,
      uid: process.geteuid!(), gid: process.getegid!(),
    });
    expect(p!.exepath).toMatch(/\/sleep$/);
    expect(p!.startTs).toMatch(/^\d{19}$/);
    expect(p!.cgroups).toBe(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8').trim());
    expect(byPid.get(process.pid)).toMatchObject({ name: comm(process.pid), ppid: ppidOf(process.pid) });
    expect(byPid.get(1)).toMatchObject({ pid: 1, ppid: 0 });
  });

  it('seeds the table: a later event of the sleep shows its parent and ancestors, cwd and cmdline', () => {
    resetClock();
    const tracker = new StateTracker();
    const r = seedFromProc(tracker);
    expect(r.seeded).toBe(r.processes.length);
    // what the eBPF sensor reports for a process it saw no exec of: pid, ppid, comm, ids
    const { events } = run([
      native({ type: 'openat', pid: child.pid!, ppid: process.pid, comm: 'sleep', uid: 0, gid: 0, res: 3, args: { dirfd: -100, name: 'x', flags: 0 } }),
    ], 'native', [], tracker);
    const grand = ppidOf(process.pid);
    const f = fields(events[0]!, ['proc.name', 'proc.pname', 'proc.ppid', 'proc.aname[2]', 'proc.apid[2]', 'proc.cmdline', 'proc.exepath', 'proc.cwd', 'fd.name', 'container.id']);
    expect(f).toMatchObject({
      'proc.name': 'sleep', 'proc.pname': comm(process.pid), 'proc.ppid': process.pid,
      'proc.aname[2]': grand > 0 ? comm(grand) : null, 'proc.apid[2]': grand > 0 ? grand : null,
      'proc.cmdline': 'sleep 30', 'proc.cwd': cwd, 'fd.name': `${cwd}/x`,
    });
    expect(f['proc.exepath']).toMatch(/\/sleep$/);
    expect(f['container.id']).toBe(tracker.containers.fromCgroups(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8')).id);
  });

  it('tolerates processes exiting while it scans', async () => {
    const kids: ChildProcess[] = [];
    for (let i = 0; i < 20; i++) kids.push(spawn('true', [], { stdio: 'ignore' }));
    for (let i = 0; i < 5; i++) expect(() => scanProc()).not.toThrow();
    await Promise.all(kids.map((k) => new Promise((res) => { if (k.exitCode !== null) res(null); else k.on('exit', res); })));
    const gone = kids[0]!.pid!;
    expect(readProcess('/proc', gone, undefined)).toBeUndefined();
  });
});

describe('/proc scan – a made-up procfs', () => {
  let root: string;

  const proc = (pid: number, files: Record<string, string | Buffer>): void => {
    mkdirSync(join(root, String(pid)), { recursive: true });
    for (const [name, body] of Object.entries(files)) writeFileSync(join(root, String(pid), name), body);
  };
  const stat = (pid: number, name: string, ppid: number, flags = 0x400000): string =>
    `${pid} (${name}) S ${ppid} ${pid} ${pid} 34816 -1 ${flags} 0 0 0 0 0 0 0 0 20 0 1 0 250 1000 100\n`;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'peregrine-fakeproc-'));
    writeFileSync(join(root, 'stat'), 'cpu 1 2 3\nbtime 1700000000\nprocesses 5\n');
    writeFileSync(join(root, 'self'), '');
    proc(1, { stat: stat(1, 'systemd', 0), cmdline: '/sbin/init\0splash\0', status: 'Name:\tsystemd\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t1\nCapEff:\t000001ffffffffff\n', loginuid: '4294967295' });
    // a comm with parentheses, spaces and a newline; a cmdline beyond the cap; ids from status
    proc(40, {
      stat: stat(40, 'a) b (c\nd', 1), cmdline: Buffer.concat([Buffer.from('evil\0'), Buffer.alloc(10000, 0x41)]),
      status: 'Name:\tx\nUid:\t1000\t1001\t1000\t1000\nGid:\t50\t51\t50\t50\nNSpid:\t40\t7\nNSpgid:\t40\t7\nCapEff:\t0000000000000000\n', loginuid: '1000',
      cgroup: '0::/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n',
    });
    // vanished between readdir and read: an empty directory
    mkdirSync(join(root, '41'));
    // a kernel thread: no cmdline, no exe
    proc(2, { stat: stat(2, 'kthreadd', 0, 0x00208040), cmdline: '' });
    proc(50, { stat: stat(50, 'orphan', 49) });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('parses hostile comms, caps cmdline, reads ids from status, skips vanished processes', () => {
    const r = scanProc({ root, maxCmdlineBytes: 64 });
    expect(r.skipped).toBe(1);
    expect(r.processes.map((p) => p.pid)).toEqual([1, 2, 40, 50]);
    const [init, kthread, evil, orphan] = r.processes;
    expect(init).toMatchObject({
      name: 'systemd', ppid: 0, exe: '/sbin/init', args: ['splash'], loginuid: -1, vpid: 1, tty: 34816, sid: 1, pgid: 1,
      startTs: '1700000002500000000',
    });
    expect(init!.capEffective).toContain('CAP_SYS_ADMIN');
    expect(kthread).toMatchObject({ name: 'kthreadd', exe: undefined, args: undefined });
    expect(evil).toMatchObject({ name: 'a) b (c\nd', ppid: 1, uid: 1001, gid: 51, vpid: 7, vpgid: 7, loginuid: 1000, exe: 'evil', capEffective: '' });
    expect(evil!.args).toEqual(['A'.repeat(59)]);
    expect(orphan).toMatchObject({ name: 'orphan', ppid: 49, uid: undefined, cwd: undefined, exepath: undefined });
  });

  it('stops at maxProcesses and says so', () => {
    const r = scanProc({ root, maxProcesses: 2 });
    expect(r.processes.map((p) => p.pid)).toEqual([1, 2]);
    expect(r.truncated).toBe(true);
  });

  it('an unreadable root gives nothing, without throwing', () => {
    expect(scanProc({ root: join(root, 'nope') })).toMatchObject({ processes: [], truncated: false });
  });

  it('seeding links parents, derives the container, keeps what events said and respects the table cap', () => {
    resetClock();
    const tracker = new StateTracker({ maxProcesses: 3 });
    // an event came first for pid 40: it knows better (its cwd)
    run([native({ type: 'chdir', pid: 40, ppid: 1, comm: 'a) b (c\nd', cwd: '/srv', res: 0, args: { path: '/srv' } })], 'native', [], tracker);
    const r = seedFromProc(tracker, { root });
    // pid 40 and its placeholder parent 1 are tracked; 1 is filled in, 2 is added, 50 finds no room
    expect(r.seeded).toBe(1);
    const evil = tracker.process(40)!;
    expect(evil).toMatchObject({ cwd: '/srv', exe: 'evil', uid: 1001 });
    expect(evil.parent?.name).toBe('systemd');
    expect(evil.container?.id).toBe('0123456789ab');
    expect(tracker.process(2)?.name).toBe('kthreadd');
    expect(tracker.process(50)).toBeUndefined();
    expect(tracker.stats().processesEvicted).toBe(0);
  });
});
