// The sensor's record kinds (sensor/peregrine.bt, header comment): for each kind code, the event
// type it becomes and where each native argument comes from. For E records the sources are the
// saved numbers a0..a3 and the strings p0 (the record's tail), p1 and p2 (S slots 1 and 2); the
// names are Falco's exit-parameter names (spec event-sources §1.5), as the native schema asks.

/** How a raw number becomes an argument: signed 32-bit (fds, dirfds), unsigned 32-bit, or as is. */
export type NumConv = 'i32' | 'u32' | 'num';

export type ArgSource =
  | { readonly name: string; readonly from: 'a0' | 'a1' | 'a2' | 'a3'; readonly conv: NumConv }
  | { readonly name: string; readonly from: 'p0' | 'p1' | 'p2' };

export interface EKind {
  readonly type: string;
  readonly args: readonly ArgSource[];
}

const n = (name: string, from: 'a0' | 'a1' | 'a2' | 'a3', conv: NumConv = 'u32'): ArgSource => ({ name, from, conv });
const s = (name: string, from: 'p0' | 'p1' | 'p2'): ArgSource => ({ name, from });

/** E records: syscalls with up to four numbers and three strings. */
export const E_KINDS: ReadonlyMap<number, EKind> = new Map<number, EKind>([
  [1, { type: 'open', args: [s('name', 'p0'), n('flags', 'a0'), n('mode', 'a1')] }],
  [2, { type: 'openat', args: [n('dirfd', 'a3', 'i32'), s('name', 'p0'), n('flags', 'a0'), n('mode', 'a1')] }],
  [3, { type: 'openat2', args: [n('dirfd', 'a3', 'i32'), s('name', 'p0'), n('flags', 'a0'), n('mode', 'a1'), n('resolve', 'a2')] }],
  [4, { type: 'creat', args: [s('name', 'p0'), n('flags', 'a0'), n('mode', 'a1')] }],
  [5, { type: 'unlink', args: [s('path', 'p0')] }],
  [6, { type: 'unlinkat', args: [n('dirfd', 'a3', 'i32'), s('name', 'p0'), n('flags', 'a0')] }],
  [7, { type: 'rename', args: [s('oldpath', 'p0'), s('newpath', 'p1')] }],
  [8, { type: 'renameat', args: [n('olddirfd', 'a0', 'i32'), s('oldpath', 'p0'), n('newdirfd', 'a1', 'i32'), s('newpath', 'p1')] }],
  [9, { type: 'renameat2', args: [n('olddirfd', 'a0', 'i32'), s('oldpath', 'p0'), n('newdirfd', 'a1', 'i32'), s('newpath', 'p1'), n('flags', 'a2')] }],
  [10, { type: 'chmod', args: [s('filename', 'p0'), n('mode', 'a1')] }],
  [11, { type: 'fchmod', args: [n('fd', 'a0', 'i32'), n('mode', 'a1')] }],
  [12, { type: 'fchmodat', args: [n('dirfd', 'a3', 'i32'), s('filename', 'p0'), n('mode', 'a1')] }],
  [13, { type: 'chdir', args: [s('path', 'p0')] }],
  [14, { type: 'fchdir', args: [n('fd', 'a0', 'i32')] }],
  [15, { type: 'mkdir', args: [s('path', 'p0'), n('mode', 'a1')] }],
  [16, { type: 'mkdirat', args: [n('dirfd', 'a3', 'i32'), s('path', 'p0'), n('mode', 'a1')] }],
  [17, { type: 'rmdir', args: [s('path', 'p0')] }],
  [18, { type: 'symlink', args: [s('target', 'p1'), s('linkpath', 'p0')] }],
  [19, { type: 'symlinkat', args: [s('target', 'p1'), n('linkdirfd', 'a3', 'i32'), s('linkpath', 'p0')] }],
  [20, { type: 'link', args: [s('oldpath', 'p0'), s('newpath', 'p1')] }],
  [21, { type: 'linkat', args: [n('olddir', 'a0', 'i32'), s('oldpath', 'p0'), n('newdir', 'a1', 'i32'), s('newpath', 'p1'), n('flags', 'a2')] }],
  [22, { type: 'mount', args: [s('dev', 'p1'), s('dir', 'p0'), s('type', 'p2'), n('flags', 'a0', 'num')] }],
  [23, { type: 'umount2', args: [s('name', 'p0'), n('flags', 'a0')] }],
  [24, { type: 'memfd_create', args: [s('name', 'p0'), n('flags', 'a0')] }],
  [25, { type: 'init_module', args: [n('length', 'a0', 'num'), s('uargs', 'p0')] }],
  [26, { type: 'finit_module', args: [n('fd', 'a0', 'i32'), s('uargs', 'p0'), n('flags', 'a1')] }],
  [27, { type: 'setuid', args: [n('uid', 'a0')] }],
  [28, { type: 'setgid', args: [n('gid', 'a0')] }],
  [29, { type: 'setreuid', args: [n('ruid', 'a0'), n('euid', 'a1')] }],
  [30, { type: 'setregid', args: [n('rgid', 'a0'), n('egid', 'a1')] }],
  [31, { type: 'setresuid', args: [n('ruid', 'a0'), n('euid', 'a1'), n('suid', 'a2')] }],
  [32, { type: 'setresgid', args: [n('rgid', 'a0'), n('egid', 'a1'), n('sgid', 'a2')] }],
  [33, { type: 'setfsuid', args: [n('uid', 'a0')] }],
  [34, { type: 'setfsgid', args: [n('gid', 'a0')] }],
  [35, { type: 'ptrace', args: [n('request', 'a0', 'num'), n('pid', 'a1', 'num')] }],
  [36, { type: 'socket', args: [n('domain', 'a0'), n('type', 'a1'), n('proto', 'a2')] }],
  [37, { type: 'dup', args: [n('oldfd', 'a0', 'i32')] }],
  [38, { type: 'dup2', args: [n('oldfd', 'a0', 'i32'), n('newfd', 'a1', 'i32')] }],
  [39, { type: 'dup3', args: [n('oldfd', 'a0', 'i32'), n('newfd', 'a1', 'i32'), n('flags', 'a2')] }],
  [40, { type: 'setns', args: [n('fd', 'a0', 'i32'), n('nstype', 'a1')] }],
  [41, { type: 'unshare', args: [n('flags', 'a0', 'num')] }],
  // fchmodat2 (Linux 6.6) is fchmodat with flags; Falco's rules know it as fchmodat.
  [42, { type: 'fchmodat', args: [n('dirfd', 'a3', 'i32'), s('filename', 'p0'), n('mode', 'a1'), n('flags', 'a0')] }],
]);

/** X, N, F and Q records: kind code → event type. */
export const OTHER_KINDS: ReadonlyMap<number, string> = new Map([
  [50, 'execve'], [51, 'execveat'],
  [60, 'connect'], [61, 'accept'], [62, 'accept4'],
  [70, 'clone'], [71, 'clone3'], [72, 'fork'], [73, 'vfork'],
  [80, 'procexit'],
]);

/** Kinds whose E record carries the cwd the syscall left behind (S slot 3 on success). */
export const CHDIR_KINDS: ReadonlySet<number> = new Set([13, 14]);
