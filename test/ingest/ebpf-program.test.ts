// eBPF sensor program – fitting sensor/peregrine.bt to a kernel (missing tracepoints, renamed
// members), its parameters, and the agreements the program and the adapter rely on: kind codes,
// saved-argument kinds per syscall, identical copies of the identity section.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adaptProgram, cgroupChoice, programArgs, type KernelShape } from '../../src/ingest/ebpf-program.js';
import { E_KINDS, OTHER_KINDS } from '../../src/ingest/ebpf-kinds.js';
import { DEFAULT_PROGRAM } from '../../src/ingest/ebpf.js';
import { ROOT } from '../helpers/shared.js';

const program = readFileSync(join(ROOT, 'sensor', 'peregrine.bt'), 'utf8');

const modern = (missing: readonly string[] = []): KernelShape => ({
  hasTracepoint: (c, n) => !missing.includes(`${c}:${n}`),
  kernfsParent: '__parent',
  capVal: true,
  loginuid: true,
});

/** Attach points named by the program text. */
const attachPoints = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('tracepoint:')).map((l) => l.replace(/,$/, ''));

function braceBalance(text: string): number {
  let depth = 0;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('//')) continue;
    for (const ch of line) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      if (depth < 0) return depth;
    }
  }
  return depth;
}

describe('eBPF program – fitting to the kernel', () => {
  it('is the file the launcher loads by default', () => {
    expect(DEFAULT_PROGRAM).toBe(join(ROOT, 'sensor', 'peregrine.bt'));
  });

  it('leaves the program unchanged on a kernel that has everything', () => {
    expect(adaptProgram(program, modern())).toEqual({ text: program, missing: [] });
  });

  it('drops attach lines for missing tracepoints, keeps the lists well formed, and drops emptied blocks', () => {
    // arm64 has no open, creat, unlink, rename, chmod, mkdir, rmdir, symlink, link, dup2, fork, vfork
    const arm64 = ['open', 'creat', 'unlink', 'rename', 'chmod', 'mkdir', 'rmdir', 'symlink', 'link', 'dup2', 'fork', 'vfork']
      .flatMap((s) => [`syscalls:sys_enter_${s}`, `syscalls:sys_exit_${s}`]);
    // fork and vfork are reported from sched_process_fork: the program names no exit probe for them
    const named = arm64.filter((t) => t !== 'syscalls:sys_exit_fork' && t !== 'syscalls:sys_exit_vfork');
    const { text, missing } = adaptProgram(program, modern(arm64));
    expect([...missing].sort()).toEqual([...named].sort());
    const points = attachPoints(text);
    for (const m of arm64) expect(points).not.toContain(`tracepoint:${m}`);
    expect(points).toContain('tracepoint:syscalls:sys_exit_openat');
    expect(braceBalance(text)).toBe(0);
    // every attach list ends without a trailing comma before its predicate or body
    const lines = text.split('\n');
    lines.forEach((l, i) => {
      if (l.startsWith('tracepoint:') && l.endsWith(',')) expect(lines[i + 1]).toMatch(/^tracepoint:/);
      if (l.startsWith('tracepoint:') && !l.endsWith(',')) expect(lines[i + 1]).toMatch(/^[{/]/);
    });
    // the enter blocks of the missing syscalls are gone with their bodies
    expect(text).not.toContain('sys_enter_creat');
    expect(text).not.toContain('(int64)0x241');
    expect(text.split('\n').filter((l) => l === '}').length).toBe(program.split('\n').filter((l) => l === '}').length - 12);
  });

  it('renames kernfs_node.__parent, widens old capability sets and stubs a missing loginuid', () => {
    const old = adaptProgram(program, { ...modern(), kernfsParent: 'parent', capVal: false, loginuid: false }).text;
    expect(old).not.toContain('__parent');
    expect(old).toContain('$kn->parent');
    expect(old).not.toContain('cap_effective.val');
    expect(old).toContain('$t->cred->cap_effective.cap[0]');
    expect(old).not.toContain('loginuid.val');
    expect(braceBalance(old)).toBe(0);
  });

  it('picks the cgroup v1 controller by its position in /proc/cgroups, only when mounted as v1', () => {
    const hybrid = '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t3\t1\t1\ncpu\t1\t1\t1\ncpuacct\t2\t1\t1\nblkio\t7\t1\t1\nmemory\t4\t15\t1\npids\t8\t1\t1\n';
    expect(cgroupChoice(hybrid, 'memory')).toEqual({ v1Index: 4, useV1: true });
    expect(cgroupChoice(hybrid, 'pids')).toEqual({ v1Index: 5, useV1: true });
    const pureV2 = hybrid.replace(/\t[1-8]\t/g, '\t0\t');
    expect(cgroupChoice(pureV2, 'memory')).toEqual({ v1Index: 4, useV1: false });
    expect(cgroupChoice(hybrid, false)).toEqual({ v1Index: 0, useV1: false });
    expect(cgroupChoice(hybrid, 'nosuch')).toEqual({ v1Index: 0, useV1: false });
  });

  it('passes the parameters in the order the program documents', () => {
    expect(programArgs([10, 20, 30], { v1Index: 4, useV1: true }, { comm: 1752, pidNumbers: 144, savedAuxv: 512, unixAddressName: 8 }, 143))
      .toEqual(['10', '20', '4', '1', '1752', '144', '512', '8', '143']);
    expect(programArgs([10], { v1Index: 0, useV1: false }, { comm: 1, pidNumbers: 2, savedAuxv: 3, unixAddressName: 4 }, 99)[1]).toBe('0');
    const header = program.slice(0, program.indexOf('BEGIN'));
    for (const p of ['ignore-pid', 'cgroup-v1-subsys-index', 'offsetof(task_struct,comm)', 'offsetof(unix_address,name)', 'BPFTRACE_STRLEN - 1']) {
      expect(header).toContain(p);
    }
    expect(program).toContain('$9');
    expect(program).not.toContain('$10');
  });
});

describe('eBPF program – agreements with the adapter', () => {
  const header = program.slice(program.indexOf('// Kinds'), program.indexOf('// Saved enter arguments'));
  const kinds = new Map<number, string>();
  for (const m of header.matchAll(/(\d+) ([a-z_0-9]+)/g)) kinds.set(Number(m[1]), m[2]!);

  it('documents exactly the kinds the adapter knows, under the same names', () => {
    const table = new Map<number, string>([...E_KINDS].map(([k, v]) => [k, v.type]));
    for (const [k, v] of OTHER_KINDS) table.set(k, v);
    expect([...kinds.keys()].sort((a, b) => a - b)).toEqual([...table.keys()].sort((a, b) => a - b));
    for (const [k, name] of kinds) {
      // fchmodat2 is reported as fchmodat, like Falco does
      expect(table.get(k)).toBe(k === 42 ? 'fchmodat' : name);
    }
  });

  it('saves each syscall under its own kind at enter', () => {
    const blocks = program.split('\n\n');
    let checked = 0;
    for (const b of blocks) {
      const m = /^tracepoint:syscalls:sys_enter_([a-z0-9_]+)\n/.exec(b);
      if (m === null) continue;
      const k = /@[exc]\[(?:tid|pid)\] = \(\(int64\)(\d+),/.exec(b);
      expect(k, `kind saved by sys_enter_${m[1]}`).not.toBeNull();
      const name = kinds.get(Number(k![1]));
      expect(name === m[1] || (m[1] === 'umount' && name === 'umount2'), `sys_enter_${m[1]} saves kind ${k![1]} (${name})`).toBe(true);
      checked++;
    }
    expect(checked).toBe(51);
  });

  it('has an exit probe for every syscall it saves arguments for (process creation: sched_process_fork)', () => {
    const points = attachPoints(program);
    const forks = ['clone', 'clone3', 'fork', 'vfork'].map((s) => `tracepoint:syscalls:sys_enter_${s}`);
    for (const p of points.filter((x) => x.includes('sys_enter_') && !forks.includes(x))) {
      expect(points).toContain(p.replace('sys_enter_', 'sys_exit_'));
    }
    expect(points).toContain('tracepoint:sched:sched_process_fork');
  });

  it('repeats the identity section identically in every exit block', () => {
    const copies = [...program.matchAll(/\/\/ >>> identity\n([\s\S]*?)\/\/ <<< identity/g)].map((m) => m[1]);
    expect(copies.length).toBe(5);
    for (const c of copies) expect(c).toBe(copies[0]);
  });

  it('ends with the sched_process_exit block, which the launcher relies on to know every probe is attached', () => {
    const points = attachPoints(program);
    expect(points.at(-1)).toBe('tracepoint:sched:sched_process_exit');
  });

  it('prints at most one string per printf (the BPF stack holds one)', () => {
    for (const line of program.split('\n')) {
      const m = /printf\("([^"]*)"/.exec(line);
      if (m === null) continue;
      expect((m[1]!.match(/%s/g) ?? []).length, line).toBeLessThanOrEqual(1);
      if (m[1]!.includes('%s')) expect(m[1]!.endsWith('|%s'), line).toBe(true);
    }
  });
});
