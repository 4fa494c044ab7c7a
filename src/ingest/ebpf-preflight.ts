// Checks that this machine can run the eBPF sensor, and names every missing piece at once: root
// (bpftrace 0.17 refuses other users) with CAP_SYS_ADMIN, the host's pid namespace, a bpftrace
// binary >= 0.17, tracefs (mounted here when absent and permitted), kernel BTF, a kernel >= 5.8,
// and no lockdown in confidentiality mode. The checks read the system through a small interface
// so tests can drive them without root.
//
// Why CAP_SYS_ADMIN and not just CAP_BPF + CAP_PERFMON: bpftrace 0.17 finds the kernel's BTF with
// BPF_BTF_GET_NEXT_ID, which the kernel allows only with CAP_SYS_ADMIN; without it bpftrace reports
// "btf: no" and cannot compile the sensor (verified on Linux 6.18 with a bounding set of
// CAP_BPF + CAP_PERFMON + any one other capability).

import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { release } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { PeregrineError } from '../common/errors.js';

export class SensorPreflightError extends PeregrineError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('EBPF_PREFLIGHT', `the eBPF sensor cannot start on this machine:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** What preflight found, for the launcher. */
export interface Preflight {
  readonly bpftrace: string;
  readonly bpftraceVersion: string;
  readonly tracefs: string;
  readonly btf: string;
  readonly kernel: string;
}

/** The system as preflight sees it (the real one in production, a fake in tests). */
export interface SystemView {
  readonly platform: string;
  readonly euid: number;
  /** CapEff from /proc/self/status. */
  readonly capEff: bigint;
  /** The NSpid line of /proc/self/status: one pid per nested pid namespace (one = the host's). */
  readonly nsPids: readonly number[];
  readonly kernelRelease: string;
  /** Absolute path of an executable, searching PATH for bare names; undefined when absent. */
  which(bin: string): string | undefined;
  /** `bpftrace --version` output; undefined when it cannot run. */
  version(bpftrace: string): string | undefined;
  exists(path: string): boolean;
  readText(path: string): string | undefined;
  /** Mounts tracefs on `dir`; returns an error message or undefined on success. */
  mountTracefs(dir: string): string | undefined;
}

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;
const BTF = '/sys/kernel/btf/vmlinux';
const TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

const has = (caps: bigint, cap: bigint): boolean => ((caps >> cap) & 1n) === 1n;

function versionAtLeast(text: string, want: readonly number[]): boolean | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (m === null) return undefined;
  const got = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  for (let i = 0; i < want.length; i++) {
    if (got[i]! !== want[i]!) return got[i]! > want[i]!;
  }
  return true;
}

export interface PreflightOptions {
  /** bpftrace binary: a bare name is looked up in PATH. */
  readonly bpftrace?: string;
  /** Mount tracefs at /sys/kernel/tracing when no tracefs is mounted. */
  readonly mountTracefs?: boolean;
}

export function preflight(opts: PreflightOptions = {}, sys: SystemView = realSystem()): Preflight {
  const problems: string[] = [];
  if (sys.platform !== 'linux') {
    throw new SensorPreflightError([`eBPF needs Linux; this is ${sys.platform}`]);
  }

  if (sys.euid !== 0) {
    problems.push(`not running as root (euid ${sys.euid}): bpftrace 0.17 only runs as the root user; run as root, or in a container as uid 0 with the capabilities below`);
  }
  if (!has(sys.capEff, CAP_SYS_ADMIN)) {
    const bpf = has(sys.capEff, CAP_BPF) && has(sys.capEff, CAP_PERFMON) ? 'CAP_BPF and CAP_PERFMON are not enough' : 'it also covers CAP_BPF and CAP_PERFMON';
    problems.push(`missing capability CAP_SYS_ADMIN: bpftrace 0.17 needs it to find the kernel's BTF (BPF_BTF_GET_NEXT_ID); ${bpf}`);
  }
  if (sys.nsPids.length > 1) {
    problems.push(`not in the host's pid namespace (NSpid ${sys.nsPids.join(' ')}): the kernel reports host pids and the sensor recognises its own activity by pid; run in the host pid namespace (Kubernetes: hostPID: true)`);
  }

  const wanted = opts.bpftrace ?? 'bpftrace';
  const bpftrace = sys.which(wanted);
  let bpftraceVersion = '';
  if (bpftrace === undefined) {
    problems.push(`bpftrace not found (${isAbsolute(wanted) ? wanted : `'${wanted}' on PATH`}): install it (Debian/Ubuntu: apt-get install bpftrace), version 0.17 or later`);
  } else {
    const v = sys.version(bpftrace);
    if (v === undefined) {
      problems.push(`${bpftrace} --version failed: the bpftrace binary does not run`);
    } else {
      bpftraceVersion = v.trim();
      if (versionAtLeast(v, [0, 17]) === false) problems.push(`${bpftrace} is ${bpftraceVersion}; the sensor needs bpftrace 0.17 or later`);
    }
  }

  const kernelOk = versionAtLeast(sys.kernelRelease, [5, 8]);
  if (kernelOk === false) problems.push(`kernel ${sys.kernelRelease} is older than 5.8 (CAP_BPF, BTF-typed tracepoints and bounded loops are needed)`);

  if (!sys.exists(BTF)) {
    problems.push(`kernel BTF missing (${BTF}): the kernel must be built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.4 are); in a container, mount the host's /sys/kernel/btf`);
  }

  let tracefs = TRACEFS.find((d) => sys.exists(join(d, 'events', 'syscalls')));
  if (tracefs === undefined) {
    const dir = TRACEFS[0]!;
    const mountErr = opts.mountTracefs === false
      ? 'mounting was not allowed'
      : sys.exists(dir) ? sys.mountTracefs(dir) : `${dir} does not exist (sysfs not mounted?)`;
    if (mountErr === undefined && sys.exists(join(dir, 'events', 'syscalls'))) {
      tracefs = dir;
    } else {
      problems.push(`tracefs is not mounted at ${TRACEFS.join(' or ')} (${mountErr ?? 'no syscall tracepoints after mounting: kernel without CONFIG_FTRACE_SYSCALLS?'}): run 'mount -t tracefs nodev ${dir}' as root, or mount the host's ${dir} into the container`);
    }
  }

  const lockdown = sys.readText('/sys/kernel/security/lockdown');
  if (lockdown !== undefined && lockdown.includes('[confidentiality]')) {
    problems.push('kernel lockdown is in confidentiality mode: it forbids the kernel memory reads the sensor needs');
  }

  if (problems.length > 0) throw new SensorPreflightError(problems);
  return { bpftrace: bpftrace!, bpftraceVersion, tracefs: tracefs!, btf: BTF, kernel: sys.kernelRelease };
}

