// Tracee JSON — the real legacy samples in ../shared/data/tracee (flat pre-0.13 container keys and
// nested container/kubernetes objects) and the v1beta1 shape from tracee's docs/outputs/event-structure.md.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/decode/index.js';
import { describeShared, DATA } from '../helpers/shared.js';
import { compactJson, field, fields, readLines, run } from '../helpers/events.js';

const DIR = join(DATA, 'tracee');

describeShared('tracee decoder – real legacy samples', () => {
  const lines = (): string[] => readLines(join(DIR, 'tracee-docs-events.jsonl'));

  it('decodes all 26 records; the repeated open (LSM + syscall) is emitted once', () => {
    const { decoder, events } = run(lines(), 'auto');
    expect(decoder.detected).toBe('tracee');
    expect(decoder.stats.bad).toBe(0);
    expect(decoder.stats.skipped).toBe(1);
    expect(events.length).toBe(25);
  });

  it('security_file_open from openat → an openat of the file, exact ns timestamp', () => {
    const ev = run(lines().slice(0, 1), 'tracee').events[0]!;
    expect(fields(ev, ['evt.type', 'fd.name', 'evt.is_open_write', 'evt.arg.flags', 'proc.name', 'proc.pid', 'proc.ppid', 'user.uid', 'container.id']))
      .toEqual({
        'evt.type': 'openat', 'fd.name': '/tmp/testing.txt', 'evt.is_open_write': true, 'evt.arg.flags': 'O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE',
        'proc.name': 'bash', 'proc.pid': 2578238, 'proc.ppid': 2578237, 'user.uid': 1000, 'container.id': 'host',
      });
    expect(ev.ts).toBe('1657321167356748797');
  });

  it('sched_process_exec → execve with exe path, argv and parent pid', () => {
    const all = lines();
    const exec = all.find((l) => l.includes('"eventName":"sched_process_exec"'))!;
    const ev = run([exec], 'tracee').events[0]!;
    expect(fields(ev, ['evt.type', 'proc.exepath', 'proc.exe', 'proc.cmdline', 'proc.args', 'proc.name', 'proc.ppid', 'proc.vpid', 'thread.vtid']))
      .toEqual({
        'evt.type': 'execve', 'proc.exepath': '/usr/bin/exa', 'proc.exe': 'exa', 'proc.cmdline': 'exa --color=auto',
        'proc.args': '--color=auto', 'proc.name': 'exa', 'proc.ppid': 2578238, 'proc.vpid': 2578324, 'thread.vtid': 2578324,
      });
  });

  it('openat syscall events carry the fd number and result; read names the fd ("3=/etc/passwd")', () => {
    const { snapshots } = run(lines(), 'tracee', ['evt.type', 'fd.num', 'fd.name', 'evt.res', 'proc.name', 'evt.is_open_read']);
    const exa = snapshots.filter((s) => s['evt.type'] === 'openat' && s['proc.name'] === 'exa');
    expect(exa[0]).toMatchObject({ 'fd.num': 3, 'fd.name': '/etc/ld.so.cache', 'evt.res': 'SUCCESS', 'evt.is_open_read': true });
    const read = snapshots.filter((s) => s['evt.type'] === 'read' && s['fd.name'] === '/etc/passwd');
    expect(read[0]).toMatchObject({ 'fd.num': 3 });
  });

  it('pre-0.13 flat container keys (a signature detection) → container and pod', () => {
    const ev = run([compactJson(join(DIR, 'tracee-helm-NOTES-detection-legacy-flat.json'))], 'tracee').events[0]!;
    expect(fields(ev, ['evt.type', 'container.id', 'container.image', 'container.image.repository', 'container.name', 'k8s.pod.name', 'k8s.ns.name', 'k8s.pod.uid', 'proc.pid', 'proc.vpid']))
      .toEqual({
        'evt.type': 'New executable dropped', 'container.id': 'ae95a93ce0c2', 'container.image': 'docker.io/library/ubuntu:latest',
        'container.image.repository': 'docker.io/library/ubuntu', 'container.name': 'app', 'k8s.pod.name': 'app-75ff449bcd-hfwnz',
        'k8s.ns.name': 'default', 'k8s.pod.uid': '0f7ad251-39da-44f7-af28-34a0e971be3e', 'proc.pid': 4741, 'proc.vpid': 441,
      });
  });

  it('a syscall execve event names the new program (the record carries the old comm)', () => {
    const exec = lines().find((l) => l.includes('/opt/cni/bin/bridge'))!;
    const ev = run([exec], 'tracee').events[0]!;
    expect(fields(ev, ['evt.type', 'proc.name', 'proc.exepath', 'proc.cmdline'])).toEqual({
      'evt.type': 'execve', 'proc.name': 'bridge', 'proc.exepath': '/opt/cni/bin/bridge', 'proc.cmdline': 'bridge',
    });
  });
});

