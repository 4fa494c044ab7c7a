// The fd table: opens (relative paths, dirfd, normalisation, failures), sockets (connect, accept,
// sendto), dup, close, close-on-exec, inheritance through fork, and the per-process bound.
import { beforeEach, describe, expect, it } from 'vitest';
import { StateTracker } from '../../src/state/tracker.js';
import { field, fields, run } from '../helpers/events.js';
import { exec, fork, native, resetClock } from '../helpers/native.js';

beforeEach(() => resetClock());

const O_WRONLY = 1;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;

describe('fd table – files', () => {
  it('resolves relative paths against the cwd and a dirfd, normalises, keeps nameraw', () => {
    const { snapshots } = run([
      exec(10, '/bin/sh', ['sh'], { cwd: '/var/log' }),
      native({ type: 'openat', pid: 10, res: 3, args: { dirfd: -100, name: 'syslog', flags: O_WRONLY | O_TRUNC } }),
      native({ type: 'openat', pid: 10, res: 4, args: { dirfd: -100, name: '/etc/../etc/./shadow', flags: 0 } }),
      native({ type: 'openat', pid: 10, res: 5, args: { dirfd: -100, name: '/etc/ssh', flags: O_DIRECTORY } }),
      native({ type: 'openat', pid: 10, res: 6, args: { dirfd: 5, name: '../passwd', flags: 0 } }),
      native({ type: 'chdir', pid: 10, res: 0, args: { path: '../../tmp' } }),
      native({ type: 'creat', pid: 10, res: 7, args: { name: 'x.sh', mode: 0o755 } }),
    ], 'native', ['fd.num', 'fd.name', 'fd.nameraw', 'fd.directory', 'fd.filename', 'fd.typechar', 'evt.is_open_write', 'evt.is_open_read', 'evt.is_open_exec', 'evt.arg.flags']);
    expect(snapshots[1]).toEqual({
      'fd.num': 3, 'fd.name': '/var/log/syslog', 'fd.nameraw': 'syslog', 'fd.directory': '/var/log', 'fd.filename': 'syslog',
      'fd.typechar': 'f', 'evt.is_open_write': true, 'evt.is_open_read': false, 'evt.is_open_exec': false, 'evt.arg.flags': 'O_WRONLY|O_TRUNC',
    });
    expect(snapshots[2]).toMatchObject({ 'fd.name': '/etc/shadow', 'fd.nameraw': '/etc/../etc/./shadow', 'evt.is_open_read': true });
    expect(snapshots[3]).toMatchObject({ 'fd.typechar': 'd', 'fd.name': '/etc/ssh' });
    expect(snapshots[4]).toMatchObject({ 'fd.name': '/etc/passwd', 'fd.nameraw': '../passwd' });
    expect(snapshots[6]).toMatchObject({ 'fd.name': '/tmp/x.sh', 'evt.is_open_write': true, 'evt.is_open_exec': true });
  });

  it('a failed open has fd.num -1 and the path; later events on fds use the table', () => {
    const { snapshots } = run([
      exec(11, '/usr/bin/cat', ['cat', '/nope'], { cwd: '/' }),
      native({ type: 'openat', pid: 11, res: -2, args: { dirfd: -100, name: '/nope', flags: 0 } }),
      native({ type: 'openat', pid: 11, res: 3, args: { dirfd: -100, name: '/etc/hosts', flags: 0 } }),
      native({ type: 'read', pid: 11, res: 100, args: { fd: 3, size: 4096 } }),
      native({ type: 'close', pid: 11, res: 0, args: { fd: 3 } }),
      native({ type: 'read', pid: 11, res: -9, args: { fd: 3, size: 4096 } }),
    ], 'native', ['evt.type', 'fd.num', 'fd.name', 'evt.res']);
    expect(snapshots[1]).toEqual({ 'evt.type': 'openat', 'fd.num': -1, 'fd.name': '/nope', 'evt.res': 'ENOENT' });
    expect(snapshots[3]).toEqual({ 'evt.type': 'read', 'fd.num': 3, 'fd.name': '/etc/hosts', 'evt.res': 'SUCCESS' });
    expect(snapshots[4]).toMatchObject({ 'evt.type': 'close', 'fd.name': '/etc/hosts' });
    expect(snapshots[5]).toMatchObject({ 'fd.num': 3, 'fd.name': null, 'evt.res': 'EBADF' });
  });

  it('fds are inherited through fork and close-on-exec ones closed by exec', () => {
    const { snapshots } = run([
      exec(20, '/bin/bash', ['bash'], { cwd: '/' }),
      native({ type: 'openat', pid: 20, res: 3, args: { name: '/var/log/app.log', flags: O_WRONLY | O_CREAT } }),
      native({ type: 'openat', pid: 20, res: 4, args: { name: '/etc/ld.so.cache', flags: O_CLOEXEC } }),
      fork(20, 21),
      exec(21, '/usr/bin/logger', ['logger']),
      native({ type: 'write', pid: 21, res: 10, args: { fd: 3 } }),
      native({ type: 'read', pid: 21, res: 10, args: { fd: 4 } }),
    ], 'native', ['fd.name']);
    expect(snapshots[5]).toEqual({ 'fd.name': '/var/log/app.log' });
    expect(snapshots[6]).toEqual({ 'fd.name': null });
  });

  it('after fork, parent and child tables diverge: opens and closes on one side do not reach the other', () => {
    const { tracker } = run([
      exec(25, '/usr/sbin/nginx', ['nginx'], { cwd: '/' }),
      native({ type: 'openat', pid: 25, res: 3, args: { name: '/var/log/nginx/access.log', flags: O_WRONLY } }),
      fork(25, 26),
      native({ type: 'close', pid: 26, res: 0, args: { fd: 3 } }),
      native({ type: 'openat', pid: 25, res: 4, args: { name: '/etc/nginx/nginx.conf', flags: 0 } }),
      native({ type: 'openat', pid: 26, res: 5, args: { name: '/tmp/worker', flags: 0 } }),
    ], 'native');
    expect([tracker.fd(25, 3)?.name, tracker.fd(25, 4)?.name, tracker.fd(25, 5)]).toEqual(['/var/log/nginx/access.log', '/etc/nginx/nginx.conf', undefined]);
    expect([tracker.fd(26, 3), tracker.fd(26, 4), tracker.fd(26, 5)?.name]).toEqual([undefined, undefined, '/tmp/worker']);
  });

  it('a table shared by a parent and two forked children stays apart through exit, exec and later changes', () => {
    const { tracker } = run([
      exec(27, '/bin/bash', ['bash'], { cwd: '/' }),
      native({ type: 'openat', pid: 27, res: 3, args: { name: '/var/log/a.log', flags: O_WRONLY } }),
      native({ type: 'openat', pid: 27, res: 4, args: { name: '/etc/ld.so.cache', flags: O_CLOEXEC } }),
      fork(27, 28),
      fork(27, 29),
      native({ type: 'procexit', pid: 28, args: { status: 0 } }),
      exec(29, '/usr/bin/cat', ['cat']),
      native({ type: 'openat', pid: 27, res: 5, args: { name: '/tmp/parent', flags: 0 } }),
      native({ type: 'close', pid: 27, res: 0, args: { fd: 3 } }),
      native({ type: 'openat', pid: 29, res: 6, args: { name: '/tmp/child', flags: 0 } }),
    ], 'native');
    // The parent keeps its close-on-exec fd (the child's exec dropped only its own copy).
    expect([3, 4, 5, 6].map((n) => tracker.fd(27, n)?.name)).toEqual([undefined, '/etc/ld.so.cache', '/tmp/parent', undefined]);
    expect([3, 4, 5, 6].map((n) => tracker.fd(29, n)?.name)).toEqual(['/var/log/a.log', undefined, undefined, '/tmp/child']);
  });

  it('bounds the fds of one process and counts evictions', () => {
    const tracker = new StateTracker({ maxFdsPerProcess: 8 });
    const lines = [exec(30, '/bin/x', ['x'], { cwd: '/' })];
    for (let fd = 3; fd < 53; fd++) lines.push(native({ type: 'openat', pid: 30, res: fd, args: { name: `/tmp/f${fd}`, flags: 0 } }));
    run(lines, 'native', [], tracker);
    expect(tracker.stats().fdsEvicted).toBe(42);
    expect(tracker.fd(30, 52)?.name).toBe('/tmp/f52');
    expect(tracker.fd(30, 3)).toBeUndefined();
  });
});

