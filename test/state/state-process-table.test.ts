// The process table: ancestry across fork/exec chains, threads, pid reuse, exit cleanup and
// re-parenting, the eviction bound — observed through the fields rules use.
import { beforeEach, describe, expect, it } from 'vitest';
import { StateTracker } from '../../src/state/tracker.js';
import { field, fields, run } from '../helpers/events.js';
import { exec, exit, fork, native, resetClock } from '../helpers/native.js';

beforeEach(() => resetClock());

/** systemd(1) → sshd(100) → sshd(200) → bash(300) → sh(400) → cat(500) */
function chain(): string[] {
  return [
    exec(1, '/usr/lib/systemd/systemd', ['/sbin/init'], { sid: 1 }),
    fork(1, 100), exec(100, '/usr/sbin/sshd', ['/usr/sbin/sshd', '-D']),
    fork(100, 200), native({ type: 'setsid', pid: 200, res: 200, sid: 200 }),
    fork(200, 300), exec(300, '/bin/bash', ['-bash'], { tty: 34816 }),
    fork(300, 400), exec(400, '/bin/sh', ['sh', '-c', 'cat /etc/shadow']),
    fork(400, 500), exec(500, '/usr/bin/cat', ['cat', '/etc/shadow']),
    native({ type: 'openat', pid: 500, res: 3, args: { dirfd: -100, name: '/etc/shadow', flags: 0 } }),
  ];
}

describe('process table – ancestry', () => {
  it('follows fork/exec chains: pname, aname[N], apid[N], pcmdline, any-ancestor', () => {
    const { events } = run(chain(), 'native');
    const open = events[events.length - 1]!;
    expect(fields(open, [
      'proc.name', 'proc.cmdline', 'proc.exe', 'proc.exepath', 'proc.pname', 'proc.pcmdline', 'proc.aname[2]', 'proc.aname[3]',
      'proc.aname[4]', 'proc.aname[5]', 'proc.aname[6]', 'proc.apid[2]', 'proc.ppid', 'proc.pexepath', 'proc.tty',
    ])).toEqual({
      'proc.name': 'cat', 'proc.cmdline': 'cat /etc/shadow', 'proc.exe': 'cat', 'proc.exepath': '/usr/bin/cat',
      'proc.pname': 'sh', 'proc.pcmdline': 'sh -c cat /etc/shadow', 'proc.aname[2]': 'bash', 'proc.aname[3]': 'sshd',
      'proc.aname[4]': 'sshd', 'proc.aname[5]': 'systemd', 'proc.aname[6]': null, 'proc.apid[2]': 300, 'proc.ppid': 400,
      'proc.pexepath': '/bin/sh', 'proc.tty': 34816,
    });
    expect(field(open, 'proc.aname')).toEqual(['sh', 'bash', 'sshd', 'sshd', 'systemd']);
    // Inherited through fork and kept across exec: the session of sshd(200).
    expect(field(open, 'proc.sid')).toBe(200);
    expect(field(open, 'proc.sname')).toBe('sshd');
  });

  it('a child whose first event precedes its parent’s clone exit still gets parent and inherited state', () => {
    const { events, tracker } = run([
      exec(300, '/bin/bash', ['bash'], { cwd: '/home/u', uid: 1000 }),
      native({ type: 'clone', pid: 301, ppid: 300, res: 0 }), // the child's side first
      fork(300, 301),
      native({ type: 'openat', pid: 301, res: 4, args: { dirfd: -100, name: 'notes.txt', flags: 0 } }),
    ], 'native');
    const open = events[3]!;
    expect(fields(open, ['proc.name', 'proc.pname', 'user.uid', 'proc.cwd', 'fd.name'])).toEqual({
      'proc.name': 'bash', 'proc.pname': 'bash', 'user.uid': 1000, 'proc.cwd': '/home/u', 'fd.name': '/home/u/notes.txt',
    });
    expect(tracker.stats().pidReuses).toBe(0);
  });

  it('a thread (CLONE_THREAD) belongs to its process; its exit leaves the process', () => {
    const { tracker, events } = run([
      exec(600, '/usr/bin/java', ['java', '-jar', 'a.jar']),
      native({ type: 'clone', pid: 600, res: 601, args: { flags: 0x10000 | 0x100 } }),
      native({ type: 'connect', pid: 600, tid: 601, res: 0, args: { fd: 9, addr: { family: 'inet', ip: '10.1.1.1', port: 5432 } } }),
    ], 'native');
    expect(field(events[2]!, 'proc.cmdline')).toBe('java -jar a.jar');
    expect(field(events[2]!, 'thread.tid')).toBe(601);
    expect(tracker.process(601)).toBe(tracker.process(600)); // a thread id leads to its process
    run([native({ type: 'procexit', pid: 600, tid: 601 })], 'native', [], tracker);
    expect(tracker.process(600)?.name).toBe('java');
    expect(tracker.stats().threads).toBe(0);
    expect(tracker.stats().exits).toBe(0);
  });
});

