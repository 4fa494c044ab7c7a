// Fits sensor/peregrine.bt to the running kernel before bpftrace compiles it, and builds its
// positional parameters. bpftrace refuses a program that names a tracepoint the kernel lacks
// (arm64 has no open/creat/unlink…, kernels without modules have no init_module), and it cannot
// express offsetof, so the launcher (1) drops probe lines for missing tracepoints, and whole probe
// blocks left with none, (2) renames the few kernel members that changed between releases, and
// (3) passes member offsets read from BTF as parameters.
//
// The program is written in a fixed layout the launcher relies on: each probe block starts with its
// attach points at column 0, one per line, and ends with a line holding only `}`.

import { readFileSync } from 'node:fs';
import type { Btf } from './ebpf-btf.js';

export interface KernelShape {
  /** True when `category:name` exists under <tracefs>/events. */
  hasTracepoint(category: string, name: string): boolean;
  /** kernfs_node's parent pointer: `__parent` since 6.15, `parent` before. */
  readonly kernfsParent: '__parent' | 'parent';
  /** kernel_cap_t is `{ u64 val; }` since 6.3, `{ u32 cap[2]; }` before. */
  readonly capVal: boolean;
  /** task_struct.loginuid exists (CONFIG_AUDIT). */
  readonly loginuid: boolean;
}

export interface AdaptedProgram {
  readonly text: string;
  /** Tracepoints named by the program that this kernel lacks (their probes were removed). */
  readonly missing: readonly string[];
}

const ATTACH_LINE = /^tracepoint:([a-z0-9_]+):([a-z0-9_]+),?$/;

/** Removes probes for absent tracepoints and applies the kernel compatibility renames. */
export function adaptProgram(source: string, kernel: KernelShape): AdaptedProgram {
  const lines = source.split('\n');
  const out: string[] = [];
  const missing: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!ATTACH_LINE.test(line)) {
      out.push(line);
      continue;
    }
    // A block's attach list: consecutive attach lines.
    const kept: string[] = [];
    let j = i;
    for (; j < lines.length; j++) {
      const m = ATTACH_LINE.exec(lines[j]!);
      if (m === null) break;
      const [, category, name] = m as unknown as [string, string, string];
      if (kernel.hasTracepoint(category, name)) kept.push(`tracepoint:${category}:${name}`);
      else missing.push(`${category}:${name}`);
    }
    if (kept.length === 0) {
      // Skip the rest of the block through its closing brace at column 0.
      while (j < lines.length && lines[j] !== '}') j++;
      i = j;
      continue;
    }
    for (let k = 0; k < kept.length; k++) out.push(k < kept.length - 1 ? `${kept[k]},` : kept[k]!);
    i = j - 1;
  }
  let text = out.join('\n');
  if (kernel.kernfsParent === 'parent') text = text.replaceAll('->__parent', '->parent');
  if (!kernel.capVal) {
    for (const set of ['cap_effective', 'cap_permitted']) {
      text = text.replaceAll(`$t->cred->${set}.val`, `((uint64)$t->cred->${set}.cap[0] | ((uint64)$t->cred->${set}.cap[1] << 32))`);
    }
  }
  if (!kernel.loginuid) text = text.replaceAll('(uint64)$t->loginuid.val', '(uint64)4294967295');
  return { text, missing };
}

/** The kernel facts the program needs, read from BTF. Throws when a required one is absent. */
export interface KernelOffsets {
  readonly comm: number;
  readonly pidNumbers: number;
  readonly savedAuxv: number;
  readonly unixAddressName: number;
}

export function kernelOffsets(btf: Btf): KernelOffsets {
  const need = (s: string, m: string): number => {
    const off = btf.memberOffset(s, m);
    if (off === undefined) throw new Error(`kernel BTF has no ${s}.${m}`);
    return off;
  };
  // The program reaches struct mount from a vfsmount pointer by subtracting 32 (mnt_hash, mnt_parent
  // and mnt_mountpoint come first — true since struct mount appeared in 3.3); check it.
  const mnt = btf.memberOffset('mount', 'mnt');
  if (mnt !== 32) throw new Error(`kernel BTF puts mount.mnt at offset ${String(mnt)}, the sensor expects 32`);
  return {
    comm: need('task_struct', 'comm'),
    pidNumbers: need('pid', 'numbers'),
    savedAuxv: need('mm_struct', 'saved_auxv'),
    unixAddressName: need('unix_address', 'name'),
  };
}

export function kernelShape(btf: Btf, hasTracepoint: KernelShape['hasTracepoint']): KernelShape {
  return {
    hasTracepoint,
    kernfsParent: btf.hasMember('kernfs_node', '__parent') ? '__parent' : 'parent',
    capVal: btf.hasMember('kernel_cap_t', 'val'),
    loginuid: btf.hasMember('task_struct', 'loginuid'),
  };
}

export interface CgroupChoice {
  /** Index of the cgroup v1 controller whose hierarchy names a process whose v2 cgroup is the root. */
  readonly v1Index: number;
  readonly useV1: boolean;
}

/**
 * Picks the cgroup v1 controller used when a process's cgroup v2 node is the root (hybrid and
 * legacy hosts, where container runtimes place containers in the v1 hierarchies): `controller`'s
 * position in /proc/cgroups, which lists controllers in the kernel's subsystem-id order.
 */
export function cgroupChoice(procCgroups: string, controller: string | false): CgroupChoice {
  if (controller === false) return { v1Index: 0, useV1: false };
  let index = 0;
  for (const line of procCgroups.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, hierarchy] = line.split('\t');
    if (name === controller) return { v1Index: index, useV1: hierarchy !== undefined && hierarchy !== '0' };
    index++;
  }
  return { v1Index: 0, useV1: false };
}

export function readProcCgroups(): string {
  try {
    return readFileSync('/proc/cgroups', 'utf8');
  } catch {
    return '';
  }
}

/** The program's positional parameters, in the order the program's header documents. */
export function programArgs(ignorePids: readonly number[], cg: CgroupChoice, off: KernelOffsets, chunk: number): string[] {
  const [a = 0, b = 0] = ignorePids;
  return [a, b, cg.v1Index, cg.useV1 ? 1 : 0, off.comm, off.pidNumbers, off.savedAuxv, off.unixAddressName, chunk].map(String);
}