describe('tracee decoder – shapes and mappings', () => {
  // tracee docs/docs/outputs/event-structure.md (v1beta1.Event), with a container and pod added.
  const v1beta1 = {
    timestamp: { seconds: '1732454400', nanos: 123456789 },
    id: 'sched_process_exec',
    name: 'sched_process_exec',
    policies: { matched: ['default-policy'] },
    workload: {
      process: {
        thread: { name: 'bash', start_time: { seconds: '1732454350' }, unique_id: 1234567890, host_tid: 12345, tid: 45, syscall: 'execve' },
        pid: { value: 45 },
        host_pid: { value: 12345 },
        real_user: { id: { value: 1000 } },
        executable: { path: '/usr/bin/ls' },
        ancestors: [{ unique_id: 9876543210, host_pid: 1234, pid: 1, thread: { name: 'sh' } }],
      },
      container: { id: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', name: 'app', image: { name: 'docker.io/library/debian:12' } },
      k8s: { pod: { name: 'app-1', uid: 'u-1', labels: { team: 'green' } }, namespace: { name: 'team-green' } },
    },
    data: [
      { name: 'pathname', str: '/usr/bin/ls' },
      { name: 'argv', str_array: { value: ['ls', '-la', '/tmp'] } },
    ],
  };

  it('v1beta1 (nested) events: workload, data, wrapped values', () => {
    const ev = run([JSON.stringify(v1beta1)], 'auto').events[0]!;
    expect(fields(ev, [
      'evt.type', 'evt.rawtime', 'proc.pid', 'proc.vpid', 'thread.tid', 'user.uid', 'proc.exepath', 'proc.cmdline', 'proc.exe',
      'proc.ppid', 'proc.pname', 'container.id', 'container.name', 'container.image.repository', 'container.image.tag',
      'k8s.pod.name', 'k8s.ns.name', 'k8s.pod.label[team]',
    ])).toEqual({
      'evt.type': 'execve', 'evt.rawtime': 1732454400123456789n, 'proc.pid': 12345, 'proc.vpid': 45, 'thread.tid': 12345,
      'user.uid': 1000, 'proc.exepath': '/usr/bin/ls', 'proc.cmdline': 'bash -la /tmp', 'proc.exe': 'ls', 'proc.ppid': 1234,
      'proc.pname': 'sh', 'container.id': '0123456789ab', 'container.name': 'app', 'container.image.repository': 'docker.io/library/debian',
      'container.image.tag': '12', 'k8s.pod.name': 'app-1', 'k8s.ns.name': 'team-green', 'k8s.pod.label[team]': 'green',
    });
  });

  const legacy = (eventName: string, args: object[], extra: object = {}): string => JSON.stringify({
    timestamp: 1700000000000000001, processId: 7, threadId: 7, hostProcessId: 700, hostThreadId: 700, hostParentProcessId: 600,
    userId: 0, processName: 'proc', eventName, returnValue: 0, args, container: {}, kubernetes: {}, ...extra,
  });

  it('maps LSM/scheduler events to the syscall Falco would see', () => {
    const { snapshots } = run([
      legacy('security_socket_connect', [{ name: 'sockfd', value: 3 }, { name: 'remote_addr', value: { sa_family: 'AF_INET', sin_addr: '10.0.0.1', sin_port: '443' } }]),
      legacy('ptrace', [{ name: 'request', value: 16 }, { name: 'pid', value: 42 }]),
      legacy('security_inode_symlink', [{ name: 'linkpath', value: '/tmp/l' }, { name: 'target', value: '/etc/shadow' }]),
      legacy('sched_process_fork', [{ name: 'child_tid', value: 701 }, { name: 'child_pid', value: 701 }]),
      legacy('sched_process_exit', [{ name: 'exit_code', value: 0 }, { name: 'process_group_exit', value: true }]),
    ], 'tracee', ['evt.type', 'fd.num', 'fd.sip', 'fd.sport', 'evt.arg.request', 'evt.rawarg.request', 'evt.arg.target', 'evt.arg.linkpath', 'evt.rawres']);
    expect(snapshots.map((s) => s['evt.type'])).toEqual(['connect', 'ptrace', 'symlinkat', 'clone', 'procexit']);
    expect(snapshots[0]).toMatchObject({ 'fd.num': 3, 'fd.sip': '10.0.0.1', 'fd.sport': 443 });
    expect(snapshots[1]).toMatchObject({ 'evt.arg.request': 'PTRACE_ATTACH', 'evt.rawarg.request': 16 });
    expect(snapshots[2]).toMatchObject({ 'evt.arg.target': '/etc/shadow', 'evt.arg.linkpath': '/tmp/l' });
    expect(snapshots[3]).toMatchObject({ 'evt.rawres': 701 });
  });

  it('fork then exit: the child is in the table with its parent, the exit removes the exiting process', () => {
    const { tracker } = run([
      legacy('sched_process_fork', [{ name: 'child_tid', value: 701 }, { name: 'child_pid', value: 701 }]),
    ], 'tracee');
    expect(tracker.process(701)?.parent?.pid).toBe(700);
    expect(tracker.process(701)?.name).toBe('proc');
  });

  it('an empty container id is the host; a stdin on /dev/pts/N gives proc.tty', () => {
    const ev = run([legacy('sched_process_exec', [
      { name: 'pathname', value: '/bin/bash' }, { name: 'argv', value: ['bash'] }, { name: 'stdin_type', value: 'S_IFCHR' }, { name: 'stdin_path', value: '/dev/pts/3' },
    ])], 'tracee').events[0]!;
    expect(field(ev, 'container.id')).toBe('host');
    expect(field(ev, 'proc.tty')).toBe(34819); // 136 << 8 | 3
  });

  it('records that are not Tracee events are counted as bad', () => {
    const d = createDecoder('tracee');
    d.decode('{"eventName":7}', 1);
    d.decode('{"foo":1}', 2);
    d.decode('{"eventName":"x","timestamp":"soon"}', 3);
    expect(d.stats.bad).toBe(3);
  });
});
