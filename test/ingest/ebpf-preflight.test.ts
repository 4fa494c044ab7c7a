// eBPF sensor preflight – every missing piece is named at once, tracefs is mounted when absent and
// allowed, and a machine that has everything passes. Driven through a fake system view.
import { describe, expect, it } from 'vitest';
import { preflight, SensorPreflightError, type SystemView } from '../../src/ingest/ebpf-preflight.js';

const CAP_SYS_ADMIN = 1n << 21n;
const CAPS_BPF_PERFMON = (1n << 39n) | (1n << 38n);

function system(over: Partial<SystemView> & { files?: string[] } = {}): SystemView & { mounted: string[] } {
  const files = new Set(over.files ?? ['/sys/kernel/btf/vmlinux', '/sys/kernel/tracing', '/sys/kernel/tracing/events/syscalls']);
  const mounted: string[] = [];
  return {
    platform: 'linux',
    euid: 0,
    capEff: CAP_SYS_ADMIN | CAPS_BPF_PERFMON,
    nsPids: [4242],
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
  it('passes a root machine with CAP_SYS_ADMIN in the host pid namespace, bpftrace 0.17, BTF and tracefs', () => {
    expect(preflight({}, system())).toEqual({
      bpftrace: '/usr/bin/bpftrace', bpftraceVersion: 'bpftrace v0.17.0', tracefs: '/sys/kernel/tracing', btf: '/sys/kernel/btf/vmlinux', kernel: '6.8.0-45-generic',
    });
  });

  it('accepts CAP_SYS_ADMIN alone, and the debugfs tracing directory', () => {
    const sys = system({ capEff: CAP_SYS_ADMIN, files: ['/sys/kernel/btf/vmlinux', '/sys/kernel/debug/tracing/events/syscalls'] });
    expect(preflight({}, sys).tracefs).toBe('/sys/kernel/debug/tracing');
  });

  it('explains that CAP_BPF+CAP_PERFMON are not enough for bpftrace 0.17, and asks for the host pid namespace', () => {
    expect(problems(system({ capEff: CAPS_BPF_PERFMON, nsPids: [77, 1] }))).toEqual([
      expect.stringMatching(/missing capability CAP_SYS_ADMIN: bpftrace 0\.17 needs it .*BPF_BTF_GET_NEXT_ID.*CAP_BPF and CAP_PERFMON are not enough/),
      expect.stringMatching(/not in the host's pid namespace \(NSpid 77 1\).*hostPID: true/),
    ]);
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
    expect(p[1]).toMatch(/missing capability CAP_SYS_ADMIN/);
    expect(p[2]).toMatch(/bpftrace not found .*apt-get install bpftrace/);
    expect(p[3]).toMatch(/kernel 5\.4\.0-1 is older than 5\.8/);
    expect(p[4]).toMatch(/kernel BTF missing \(\/sys\/kernel\/btf\/vmlinux\)/);
    expect(p[5]).toMatch(/tracefs is not mounted .*mount: permission denied.*mount -t tracefs nodev \/sys\/kernel\/tracing/);
    expect(p[6]).toMatch(/lockdown is in confidentiality mode/);
    const e = new SensorPreflightError(p);
    expect(e.message.split('\n')).toHaveLength(8);
  });

  it('names a lockdown in confidentiality mode, and lets integrity mode pass', () => {
    const lockdown = (mode: string) => (path: string) => (path === '/sys/kernel/security/lockdown' ? mode : undefined);
    expect(problems(system({ readText: lockdown('none integrity [confidentiality]') }))).toEqual([expect.stringMatching(/lockdown is in confidentiality mode/)]);
    expect(problems(system({ readText: lockdown('none [integrity] confidentiality') }))).toEqual([]);
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