describe('process table – exits, pid reuse, unknowns', () => {
  it('exit removes the process and its fds; orphans are re-parented to the reaper (init)', () => {
    const lines = [...chain(), exit(400)];
    const { tracker } = run(lines, 'native');
    expect(tracker.process(400)).toBeUndefined();
    // cat's next event: its parent sh is gone; like the kernel, init adopts it.
    const after = run([native({ type: 'read', pid: 500, res: 10, args: { fd: 3 } })], 'native', [], tracker).events[0]!;
    expect(fields(after, ['proc.pname', 'proc.ppid', 'fd.name'])).toEqual({ 'proc.pname': 'systemd', 'proc.ppid': 1, 'fd.name': '/etc/shadow' });
    expect(tracker.stats().exits).toBe(1);
  });

  it('an ancestor that exited is replaced by its reaper in ancestry walks, before the orphan’s own next event', () => {
    // sh(400) exits; cat(500) has no event since, but its child does: cat's parent is init now.
    const lines = [...chain(), fork(500, 600), exec(600, '/usr/bin/tee', ['tee']), exit(400),
      native({ type: 'openat', pid: 600, res: 3, args: { dirfd: -100, name: '/tmp/x', flags: 0 } })];
    const { events } = run(lines, 'native');
    const open = events[events.length - 1]!;
    expect(fields(open, ['proc.pname', 'proc.aname[2]', 'proc.aname[3]', 'proc.apid[2]'])).toEqual({
      'proc.pname': 'cat', 'proc.aname[2]': 'systemd', 'proc.aname[3]': null, 'proc.apid[2]': 1,
    });
    expect(field(open, 'proc.aname')).toEqual(['cat', 'systemd']);
  });

  it('inside a container, orphans go to the container’s init (vpid 1)', () => {
    const { tracker } = run([
      exec(1000, '/usr/bin/containerd-shim', ['containerd-shim']),
      fork(1000, 1001), exec(1001, '/bin/tini', ['tini'], { vpid: 1 }),
      fork(1001, 1002, {}), exec(1002, '/bin/sh', ['sh'], { vpid: 2 }),
      fork(1002, 1003), exec(1003, '/bin/sleep', ['sleep', '9'], { vpid: 3 }),
      exit(1002),
    ], 'native');
    const ev = run([native({ type: 'nanosleep', pid: 1003, res: 0 })], 'native', [], tracker).events[0]!;
    expect(field(ev, 'proc.pname')).toBe('tini');
  });

  it('the exit event’s reaper wins (procexit reaper_tid)', () => {
    const { tracker } = run([
      exec(1, '/sbin/init', ['init']), fork(1, 50), exec(50, '/usr/lib/systemd/systemd', ['systemd', '--user']),
      fork(50, 60), fork(60, 70), exit(60, { args: { status: 0, reaper_tid: 50 } }),
    ], 'native');
    const ev = run([native({ type: 'read', pid: 70, res: 0 })], 'native', [], tracker).events[0]!;
    expect(field(ev, 'proc.pname')).toBe('systemd');
  });

  it('pid reuse: a new fork of a pid replaces the old process; a differing start time too', () => {
    const { tracker, events } = run([
      exec(10, '/bin/bash', ['bash']), fork(10, 11), exec(11, '/usr/bin/vim', ['vim']),
      exit(11),
      exec(20, '/usr/sbin/cron', ['cron']), fork(20, 11), exec(11, '/bin/sh', ['sh', '-c', 'backup']),
      native({ type: 'openat', pid: 11, res: 3, args: { name: '/var/backup', flags: 1 } }),
    ], 'native');
    expect(fields(events[events.length - 1]!, ['proc.name', 'proc.pname'])).toEqual({ 'proc.name': 'sh', 'proc.pname': 'cron' });
    // Without seeing the exit: a record with another start time for the same pid.
    run([native({ type: 'execve', pid: 11, res: 0, start_ts: '5', comm: 'x', exe: '/x', argv: ['x'] })], 'native', [], tracker);
    run([native({ type: 'read', pid: 11, res: 0, start_ts: '9', comm: 'y' })], 'native', [], tracker);
    expect(tracker.stats().pidReuses).toBe(1);
    expect(tracker.process(11)?.name).toBe('y');
    expect(tracker.process(11)?.exepath).toBeUndefined();
  });

  it('an unknown process stays unknown: nothing is guessed', () => {
    const ev = run([native({ type: 'read', pid: 4242, res: 1, args: { fd: 0 } })], 'native').events[0]!;
    expect(fields(ev, ['proc.pid', 'proc.name', 'proc.pname', 'proc.cmdline', 'container.id', 'fd.name', 'user.name'])).toEqual({
      'proc.pid': 4242, 'proc.name': null, 'proc.pname': null, 'proc.cmdline': null, 'container.id': null, 'fd.name': null, 'user.name': null,
    });
  });

  it('exec replaces the image: fields the new program does not report become unknown', () => {
    const { events } = run([
      exec(7, '/bin/bash', ['bash', '-i'], { exe_upper_layer: true }),
      native({ type: 'execve', pid: 7, res: 0, comm: 'python3' }),
    ], 'native');
    expect(fields(events[1]!, ['proc.name', 'proc.cmdline', 'proc.exepath', 'proc.is_exe_upper_layer'])).toEqual({
      'proc.name': 'python3', 'proc.cmdline': null, 'proc.exepath': null, 'proc.is_exe_upper_layer': null,
    });
  });
});

describe('process table – bounds', () => {
  it('evicts least recently used processes past the cap and counts them; active ones survive', () => {
    const tracker = new StateTracker({ maxProcesses: 100 });
    const lines = [exec(1, '/sbin/init', ['init'])];
    for (let pid = 1000; pid < 2000; pid++) {
      lines.push(fork(1, pid), exec(pid, '/bin/true', ['true']));
    }
    run(lines, 'native', [], tracker);
    const s = tracker.stats();
    expect(s.processes).toBeLessThanOrEqual(100);
    expect(s.processesEvicted).toBeGreaterThanOrEqual(900);
    // init took part in every fork: the second chance kept it.
    expect(tracker.process(1)?.name).toBe('init');
    expect(tracker.process(1999)?.name).toBe('true');
  });

  it('a long parent chain cannot loop or grow extractors without bound', () => {
    const lines: string[] = [exec(1, '/sbin/init', ['init'])];
    for (let pid = 2; pid < 400; pid++) lines.push(fork(pid - 1, pid));
    const { events } = run([...lines, native({ type: 'read', pid: 399, res: 0 })], 'native');
    const anames = field(events[events.length - 1]!, 'proc.aname') as unknown[];
    expect(anames.length).toBeLessThanOrEqual(256);
  });
});
