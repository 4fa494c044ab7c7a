// Container identity from cgroup paths (runtime patterns; host cgroups that only look like ids),
// inheritance by children, metadata merged across sources, and the table's bound.
import { beforeEach, describe, expect, it } from 'vitest';
import { containerFromCgroups } from '../../src/state/cgroup.js';
import { ContainerTable } from '../../src/state/containers.js';
import { field, fields, run } from '../helpers/events.js';
import { exec, fork, native, resetClock } from '../helpers/native.js';

beforeEach(() => resetClock());

const ID = '3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e';
const SHORT = '3ad7b26ded6d';

describe('container identity from cgroups', () => {
  it.each([
    [`/docker/${ID}`, 'docker'],
    [`0::/system.slice/docker-${ID}.scope`, 'docker'],
    [`/system.slice/containerd.service/kubepods-burstable-pod1b2e3f4a_5b6c_7d8e_9f0a_1b2c3d4e5f6a.slice:cri-containerd:${ID}`, 'containerd'],
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1b2e3f4a_5b6c_7d8e_9f0a_1b2c3d4e5f6a.slice/cri-containerd-${ID}.scope`, 'containerd'],
    [`/kubepods/burstable/pod1b2e3f4a-5b6c-7d8e-9f0a-1b2c3d4e5f6a/${ID}`, undefined],
    [`/machine.slice/libpod-${ID}.scope/container`, 'podman'],
    [`/kubepods.slice/kubepods-pod1b2e3f4a_5b6c_7d8e_9f0a_1b2c3d4e5f6a.slice/crio-${ID}.scope`, 'cri-o'],
    // sysdig's rendering of the execve cgroups parameter (NULs printed as '.')
    [`cpuset=/docker/${ID}.cpu=/docker/${ID}.memory=/docker/${ID}.`, 'docker'],
  ])('%s → a container (%s)', (text, type) => {
    const c = containerFromCgroups(text);
    expect(c).not.toBe('host');
    if (c === 'host') return;
    expect([c.id, c.fullId, c.type]).toEqual([SHORT, ID, type]);
  });

  it('reads the pod UID from kubepods paths', () => {
    const a = containerFromCgroups(`/kubepods/burstable/pod1b2e3f4a-5b6c-7d8e-9f0a-1b2c3d4e5f6a/${ID}`);
    const b = containerFromCgroups(`/kubepods.slice/kubepods-besteffort-pod1b2e3f4a_5b6c_7d8e_9f0a_1b2c3d4e5f6a.slice/cri-containerd-${ID}.scope`);
    expect(a !== 'host' && a.podUid).toBe('1b2e3f4a-5b6c-7d8e-9f0a-1b2c3d4e5f6a');
    expect(b !== 'host' && b.podUid).toBe('1b2e3f4a-5b6c-7d8e-9f0a-1b2c3d4e5f6a');
  });

  it.each([
    ['/user.slice/user-1000.slice/session-3.scope'],
    ['0::/system.slice/sshd.service'],
    // A 32-hex memory cgroup name (e.g. a systemd machine id) is not a container.
    ['/machine.slice/0f3a1c9e4b2d4e6f8a0b1c2d3e4f5a6b'],
    ['9:memory:/0f3a1c9e4b2d4e6f8a0b1c2d3e4f5a6b'],
    // The conmon monitor of a cri-o / podman container runs outside it.
    [`/machine.slice/crio-conmon-${ID}.scope`],
    [`/machine.slice/libpod-conmon-${ID}.scope`],
    // 64 hex digits that are not a whole id (part of a longer run).
    [`/docker/${ID}00`],
    ['/'],
    [''],
  ])('%s → host', (text) => {
    expect(containerFromCgroups(text)).toBe('host');
  });
});

describe('containers of processes', () => {
  it('a process is in the container its cgroup names; children inherit; host is "host"', () => {
    const { snapshots } = run([
      exec(1, '/sbin/init', ['init'], { cgroup: '/init.scope' }),
      fork(1, 2), exec(2, '/usr/bin/containerd-shim', ['shim'], { cgroup: '/system.slice/containerd.service' }),
      fork(2, 3), exec(3, '/bin/sh', ['sh'], { cgroup: `/kubepods/besteffort/pod1b2e3f4a-5b6c-7d8e-9f0a-1b2c3d4e5f6a/${ID}` }),
      fork(3, 4), native({ type: 'openat', pid: 4, res: 3, args: { name: '/etc/shadow', flags: 0 } }),
    ], 'native', ['proc.name', 'container.id', 'container.full_id', 'container.name', 'k8s.pod.uid']);
    expect(snapshots[0]).toMatchObject({ 'container.id': 'host', 'container.name': 'host' });
    expect(snapshots[2]).toMatchObject({ 'container.id': 'host' });
    expect(snapshots[4]).toMatchObject({ 'container.id': SHORT, 'container.full_id': ID, 'k8s.pod.uid': '1b2e3f4a-5b6c-7d8e-9f0a-1b2c3d4e5f6a' });
    expect(snapshots[6]).toMatchObject({ 'proc.name': 'sh', 'container.id': SHORT });
  });

  it('metadata from one event reaches every process of the container', () => {
    const { events, tracker } = run([
      exec(10, '/bin/sh', ['sh'], { cgroup: `/docker/${ID}` }),
      exec(11, '/usr/sbin/nginx', ['nginx'], { cgroup: `/docker/${ID}`, container: { name: 'web', image: 'nginx:1.25', privileged: true }, k8s: { pod: 'web-0', ns: 'prod' } }),
    ], 'native');
    // The first event was decoded before the metadata arrived; its process shares the record.
    expect(fields(events[0]!, ['container.name', 'container.image.repository', 'container.image.tag', 'container.privileged', 'k8s.ns.name'])).toEqual({
      'container.name': 'web', 'container.image.repository': 'nginx', 'container.image.tag': '1.25', 'container.privileged': true, 'k8s.ns.name': 'prod',
    });
    expect(tracker.stats().containers).toBe(1);
  });

  it('an unknown container stays unknown (no cgroup, no metadata)', () => {
    const ev = run([native({ type: 'read', pid: 99, res: 0 })], 'native').events[0]!;
    expect(field(ev, 'container.id')).toBeUndefined();
  });

  it('the table is bounded and counts evictions', () => {
    const t = new ContainerTable(10);
    for (let i = 0; i < 25; i++) t.upsert({ id: `c${String(i).padStart(11, '0')}` });
    expect(t.size).toBe(10);
    expect(t.evicted).toBe(15);
  });
});
