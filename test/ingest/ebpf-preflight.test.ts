// eBPF sensor preflight – every missing piece is named at once, tracefs is mounted when absent and
// allowed, and a machine that has everything passes. Driven through a fake system view.
import { describe, expect, it } from 'vitest';
import { preflight, SensorPreflightError, type SystemView } from '../../src/ingest/ebpf-preflight.js';

const CAPS_BPF_PERFMON = (1n << 39n) | (1n << 38n);

function system(over: Partial<SystemView> & { files?: string[] } = {}): SystemView & { mounted: string[] } {
  const files = new Set(over.files ?? ['/sys/kernel/btf/vmlinux', '/sys/kernel/tracing', '/sys/kernel/tracing/events/syscalls']);
  const mounted: string[] = [];
  return {
    platform: 'linux',
    euid: 0,
    capEff: CAPS_BPF_PERFMON,
    kernelRelease: '6.8.0-45-generic',
    which: (bin) => (bin === 'bpftrace' ? '/usr/bin/bpftrace' : undefined),
    version: () => 'bpftrace v0.17.0\n',
    exists: (p) => files.has(p),
    readText: () => undefined,
    mountTracefs(dir) {
      mounted.push(dir);
      files.add(`${dir}/events/syscalls`);
      return undefined;
    },
    ...over,
    mounted,
  };
}

function problems(sys: SystemView, opts = {}): string[] {
  try {
    preflight(opts, sys);
  } catch (err) {
    expect(err).toBeInstanceOf(SensorPreflightError);
    expect((err as SensorPreflightError).code).toBe('EBPF_PREFLIGHT');
    return [...(err as SensorPreflightError).problems];
  }
  return [];
}

describe('eBPF preflight', () => {
  it('passes a root machine with CAP_BPF+CAP_PERFMON, bpftrace 0.17, BTF and tracefs', () => {
    expect(preflight({}, system())).toEqual({
      bpftrace: '/usr/bin/bpftrace', bpftraceVersion: 'bpftrace v0.17.0', tracefs: '/sys/kernel/tracing', btf: '/sys/kernel/btf/vmlinux', kernel: '6.8.0-45-generic',
    });
  });

  it('accepts CAP_SYS_ADMIN instead of CAP_BPF+CAP_PERFMON, and the debugfs tracing directory', () => {
    const sys = system({ capEff: 1n << 21n, files: ['/sys/kernel/btf/vmlinux', '/sys/kernel/debug/tracing/events/syscalls'] });
    expect(preflight({}, sys).tracefs).toBe('/sys/kernel/debug/tracing');
  });

  it('names every missing piece in one error', () => {
    const sys = system({
      euid: 1000, capEff: 0n, kernelRelease: '5.4.0-1', which: () => undefined,
      files: ['/sys/kernel/tracing'], mountTracefs: () => 'mount: permission denied',
      readText: (p) => (p === '/sys/kernel/security/lockdown' ? 'none integrity [confidentiality]\n' : undefined),
    });
    const p = problems(sys);
    expect(p).toHaveLength(7);
    expect(p[0]).toMatch(/not running as root \(euid 1000\)/);
    expect(p[1]).toMatch(/missing capabilities CAP_BPF and CAP_PERFMON \(or CAP_SYS_ADMIN/);
    expect(p[2]).toMatch(/bpftrace not found .*apt-get install bpftrace/);
    expect(p[3]).toMatch(/kernel 5\.4\.0-1 is older than 5\.8/);
    expect(p[4]).toMatch(/kernel BTF missing \(\/sys\/kernel\/btf\/vmlinux\)/);
    expect(p[5]).toMatch(/tracefs is not mounted .*mount: permission denied.*mount -t tracefs nodev \/sys\/kernel\/tracing/);
    expect(p[6]).toMatch(/lockdown is in confidentiality mode/);
    const e = new SensorPreflightError(p);
    expect(e.message.split('\n')).toHaveLength(8);
  });

  it('names a missing single capability and a lockdown in confidentiality mode', () => {
    const p = problems(system({
      capEff: 1n << 39n,
      readText: (path) => (path === '/sys/kernel/security/lockdown' ? 'none integrity [confidentiality]' : undefined),
    }));
    expect(p).toEqual([
      expect.stringMatching(/missing capabilities CAP_PERFMON /),
      expect.stringMatching(/lockdown is in confidentiality mode/),
    ]);
  });

  it('mounts tracefs when none is mounted, unless told not to', () => {
    const sys = system({ files: ['/sys/kernel/btf/vmlinux', '/sys/kernel/tracing'] });
    expect(preflight({}, sys).tracefs).toBe('/sys/kernel/tracing');
    expect(sys.mounted).toEqual(['/sys/kernel/tracing']);
    const sys2 = system({ files: ['/sys/kernel/btf/vmlinux', '/sys/kernel/tracing'] });
    expect(problems(sys2, { mountTracefs: false })).toEqual([expect.stringMatching(/mounting was not allowed/)]);
    expect(sys2.mounted).toEqual([]);
  });

  it('rejects a bpftrace older than 0.17, or one that does not run, and honours an explicit binary path', () => {
    expect(problems(system({ version: () => 'bpftrace v0.16.0' }))).toEqual([expect.stringMatching(/is bpftrace v0\.16\.0; the sensor needs bpftrace 0\.17/)]);
    expect(problems(system({ version: () => undefined }))).toEqual([expect.stringMatching(/--version failed/)]);
    expect(problems(system(), { bpftrace: '/opt/bt/bpftrace' })).toEqual([expect.stringMatching(/bpftrace not found \(\/opt\/bt\/bpftrace\)/)]);
  });

  it('refuses other platforms outright', () => {
    expect(problems(system({ platform: 'darwin' }))).toEqual(['eBPF needs Linux; this is darwin']);
  });
});