describe('fd table – sockets', () => {
  it('socket → connect → sendto/write see the connection; fd.net matches either end', () => {
    const { snapshots } = run([
      exec(40, '/usr/bin/nc', ['nc', 'example.com', '22']),
      native({ type: 'socket', pid: 40, res: 3, args: { domain: 2, type: 1, proto: 0 } }),
      native({ type: 'connect', pid: 40, res: 0, args: { fd: 3, addr: { family: 'inet', ip: '93.184.216.34', port: 22, local: { ip: '192.168.1.5', port: 50000 } } } }),
      native({ type: 'write', pid: 40, res: 5, args: { fd: 3, size: 5 } }),
    ], 'native', ['evt.type', 'fd.num', 'fd.type', 'fd.l4proto', 'fd.name', 'fd.sip', 'fd.rport', 'fd.connected', 'fd.name_changed', 'fd.net']);
    expect(snapshots[1]).toMatchObject({ 'fd.num': 3, 'fd.type': 'ipv4', 'fd.l4proto': 'tcp', 'fd.connected': false });
    expect(snapshots[2]).toMatchObject({ 'fd.name': '192.168.1.5:50000->93.184.216.34:22', 'fd.connected': true, 'fd.name_changed': true, 'fd.l4proto': 'tcp' });
    expect(snapshots[3]).toMatchObject({ 'evt.type': 'write', 'fd.sip': '93.184.216.34', 'fd.rport': 22, 'fd.l4proto': 'tcp', 'fd.net': ['192.168.1.5', '93.184.216.34'] });
  });

  it('dup2 of a connected socket onto stdout (reverse-shell shape) gives fd.type ipv4 and evt.rawres 1', () => {
    const { snapshots } = run([
      exec(50, '/bin/bash', ['bash', '-i']),
      native({ type: 'socket', pid: 50, res: 3, args: { domain: 2, type: 1, proto: 0 } }),
      native({ type: 'connect', pid: 50, res: 0, args: { fd: 3, addr: { family: 'inet', ip: '10.9.9.9', port: 4444 } } }),
      native({ type: 'dup2', pid: 50, res: 1, args: { oldfd: 3, newfd: 1 } }),
    ], 'native', ['evt.type', 'evt.rawres', 'fd.num', 'fd.type', 'fd.sip']);
    expect(snapshots[3]).toEqual({ 'evt.type': 'dup2', 'evt.rawres': 1, 'fd.num': 1, 'fd.type': 'ipv4', 'fd.sip': '10.9.9.9' });
  });

  it('pipes and memfd get their types', () => {
    const { snapshots } = run([
      exec(60, '/x', ['x']),
      native({ type: 'memfd_create', pid: 60, res: 5, args: { name: 'payload', flags: 1 } }),
      native({ type: 'pipe2', pid: 60, res: 0, args: { fd1: 6, fd2: 7 } }),
      native({ type: 'write', pid: 60, res: 1, args: { fd: 7 } }),
    ], 'native', ['fd.type', 'fd.name', 'fd.typechar']);
    expect(snapshots[1]).toEqual({ 'fd.type': 'memfd', 'fd.name': 'memfd:payload', 'fd.typechar': 'm' });
    expect(snapshots[3]).toMatchObject({ 'fd.type': 'pipe', 'fd.typechar': 'p' });
  });

  it('fields of the event are the fd as it was then, even for a failed connect', () => {
    const ev = run([
      native({ type: 'connect', pid: 70, res: -111, args: { fd: 4, addr: { family: 'inet6', ip: '::1', port: 8080 } } }),
    ], 'native').events[0]!;
    expect(fields(ev, ['fd.num', 'fd.type', 'fd.connected', 'evt.res', 'fd.sip'])).toEqual({
      'fd.num': 4, 'fd.type': 'ipv6', 'fd.connected': false, 'evt.res': 'ECONNREFUSED', 'fd.sip': '::1',
    });
    expect(field(ev, 'fd.typechar')).toBe('6');
  });
});