/** A line of /proc/self/status without its "Name:" prefix ("" when absent). */
function statusField(name: string): string {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    return line === undefined ? '' : line.slice(name.length + 1).trim();
  } catch {
    return '';
  }
}

function which(bin: string): string | undefined {
  const candidates = bin.includes('/') ? [bin] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).map((d) => join(d, bin));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export function realSystem(): SystemView {
  return {
    platform: process.platform,
    euid: process.geteuid?.() ?? -1,
    capEff: BigInt(`0x${statusField('CapEff') || '0'}`),
    nsPids: statusField('NSpid').split(/\s+/).filter((x) => x !== '').map(Number),
    kernelRelease: release(),
    which,
    version(bin) {
      try {
        return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return undefined;
      }
    },
    exists: (p) => existsSync(p),
    readText(p) {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    mountTracefs(dir) {
      const mount = which('mount');
      if (mount === undefined) return 'no mount command to mount it with';
      try {
        execFileSync(mount, ['-t', 'tracefs', 'nodev', dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
        return undefined;
      } catch (err) {
        const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
        return `mounting it failed: ${stderr !== undefined && stderr !== '' ? stderr : String(err)}`;
      }
    },
  };
}

/** Names of tracepoints present under <tracefs>/events/<category>. */
export function tracepointLister(tracefs: string): (category: string, name: string) => boolean {
  const cache = new Map<string, Set<string>>();
  return (category, name) => {
    let set = cache.get(category);
    if (set === undefined) {
      try {
        set = new Set(readdirSync(join(tracefs, 'events', category)));
      } catch {
        set = new Set();
      }
      cache.set(category, set);
    }
    return set.has(name);
  };
}
