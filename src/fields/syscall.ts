// Field definitions for the `syscall` source: every field the upstream Falco rules use plus the
// common libsinsp classes (evt, proc/thread, fd, fs.path, user, group) and the container plugin's
// container.* and k8s.* fields. Types and descriptions follow ../shared/spec/libsinsp-fields.tsv.

import { hostname as osHostname } from 'node:os';
import { liveProcess, type Container, type Fd, type Process, type SyscallEvent } from '../event/types.js';
import { openMode, resultText } from '../event/flags.js';
import { defineField, none, throughPart, type FieldSpec } from './define.js';
import { FieldRegistry } from './registry.js';
import type { FieldDef, FieldType } from './types.js';
import { dateTimeText, nsDiff, timeIsoText, timeSecondsText, timeText, timestampJson } from './time.js';
import { globMatch } from '../condition/glob.js';

type Ev = SyscallEvent;
type Spec = FieldSpec<Ev>;

const MAX_ANCESTRY = 256;

/**
 * Fields whose extraction joins, formats, parses or walks (beyond reading a few properties): the
 * condition compiler remembers their value per event (ancestor fields are marked where defined).
 */
const COSTLY: ReadonlySet<string> = new Set([
  'evt.time', 'evt.time.s', 'evt.time.iso8601', 'evt.datetime', 'evt.datetime.s', 'evt.rawtime', 'evt.rawtime.s',
  'evt.rawtime.ns', 'evt.outputtime', 'evt.args', 'evt.info', 'evt.arg', 'evt.rawarg', 'evt.abspath', 'evt.buflen',
  'evt.is_open_read', 'evt.is_open_write', 'evt.is_open_exec', 'evt.is_open_create',
  'fd.directory', 'fd.filename', 'fd.uid', 'fd.containername', 'fd.containerdirectory',
  'fs.path.name', 'fs.path.nameraw', 'fs.path.source', 'fs.path.sourceraw', 'fs.path.target', 'fs.path.targetraw',
  'proc.args', 'proc.aargs', 'proc.cmdline', 'proc.pcmdline', 'proc.exeline', 'proc.cmdlenargs', 'proc.env', 'proc.aenv',
  'proc.loginshellid', 'proc.sname', 'proc.sid.exe', 'proc.sid.exepath', 'proc.vpgid.name', 'proc.vpgid.exe',
  'proc.vpgid.exepath', 'proc.pgid.name', 'proc.pgid.exe', 'proc.pgid.exepath', 'proc.duration', 'proc.ppid.duration',
  'proc.pid.ts', 'proc.ppid.ts', 'proc.exe_ino.ctime', 'proc.exe_ino.mtime', 'proc.exe_ino.ctime_duration_proc_start',
  'container.mounts', 'container.mount', 'container.mount.source', 'container.mount.dest', 'container.mount.mode',
  'container.mount.rdwr', 'container.mount.propagation', 'container.labels', 'container.start_ts', 'container.duration',
  'k8s.pod.labels',
]);

// ------------------------------------------------------------------------------------------ helpers

/**
 * The parent as the kernel sees it now: a parent that exited is replaced by the process that reaped
 * its children (the state table marks exited processes; it relinks a child itself only at the
 * child's next event).
 */
function parentOf(p: Process): Process | undefined {
  return liveProcess(p.parent);
}

function ancestor(p: Process, level: number): Process | undefined {
  let cur: Process | undefined = p;
  for (let i = 0; i < level && cur !== undefined; i++) cur = parentOf(cur);
  return cur;
}

/** Ancestors starting at the parent, bounded so a corrupt parent chain cannot loop forever. */
function ancestors(p: Process): Process[] {
  const out: Process[] = [];
  for (let cur = parentOf(p); cur !== undefined && out.length < MAX_ANCESTRY; cur = parentOf(cur)) out.push(cur);
  return out;
}

/** name + args; unknown (not just the name) while the arguments are unknown. */
export function cmdlineOf(p: Process): string | undefined {
  if (p.name === undefined || p.args === undefined) return undefined;
  return p.args.length > 0 ? `${p.name} ${p.args.join(' ')}` : p.name;
}

function exelineOf(p: Process): string | undefined {
  if (p.exe === undefined || p.args === undefined) return undefined;
  return p.args.length > 0 ? `${p.exe} ${p.args.join(' ')}` : p.exe;
}

function envValue(p: Process, key: string): string | undefined {
  const env = p.env;
  if (env === undefined) return undefined;
  const prefix = `${key}=`;
  for (const kv of env) if (kv.startsWith(prefix)) return kv.slice(prefix.length);
  return undefined;
}

function leaderOf(p: Process, id: number | undefined, virtual: boolean): Process | undefined {
  if (id === undefined) return undefined;
  for (let cur: Process | undefined = p, n = 0; cur !== undefined && n < MAX_ANCESTRY; cur = parentOf(cur), n++) {
    const pid = virtual ? (cur.vpid ?? cur.pid) : cur.pid;
    if (pid === id) return cur;
  }
  return undefined;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return path;
  return i === 0 ? '/' : path.slice(0, i);
}

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** fd.typechar (a switch: on the hot path, and free of prototype keys). */
function typeChar(type: string): string {
  switch (type) {
    case 'file': return 'f';
    case 'ipv4': return '4';
    case 'ipv6': return '6';
    case 'unix': return 'u';
    case 'directory': return 'd';
    case 'pipe': return 'p';
    case 'event': return 'e';
    case 'signalfd': return 's';
    case 'eventpoll': return 'l';
    case 'inotify': return 'i';
    case 'timerfd': return 't';
    case 'netlink': return 'n';
    case 'bpf': return 'b';
    case 'userfaultfd': return 'u';
    case 'io_uring': return 'r';
    case 'memfd': return 'm';
    case 'pidfd': return 'P';
    default: return 'o';
  }
}

const OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'open_by_handle_at', 'creat']);
const SOCKET_TYPES: ReadonlySet<string> = new Set(['ipv4', 'ipv6', 'unix', 'netlink']);

const CATEGORY: Record<string, string> = {};
for (const t of ['open', 'openat', 'openat2', 'creat', 'close', 'read', 'write', 'pread', 'pwrite', 'readv', 'writev',
  'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'mkdir', 'mkdirat', 'rmdir', 'chmod', 'fchmod',
  'fchmodat', 'chown', 'fchown', 'fchownat', 'link', 'linkat', 'symlink', 'symlinkat', 'stat', 'lstat', 'fstat',
  'access', 'faccessat', 'truncate', 'ftruncate', 'open_by_handle_at', 'dup', 'dup2', 'dup3', 'mount', 'umount',
  'umount2', 'memfd_create', 'fcntl', 'ioctl', 'sendfile', 'splice', 'getdents', 'getdents64', 'lseek']) {
  CATEGORY[t] = 'file';
}
for (const t of ['socket', 'connect', 'accept', 'accept4', 'bind', 'listen', 'sendto', 'recvfrom', 'sendmsg',
  'recvmsg', 'sendmmsg', 'recvmmsg', 'shutdown', 'socketpair', 'setsockopt', 'getsockopt', 'getsockname',
  'getpeername']) {
  CATEGORY[t] = 'net';
}
for (const t of ['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'procexit', 'exit', 'exit_group', 'kill',
  'tkill', 'tgkill', 'ptrace', 'setuid', 'setgid', 'setresuid', 'setresgid', 'setreuid', 'setregid', 'setns',
  'unshare', 'chroot', 'chdir', 'fchdir', 'prctl', 'capset', 'init_module', 'finit_module', 'delete_module',
  'bpf', 'seccomp', 'setsid', 'setpgid', 'userfaultfd']) {
  CATEGORY[t] = 'process';
}
for (const t of ['mmap', 'munmap', 'mprotect', 'brk', 'mlock', 'munlock', 'madvise']) CATEGORY[t] = 'memory';
for (const t of ['pipe', 'pipe2', 'eventfd', 'eventfd2', 'signalfd', 'signalfd4', 'futex']) CATEGORY[t] = 'ipc';
CATEGORY['container'] = 'internal';

// Derivations through the event's process, fd or container (described with throughPart).
const procOf = (ev: Ev): Process | undefined => ev.proc;
const fdOf = (ev: Ev): Fd | undefined => ev.fd;

const proc = (f: (p: Process, ev: Ev) => unknown): ((ev: Ev) => unknown) => throughPart(procOf, f, (ev) => {
  const p = ev.proc;
  return p === undefined ? undefined : f(p, ev);
});

const fdf = (f: (fd: Fd, ev: Ev) => unknown): ((ev: Ev) => unknown) => throughPart(fdOf, f, (ev) => {
  const fd = ev.fd;
  return fd === undefined ? undefined : f(fd, ev);
});

function containerOf(ev: Ev): Container | undefined {
  return ev.proc?.container ?? ev.container;
}

const ctr = (f: (c: Container, ev: Ev) => unknown): ((ev: Ev) => unknown) => throughPart(containerOf, f, (ev) => {
  const c = containerOf(ev);
  return c === undefined ? undefined : f(c, ev);
});

/** For fields that exist only for real containers: host processes report nothing. */
const inContainer = (f: (c: Container) => unknown) => ctr((c) => (c.id === 'host' ? undefined : f(c)));

const k8s = (f: (pod: NonNullable<Container['k8s']>) => unknown) => ctr((c) => (c.k8s === undefined ? undefined : f(c.k8s)));

function parseIndex(arg: string | undefined): number | undefined {
  return arg === undefined ? undefined : Number(arg);
}

/** Own-property lookup: keys come from rule text and event data, so never reach the prototype. */
function own<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** An argument as libsinsp's evt.arg renders it: a string. */
function argText(ev: Ev, name: string): string | undefined {
  const v = own(ev.args, name);
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.join(' ');
  return String(v);
}

function argsTextOf(ev: Ev): string | undefined {
  if (ev.argsText !== undefined) return ev.argsText;
  const keys = Object.keys(ev.args);
  if (keys.length === 0) return ev.res === undefined ? undefined : `res=${ev.res}`;
  const parts: string[] = [];
  if (ev.res !== undefined) parts.push(`res=${ev.res}`);
  for (const k of keys) parts.push(`${k}=${argText(ev, k) ?? ''}`);
  return parts.join(' ');
}

function openIntent(ev: Ev): ReturnType<typeof openMode> {
  if (!OPEN_TYPES.has(ev.type)) return undefined;
  if (ev.type === 'creat') return { read: false, write: true, create: true };
  const fromFd = ev.fd?.openFlags;
  return openMode(fromFd !== undefined ? fromFd : ev.args['flags']);
}

function pathArg(ev: Ev, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = ev.args[n];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------- fields

export interface SyscallFieldOptions {
  /** evt.hostname: defaults to $FALCO_HOSTNAME, then the machine's host name. */
  readonly hostname?: string;
}

export function syscallFieldDefs(options: SyscallFieldOptions = {}): FieldDef[] {
  const host = options.hostname ?? process.env['FALCO_HOSTNAME'] ?? osHostname();
  const defs: FieldDef[] = [];
  const add = (name: string, spec: Spec): void => {
    defs.push(defineField<Ev>('syscall', name, COSTLY.has(name) ? { ...spec, costly: true } : spec));
  };
  const simple = (name: string, type: FieldType, desc: string, f: (ev: Ev) => unknown, extra: Partial<Spec> = {}): void =>
    add(name, { type, desc, make: () => f, ...extra });
  const missing = (name: string, type: FieldType, desc: string, extra: Partial<Spec> = {}): void =>
    add(name, { type, desc, make: () => none, ...extra });

  // ---- evt.*
  simple('evt.num', 'uint', 'event number.', (ev) => ev.num);
  simple('evt.time', 'string', 'event timestamp as a time string that includes the nanosecond part.',
    (ev) => timeText(ev.ts), { json: () => (ev) => timestampJson(ev.ts) });
  simple('evt.time.s', 'string', 'event timestamp as a time string with no nanoseconds.',
    (ev) => timeSecondsText(ev.ts), { json: () => (ev) => timestampJson(ev.ts) });
  simple('evt.time.iso8601', 'string', 'event timestamp in ISO 8601 format, including nanoseconds and time zone offset (in UTC).',
    (ev) => timeIsoText(ev.ts), { json: () => (ev) => timestampJson(ev.ts) });
  simple('evt.datetime', 'string', 'event timestamp as a time string that includes the date.',
    (ev) => dateTimeText(ev.ts), { json: () => (ev) => timestampJson(ev.ts) });
  simple('evt.datetime.s', 'string', 'event timestamp as a datetime string with no nanoseconds.',
    (ev) => dateTimeText(ev.ts, false), { json: () => (ev) => timestampJson(ev.ts) });
  simple('evt.rawtime', 'abstime', 'absolute event timestamp, i.e. nanoseconds from epoch.', (ev) => timestampJson(ev.ts));
  simple('evt.rawtime.s', 'abstime', 'integer part of the event timestamp (e.g. seconds since epoch).',
    (ev) => (ev.ts === '' ? undefined : Number(ev.ts.slice(0, -9) || '0')));
  simple('evt.rawtime.ns', 'abstime', 'fractional part of the absolute event timestamp.',
    (ev) => (ev.ts === '' ? undefined : Number(ev.ts.slice(-9))));
  missing('evt.reltime', 'reltime', 'number of nanoseconds from the beginning of the capture.');
  missing('evt.reltime.s', 'reltime', 'number of seconds from the beginning of the capture.');
  missing('evt.reltime.ns', 'reltime', 'fractional part (in ns) of the time from the beginning of the capture.');
  simple('evt.outputtime', 'string', 'this depends on -t param, default is %evt.time (\'h\').',
    (ev) => timeText(ev.ts), { json: () => (ev) => timestampJson(ev.ts) });
  missing('evt.deltatime', 'reltime', 'delta between this event and the previous event, in nanoseconds.');
  missing('evt.deltatime.s', 'reltime', 'integer part of the delta between this event and the previous event.');
  missing('evt.deltatime.ns', 'reltime', 'fractional part of the delta between this event and the previous event.');
  for (const n of ['evt.latency', 'evt.latency.s', 'evt.latency.ns']) {
    missing(n, 'reltime', 'delta between an exit event and the correspondent enter event (deprecated).', { deprecated: true });
  }
  missing('evt.latency.human', 'string', 'delta between an exit event and the correspondent enter event, as a human readable string (deprecated).', { deprecated: true });
  missing('evt.wait_latency', 'reltime', 'time spent waiting for events that make the thread wait (deprecated).', { deprecated: true });
  simple('evt.dir', 'string', "event direction can be either '>' for enter events or '<' for exit events (deprecated).",
    (ev) => ev.dir, { deprecated: true });
  simple('evt.type', 'string', "The name of the event (e.g. 'open').", (ev) => (ev.type === '' ? undefined : ev.type));
  add('evt.type.is', {
    type: 'uint', desc: 'allows one to specify an event type, and returns 1 for events that are of that type.',
    arg: 'key', argRequired: true, dotted: true,
    make: (arg) => (ev) => (ev.type === arg ? 1 : 0),
  });
  simple('syscall.type', 'string', "For system call events, the name of the system call (e.g. 'open').",
    (ev) => (ev.type === '' || ev.type === 'procexit' || ev.type === 'container' ? undefined : ev.type));
  simple('evt.category', 'string', "The event category, e.g. 'file', 'net', 'process'.",
    (ev) => (ev.type === '' ? undefined : CATEGORY[ev.type] ?? 'other'));
  simple('evt.cpu', 'int', 'number of the CPU where this event happened.', (ev) => ev.cpu);
  simple('evt.args', 'string', 'all the event arguments, aggregated into a single string.', argsTextOf);
  simple('evt.info', 'string', "Currently, this field returns the same value as 'evt.args'.", argsTextOf);
  add('evt.arg', {
    type: 'string', arg: 'key', argRequired: true, dotted: true,
    desc: "one of the event arguments specified by name or by number, e.g. 'evt.arg.fd' or 'evt.arg[0]'.",
    make: (arg) => {
      const name = arg ?? '';
      if (/^[0-9]+$/.test(name)) {
        const idx = Number(name);
        return (ev) => {
          const key = Object.keys(ev.args)[idx];
          return key === undefined ? undefined : argText(ev, key);
        };
      }
      if (name === 'res') return (ev) => (ev.args['res'] !== undefined ? argText(ev, 'res') : ev.res === undefined ? undefined : String(ev.res));
      return (ev) => argText(ev, name);
    },
  });
  add('evt.rawarg', {
    type: 'int', arg: 'key', argRequired: true, dotted: true, noRhs: true, noTransformer: true,
    desc: "one of the event arguments specified by name, as its raw value. E.g. 'evt.rawarg.fd'.",
    make: (arg) => (ev) => {
      if (arg === 'res' && ev.args['res'] === undefined) return ev.res;
      const raw = own(ev.rawArgs, arg ?? '');
      if (raw !== undefined) return raw;
      const v = own(ev.args, arg ?? '');
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && /^-?[0-9]+/.test(v)) return parseInt(v, 10);
      return v;
    },
  });
  simple('evt.buffer', 'bytes', 'the binary data buffer for events that have one, like read(), recvfrom(), etc.',
    (ev) => ev.args['data'] ?? ev.args['buffer']);
  simple('evt.buflen', 'uint', 'the length of the binary data buffer for events that have one.', (ev) => {
    const b = ev.args['data'] ?? ev.args['buffer'];
    return typeof b === 'string' ? Buffer.byteLength(b, 'latin1') : typeof ev.args['size'] === 'number' ? ev.args['size'] : undefined;
  });
  simple('evt.res', 'string', "event return value, as a string: 'SUCCESS', or the error code (e.g. 'ENOENT').",
    (ev) => (ev.res === undefined ? undefined : resultText(ev.res)));
  simple('evt.rawres', 'int', 'event return value, as a number (e.g. -2).', (ev) => ev.res);
  simple('evt.failed', 'bool', "'true' for events that returned an error status.",
    (ev) => (ev.res === undefined ? (ev.type === '' ? undefined : false) : ev.res < 0));
  const ioRead = new Set(['read', 'readv', 'pread', 'preadv', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg']);
  const ioWrite = new Set(['write', 'writev', 'pwrite', 'pwritev', 'send', 'sendto', 'sendmsg', 'sendmmsg']);
  simple('evt.is_io', 'bool', "'true' for events that read or write to FDs.", (ev) => ioRead.has(ev.type) || ioWrite.has(ev.type));
  simple('evt.is_io_read', 'bool', "'true' for events that read from FDs.", (ev) => ioRead.has(ev.type));
  simple('evt.is_io_write', 'bool', "'true' for events that write to FDs.", (ev) => ioWrite.has(ev.type));
  simple('evt.io_dir', 'string', "'r' for events that read from FDs, 'w' for events that write to FDs.",
    (ev) => (ioRead.has(ev.type) ? 'r' : ioWrite.has(ev.type) ? 'w' : undefined));
  simple('evt.is_wait', 'bool', "'true' for events that make the thread wait.",
    (ev) => ['nanosleep', 'select', 'poll', 'epoll_wait', 'futex', 'wait4'].includes(ev.type));
  simple('evt.is_syslog', 'bool', "'true' for events that are writes to /dev/log.",
    (ev) => ioWrite.has(ev.type) && ev.fd?.name === '/dev/log');
  simple('evt.count', 'uint', 'This filter field always returns 1.', () => 1);
  simple('evt.count.error', 'uint', 'returns 1 for events that returned with an error.', (ev) => (ev.res !== undefined && ev.res < 0 ? 1 : 0));
  for (const [suffix, cat] of [['file', 'file'], ['net', 'net'], ['memory', 'memory'], ['other', 'other']] as const) {
    simple(`evt.count.error.${suffix}`, 'uint', `returns 1 for ${cat} events that returned with an error.`,
      (ev) => (ev.res !== undefined && ev.res < 0 && (CATEGORY[ev.type] ?? 'other') === cat ? 1 : 0));
  }
  simple('evt.count.exit', 'uint', 'returns 1 for exit events.', (ev) => (ev.dir === '<' ? 1 : 0));
  add('evt.abspath', {
    type: 'string', arg: 'key', argRequired: true, dotted: true,
    desc: 'Absolute path calculated from dirfd and name during syscalls like renameat and symlinkat.',
    make: (arg) => (ev) => {
      const p = argText(ev, arg === 'src' ? 'oldpath' : arg === 'dst' ? 'newpath' : arg ?? '') ?? argText(ev, 'name');
      if (p === undefined) return undefined;
      if (p.startsWith('/')) return p;
      const cwd = ev.proc?.cwd;
      return cwd === undefined ? undefined : `${cwd.replace(/\/$/, '')}/${p}`;
    },
  });
  simple('evt.is_open_read', 'bool', "'true' for open/openat/openat2 events where the path was opened for reading.",
    (ev) => { const m = openIntent(ev); return m === undefined ? OPEN_TYPES.has(ev.type) ? undefined : false : m.read; });
  simple('evt.is_open_write', 'bool', "'true' for open/openat/openat2 events where the path was opened for writing.",
    (ev) => { const m = openIntent(ev); return m === undefined ? OPEN_TYPES.has(ev.type) ? undefined : false : m.write; });
  simple('evt.is_open_exec', 'bool', "'true' for open/openat/openat2 or creat events where a file is created with execute permissions.",
    (ev) => {
      const m = openIntent(ev);
      if (m === undefined) return OPEN_TYPES.has(ev.type) ? undefined : false;
      const mode = ev.args['mode'];
      const bits = typeof mode === 'number' ? mode : typeof mode === 'string' ? parseInt(mode, 8) : 0;
      return m.create && (bits & 0o111) !== 0;
    });
  simple('evt.is_open_create', 'bool', "'true' for open/openat/openat2 events where a file is created.",
    (ev) => { const m = openIntent(ev); return m === undefined ? OPEN_TYPES.has(ev.type) ? undefined : false : m.create; });
  simple('evt.source', 'string', 'the name of the source that produced the event.', (ev) => ev.source);
  simple('evt.is_async', 'bool', "'true' for asynchronous events, 'false' otherwise.", (ev) => ev.type === 'container');
  simple('evt.asynctype', 'string', "If the event is asynchronous, the type of the event (e.g. 'container').",
    (ev) => (ev.type === 'container' ? 'container' : undefined));
  simple('evt.hostname', 'string', 'The hostname of the underlying host ($FALCO_HOSTNAME overrides it).', () => host);
  missing('evt.pluginname', 'string', 'if the event comes from a plugin-defined event source, the name of the plugin.');
  missing('evt.plugininfo', 'string', 'if the event comes from a plugin-defined event source, a summary of the event.');

  // ---- fd.*
  simple('fd.num', 'int', 'the unique number identifying the file descriptor.', (ev) => {
    // NaN: the source described the fd but not its number.
    if (ev.fd !== undefined) return Number.isNaN(ev.fd.num) ? undefined : ev.fd.num;
    const a = ev.rawArgs?.['fd'] ?? ev.args['fd'];
    return typeof a === 'number' ? a : undefined;
  });
  simple('fd.type', 'string', "type of FD. Can be 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', 'eventpoll', 'inotify', 'signalfd' or 'memfd'.",
    fdf((fd) => fd.type));
  simple('fd.typechar', 'string', "type of FD as a single character: 'f' file, 4 IPv4, 6 IPv6, 'u' unix, 'p' pipe, 'e' eventfd, 's' signalfd, 'l' eventpoll, 'i' inotify, 'b' bpf, 'r' io_uring, 'm' memfd.",
    fdf((fd) => (fd.type === undefined ? undefined : typeChar(fd.type))));
  simple('fd.name', 'string', 'FD full name. If the fd is a file, this field contains the full path. If the FD is a socket, this field contain the connection tuple.',
    fdf((fd) => fd.name));
  simple('fd.directory', 'string', 'If the fd is a file, the directory that contains it.', fdf((fd) => {
    if (fd.name === undefined) return undefined;
    if (fd.type === 'directory') return fd.name;
    return fd.type === 'file' || fd.type === undefined || fd.type === 'memfd' ? dirname(fd.name) : undefined;
  }));
  simple('fd.filename', 'string', 'If the fd is a file, the filename without the path.', fdf((fd) =>
    fd.name !== undefined && (fd.type === 'file' || fd.type === undefined || fd.type === 'memfd') ? basename(fd.name) : undefined));
  simple('fd.nameraw', 'string', 'FD full name raw. Just like fd.name, but only used if fd is a file path. File path is kept raw with limited sanitization and without deriving the absolute path.',
    fdf((fd) => fd.nameraw ?? fd.name));
  const both = (a: unknown, b: unknown): unknown[] | undefined => {
    const out: unknown[] = [];
    if (a !== undefined) out.push(a);
    if (b !== undefined) out.push(b);
    return out.length === 0 ? undefined : out;
  };
  const flt = { filterOnly: true, noRhs: true, noTransformer: true } as const;
  add('fd.ip', { type: 'ipaddr', desc: 'matches the ip address (client or server) of the fd.', multi: 'any', ...flt,
    make: () => fdf((fd) => both(fd.cip, fd.sip)) });
  simple('fd.cip', 'ipaddr', 'client IP address.', fdf((fd) => fd.cip));
  simple('fd.sip', 'ipaddr', 'server IP address.', fdf((fd) => fd.sip));
  simple('fd.lip', 'ipaddr', 'local IP address.', fdf((fd) => (fd.isServer ? fd.sip : fd.cip)));
  simple('fd.rip', 'ipaddr', 'remote IP address.', fdf((fd) => (fd.isServer ? fd.cip : fd.sip)));
  add('fd.port', { type: 'port', desc: 'matches the port (either client or server) of the fd.', multi: 'any', ...flt,
    make: () => fdf((fd) => both(fd.cport, fd.sport)) });
  simple('fd.cport', 'port', 'for TCP/UDP FDs, the client port.', fdf((fd) => fd.cport));
  simple('fd.sport', 'port', 'for TCP/UDP FDs, server port.', fdf((fd) => fd.sport));
  simple('fd.lport', 'port', 'for TCP/UDP FDs, the local port.', fdf((fd) => (fd.isServer ? fd.sport : fd.cport)));
  simple('fd.rport', 'port', 'for TCP/UDP FDs, the remote port.', fdf((fd) => (fd.isServer ? fd.cport : fd.sport)));
  simple('fd.l4proto', 'string', "the IP protocol of a socket. Can be 'tcp', 'udp', 'icmp' or 'raw'.", fdf((fd) => fd.l4proto));
  simple('fd.sockfamily', 'string', "the socket family for socket events. Can be 'ip' or 'unix'.",
    fdf((fd) => (fd.type === 'ipv4' || fd.type === 'ipv6' ? 'ip' : fd.type === 'unix' ? 'unix' : undefined)));
  simple('fd.is_server', 'bool', "'true' if the process owning this FD is the server endpoint in the connection.", fdf((fd) => fd.isServer));
  simple('fd.uid', 'string', 'a unique identifier for the FD, created by chaining the FD number and the thread ID.',
    fdf((fd, ev) => (ev.tid === undefined || Number.isNaN(fd.num) ? undefined : `${ev.tid}${fd.num}`)));
  simple('fd.containername', 'string', 'chaining of the container ID and the FD name.',
    fdf((fd, ev) => { const c = containerOf(ev); return c === undefined || fd.name === undefined ? undefined : `${c.id}:${fd.name}`; }));
  simple('fd.containerdirectory', 'string', 'chaining of the container ID and the directory name.',
    fdf((fd, ev) => { const c = containerOf(ev); return c === undefined || fd.name === undefined ? undefined : `${c.id}:${dirname(fd.name)}`; }));
  add('fd.proto', { type: 'port', desc: 'matches the protocol (either client or server) of the fd.', ...flt, make: () => none });
  for (const w of ['c', 's', 'l', 'r']) missing(`fd.${w}proto`, 'string', `for TCP/UDP FDs, the ${w === 'c' ? 'client' : w === 's' ? 'server' : w === 'l' ? 'local' : 'remote'} protocol.`);
  add('fd.net', { type: 'ipnet', desc: 'matches the IP network (client or server) of the fd.', multi: 'any', ...flt,
    make: () => fdf((fd) => both(fd.cip, fd.sip)) });
  add('fd.cnet', { type: 'ipnet', desc: 'matches the client IP network of the fd.', ...flt, make: () => fdf((fd) => fd.cip) });
  add('fd.snet', { type: 'ipnet', desc: 'matches the server IP network of the fd.', ...flt, make: () => fdf((fd) => fd.sip) });
  add('fd.lnet', { type: 'ipnet', desc: 'matches the local IP network of the fd.', ...flt, make: () => fdf((fd) => (fd.isServer ? fd.sip : fd.cip)) });
  add('fd.rnet', { type: 'ipnet', desc: 'matches the remote IP network of the fd.', ...flt, make: () => fdf((fd) => (fd.isServer ? fd.cip : fd.sip)) });
  simple('fd.connected', 'bool', "for TCP/UDP FDs, 'true' if the socket is connected.",
    fdf((fd) => fd.connected ?? (fd.type === undefined || SOCKET_TYPES.has(fd.type) ? undefined : false)));
  simple('fd.name_changed', 'bool', 'True when an event changes the name of an fd used by this event (connect, accept, bind …).',
    (ev) => (ev.fd === undefined ? undefined : ['connect', 'accept', 'accept4', 'bind', 'sendto', 'sendmsg'].includes(ev.type)));
  for (const w of ['cip', 'sip', 'lip', 'rip']) {
    add(`fd.${w}.name`, { type: 'string', desc: `Domain name associated with the ${w === 'cip' ? 'client' : w === 'sip' ? 'server' : w === 'lip' ? 'local' : 'remote'} IP address.`, noRhs: true, noTransformer: true, make: () => none });
  }
  simple('fd.dev', 'int', 'device number (major/minor) containing the referenced file', fdf((fd) => fd.dev));
  simple('fd.dev.major', 'int', 'major device number containing the referenced file', fdf((fd) => (fd.dev === undefined ? undefined : fd.dev >>> 20)));
  simple('fd.dev.minor', 'int', 'minor device number containing the referenced file', fdf((fd) => (fd.dev === undefined ? undefined : fd.dev & 0xfffff)));
  simple('fd.ino', 'int', 'inode number of the referenced file', fdf((fd) => fd.ino));
  add('fd.types', { type: 'string', desc: 'List of FD types in use. Can be passed an fd number e.g. fd.types[0] to get the type of stdin.',
    arg: 'index', multi: 'list', noRhs: true, make: () => none });
  simple('fd.is_upper_layer', 'bool', "'true' if the fd is of a file in the upper layer of an overlayfs.", fdf((fd) => fd.upperLayer));
  simple('fd.is_lower_layer', 'bool', "'true' if the fd is of a file in the lower layer of an overlayfs.",
    fdf((fd) => (fd.upperLayer === undefined ? undefined : !fd.upperLayer)));
  for (const n of ['nums', 'names', 'cips', 'sips', 'cports', 'sports']) {
    missing(`fdlist.${n}`, 'string', `for poll events, a comma-separated list of the FD ${n} in the fdlist.`);
  }

  // ---- fs.path.*
  const fsName = ['name', 'path', 'pathname', 'filename', 'dir'];
  simple('fs.path.name', 'string', 'For any event type that deals with a filesystem path, the path the file syscall is operating on.',
    (ev) => pathArg(ev, fsName) ?? (OPEN_TYPES.has(ev.type) ? ev.fd?.name : undefined));
  simple('fs.path.nameraw', 'string', 'The path the file syscall is operating on, as passed to the syscall.', (ev) => pathArg(ev, fsName));
  simple('fs.path.source', 'string', 'For events with a source and target path (rename, link, symlink), the source path.',
    (ev) => pathArg(ev, ['oldpath', 'target', 'source']));
  simple('fs.path.sourceraw', 'string', 'The source path as passed to the syscall.', (ev) => pathArg(ev, ['oldpath', 'target', 'source']));
  simple('fs.path.target', 'string', 'For events with a source and target path (rename, link, symlink), the target path.',
    (ev) => pathArg(ev, ['newpath', 'linkpath']));
  simple('fs.path.targetraw', 'string', 'The target path as passed to the syscall.', (ev) => pathArg(ev, ['newpath', 'linkpath']));

  // ---- proc.* / thread.*
  const ancestorField = (name: string, type: FieldType, desc: string, f: (p: Process, ev: Ev) => unknown): void =>
    add(name, {
      type, desc, arg: 'index', noRhs: true, noTransformer: true, costly: true,
      multi: (arg) => (arg === undefined ? 'any' : 'single'),
      make: (arg) => {
        const level = parseIndex(arg);
        if (level === undefined) return proc((p, ev) => ancestors(p).map((a) => f(a, ev)).filter((v) => v !== undefined));
        return proc((p, ev) => { const a = ancestor(p, level); return a === undefined ? undefined : f(a, ev); });
      },
    });
  simple('proc.exe', 'string', 'The first command-line argument (i.e., argv[0]), typically the executable name or a custom one.', proc((p) => p.exe));
  simple('proc.pexe', 'string', 'The proc.exe (first command line argument argv[0]) of the parent process.', proc((p) => parentOf(p)?.exe));
  ancestorField('proc.aexe', 'string', 'The proc.exe for a specific process ancestor: proc.aexe[1] is the parent; without an index, matches any ancestor.', (p) => p.exe);
  simple('proc.exepath', 'string', 'The full executable path of a process, resolving to the canonical path for symlinks.', proc((p) => p.exepath));
  simple('proc.pexepath', 'string', 'The proc.exepath (full executable path) of the parent process.', proc((p) => parentOf(p)?.exepath));
  ancestorField('proc.aexepath', 'string', 'The proc.exepath for a specific process ancestor; without an index, matches any ancestor.', (p) => p.exepath);
  simple('proc.name', 'string', 'The process name (truncated after 16 characters) generating the event (task->comm).', proc((p) => p.name));
  simple('proc.pname', 'string', 'The proc.name (truncated after 16 characters) of the parent process.', proc((p) => parentOf(p)?.name));
  ancestorField('proc.aname', 'string', 'The proc.name for a specific process ancestor: proc.aname[1] is the parent, proc.aname[2] the grandparent; without an index, matches any ancestor.', (p) => p.name);
  add('proc.args', {
    type: 'string', arg: 'index',
    desc: 'The arguments passed on the command line when starting the process generating the event excluding argv[0] (truncated after 4096 bytes).',
    make: (arg) => {
      const i = parseIndex(arg);
      return i === undefined ? proc((p) => (p.args === undefined ? undefined : p.args.join(' '))) : proc((p) => p.args?.[i]);
    },
  });
  add('proc.aargs', {
    type: 'string', arg: 'index', desc: 'The arguments of a specific process ancestor, excluding argv[0].',
    make: (arg) => { const i = parseIndex(arg) ?? 1; return proc((p) => ancestor(p, i)?.args?.join(' ')); },
  });
  simple('proc.cmdline', 'string', 'The concatenation of `proc.name + proc.args` (truncated after 4096 bytes).', proc((p) => cmdlineOf(p)));
  simple('proc.pcmdline', 'string', 'The proc.cmdline (full command line (proc.name + proc.args)) of the parent of the process generating the event.',
    proc((p) => {
      const parent = parentOf(p);
      return parent === undefined ? undefined : cmdlineOf(parent);
    }));
  ancestorField('proc.acmdline', 'string', 'The full command line (proc.name + proc.args) for a specific process ancestor; without an index, matches any ancestor.', (p) => cmdlineOf(p));
  simple('proc.cmdnargs', 'uint', 'The number of command line args (proc.args).', proc((p) => p.args?.length));
  simple('proc.cmdlenargs', 'uint', 'The total count of characters / length of the command line args (proc.args) combined excluding whitespaces between args.',
    proc((p) => p.args?.reduce((n, a) => n + a.length, 0)));
  simple('proc.exeline', 'string', 'The full command line, with exe as first argument (proc.exe + proc.args).', proc((p) => exelineOf(p)));
  add('proc.env', {
    type: 'string', arg: 'key',
    desc: 'The environment variables of the process generating the event as concatenated string; proc.env[NAME] returns the value of NAME.',
    make: (arg) => (arg === undefined ? proc((p) => p.env?.join(' ')) : proc((p) => envValue(p, arg))),
  });
  add('proc.aenv', {
    type: 'string', arg: 'key', noRhs: true, noTransformer: true,
    desc: '[EXPERIMENTAL] The environment of the process or its ancestors: proc.aenv[NAME] searches the process and its ancestors.',
    make: (arg) => (arg === undefined
      ? proc((p) => parentOf(p)?.env?.join(' '))
      : proc((p) => { for (let c: Process | undefined = p, n = 0; c && n < MAX_ANCESTRY; c = parentOf(c), n++) { const v = envValue(c, arg); if (v !== undefined) return v; } return undefined; })),
  });
  simple('proc.cwd', 'string', 'The current working directory of the event.', proc((p) => p.cwd));
  simple('proc.loginshellid', 'int', 'The pid of the oldest shell among the ancestors of the current process, if there is one.',
    proc((p) => {
      let found: number | undefined;
      for (let c: Process | undefined = p, n = 0; c && n < MAX_ANCESTRY; c = parentOf(c), n++) {
        if (c.name !== undefined && /^(ash|bash|csh|ksh|sh|tcsh|zsh|dash|fish)$/.test(c.name)) found = c.pid;
      }
      return found;
    }));
  simple('proc.tty', 'uint', 'The controlling terminal of the process. 0 for processes without a terminal.', proc((p) => p.tty));
  simple('proc.pid', 'int', 'The id of the process generating the event.', proc((p) => p.pid));
  simple('proc.ppid', 'int', 'The pid of the parent of the process generating the event.', proc((p) => (p.parent?.reaper !== undefined ? parentOf(p)?.pid : p.ppid ?? p.parent?.pid)));
  ancestorField('proc.apid', 'int', 'The pid for a specific process ancestor: proc.apid[1] is the parent; without an index, matches any ancestor.', (p) => p.pid);
  simple('proc.vpid', 'int', 'The id of the process generating the event as seen from its current PID namespace.', proc((p) => p.vpid));
  simple('proc.pvpid', 'int', 'The id of the parent process generating the event as seen from its current PID namespace.', proc((p) => parentOf(p)?.vpid));
  simple('proc.sid', 'int', 'The session id of the process generating the event.', proc((p) => p.sid));
  simple('proc.sname', 'string', "The name of the current process's session leader.", proc((p) => leaderOf(p, p.sid, false)?.name));
  simple('proc.sid.exe', 'string', "The argv[0] of the current process's session leader.", proc((p) => leaderOf(p, p.sid, false)?.exe));
  simple('proc.sid.exepath', 'string', "The full executable path of the current process's session leader.", proc((p) => leaderOf(p, p.sid, false)?.exepath));
  simple('proc.vpgid', 'int', 'The process group id of the process generating the event, as seen from its current PID namespace.', proc((p) => p.vpgid));
  simple('proc.vpgid.name', 'string', "The name of the current process's process group leader.", proc((p) => leaderOf(p, p.vpgid, true)?.name));
  simple('proc.vpgid.exe', 'string', "The argv[0] of the current process's process group leader.", proc((p) => leaderOf(p, p.vpgid, true)?.exe));
  simple('proc.vpgid.exepath', 'string', "The full executable path of the current process's process group leader.", proc((p) => leaderOf(p, p.vpgid, true)?.exepath));
  simple('proc.pgid', 'int', 'The process group id of the process generating the event, as seen from the host PID namespace.', proc((p) => p.pgid));
  simple('proc.pgid.name', 'string', "The name of the current process's process group leader (host namespace).", proc((p) => leaderOf(p, p.pgid, false)?.name));
  simple('proc.pgid.exe', 'string', "The argv[0] of the current process's process group leader (host namespace).", proc((p) => leaderOf(p, p.pgid, false)?.exe));
  simple('proc.pgid.exepath', 'string', "The full executable path of the current process's process group leader (host namespace).", proc((p) => leaderOf(p, p.pgid, false)?.exepath));
  simple('proc.duration', 'reltime', 'Number of nanoseconds since the process started.',
    proc((p, ev) => (p.startTs === undefined ? undefined : nsDiff(ev.ts, p.startTs))));
  simple('proc.ppid.duration', 'reltime', 'Number of nanoseconds since the parent process started.',
    proc((p, ev) => {
      const start = parentOf(p)?.startTs;
      return start === undefined ? undefined : nsDiff(ev.ts, start);
    }));
  simple('proc.pid.ts', 'reltime', 'Start of process as epoch timestamp in nanoseconds.', proc((p) => timestampJson(p.startTs ?? '')));
  simple('proc.ppid.ts', 'reltime', 'Start of parent process as epoch timestamp in nanoseconds.', proc((p) => timestampJson(parentOf(p)?.startTs ?? '')));
  simple('proc.is_exe_writable', 'bool', "'true' if this process' executable file is writable by the same user that spawned the process.", proc((p) => p.exeWritable));
  simple('proc.is_exe_upper_layer', 'bool', "'true' if this process' executable file is in upper layer in overlayfs.", proc((p) => p.exeUpperLayer));
  simple('proc.is_exe_lower_layer', 'bool', "'true' if this process' executable file is in lower layer in overlayfs.", proc((p) => p.exeLowerLayer));
  simple('proc.is_exe_from_memfd', 'bool', "'true' if the executable file of the current process is an anonymous file created using memfd_create().", proc((p) => p.exeFromMemfd));
  simple('proc.is_sid_leader', 'bool', "'true' if this process is the leader of the process session, proc.sid == proc.vpid.",
    proc((p) => (p.sid === undefined ? undefined : p.sid === (p.vpid ?? p.pid))));
  simple('proc.is_vpgid_leader', 'bool', "'true' if this process is the leader of the virtual process group, proc.vpgid == proc.vpid.",
    proc((p) => (p.vpgid === undefined ? undefined : p.vpgid === (p.vpid ?? p.pid))));
  simple('proc.is_pgid_leader', 'bool', "'true' if this process is the leader of the process group, proc.pgid == proc.pid.",
    proc((p) => (p.pgid === undefined ? undefined : p.pgid === p.pid)));
  simple('proc.exe_ino', 'int', 'The inode number of the executable file on disk.', proc((p) => p.exeIno));
  simple('proc.exe_ino.ctime', 'abstime', 'Last status change time of executable file (inode->ctime) as epoch timestamp in nanoseconds.', proc((p) => timestampJson(p.exeInoCtime ?? '')));
  simple('proc.exe_ino.mtime', 'abstime', 'Last modification time of executable file (inode->mtime) as epoch timestamp in nanoseconds.', proc((p) => timestampJson(p.exeInoMtime ?? '')));
  simple('proc.exe_ino.ctime_duration_proc_start', 'abstime', 'Number of nanoseconds between modifying status of executable image and spawning a new process using the changed executable image.',
    proc((p) => (p.exeInoCtime === undefined || p.startTs === undefined ? undefined : nsDiff(p.startTs, p.exeInoCtime))));
  missing('proc.exe_ino.ctime_duration_pidns_start', 'abstime', 'Number of nanoseconds between PID namespace start ts and ctime exe file if PID namespace start predates ctime.');
  missing('proc.pidns_init_start_ts', 'uint', 'Start of PID namespace (container or non container pid namespace) as epoch timestamp in nanoseconds.');
  simple('thread.cap_permitted', 'string', 'The permitted capabilities set', proc((p) => p.capPermitted));
  simple('thread.cap_inheritable', 'string', 'The inheritable capabilities set', proc((p) => p.capInheritable));
  simple('thread.cap_effective', 'string', 'The effective capabilities set', proc((p) => p.capEffective));
  for (const n of ['proc.fdopencount', 'proc.vmsize', 'proc.vmrss', 'proc.vmswap', 'thread.pfmajor', 'thread.pfminor',
    'proc.nthreads', 'proc.nchilds', 'thread.vmsize', 'thread.vmrss']) {
    missing(n, 'uint', `${n} (resource accounting; not tracked by Peregrine's sources).`);
  }
  missing('proc.fdlimit', 'int', 'Maximum number of FDs the process can open.');
  missing('proc.fdusage', 'double', 'The ratio between open FDs and maximum available FDs for the process.');
  for (const n of ['thread.cpu', 'thread.cpu.user', 'thread.cpu.system']) missing(n, 'double', `${n}: CPU consumed by the thread in the last second.`);
  missing('thread.exectime', 'reltime', 'CPU time spent by the last scheduled thread, in nanoseconds.');
  missing('thread.totexectime', 'reltime', 'Total CPU time, in nanoseconds since the beginning of the capture, for the current thread.');
  simple('thread.tid', 'int', 'The id of the thread generating the event.', (ev) => ev.tid ?? ev.proc?.tid);
  simple('thread.ismain', 'bool', "'true' if the thread generating the event is the main one in the process.",
    (ev) => { const p = ev.proc; const tid = ev.tid ?? p?.tid; return p === undefined || tid === undefined ? undefined : tid === p.pid; });
  simple('thread.vtid', 'int', 'The id of the thread generating the event as seen from its current PID namespace.', proc((p) => p.vtid));
  simple('thread.cgroups', 'string', 'All cgroups the thread belongs to, aggregated into a single string.', proc((p) => p.cgroups));
  add('thread.cgroup', {
    type: 'string', arg: 'key', argRequired: true, desc: 'The cgroup the thread belongs to, for a specific subsystem. e.g. thread.cgroup.cpuacct.',
    dotted: true, make: () => proc((p) => p.cgroups),
  });
  for (const s of ['stdin', 'stdout', 'stderr']) {
    missing(`proc.${s}.type`, 'string', `The type of file descriptor ${s === 'stdin' ? 0 : s === 'stdout' ? 1 : 2}, corresponding to ${s}, of the process generating the event.`);
    missing(`proc.${s}.name`, 'string', `The name of the file descriptor ${s === 'stdin' ? 0 : s === 'stdout' ? 1 : 2}, corresponding to ${s}, of the process generating the event.`);
  }

  // ---- user.* / group.*
  simple('user.uid', 'uint', 'user ID.', proc((p) => p.uid));
  simple('user.name', 'string', 'user name.', proc((p) => p.user ?? (p.uid === 0 ? 'root' : undefined)));
  missing('user.homedir', 'string', 'home directory of the user.');
  missing('user.shell', 'string', "user's shell.");
  simple('user.loginuid', 'int', 'audit user id (auid); -1 when unset.', proc((p) => p.loginuid));
  simple('user.loginname', 'string', 'audit user name (auid).', proc((p) => p.loginname ?? (p.loginuid === 0 ? 'root' : undefined)));
  simple('group.gid', 'uint', 'group ID.', proc((p) => p.gid));
  simple('group.name', 'string', 'group name.', proc((p) => p.group ?? (p.gid === 0 ? 'root' : undefined)));

  // ---- container.* (container plugin)
  simple('container.id', 'string', "The truncated container ID (first 12 characters), e.g. 3ad7b26ded6d is extracted from the Linux cgroups by Falco within the kernel. 'host' for host processes.",
    ctr((c) => c.id));
  simple('container.full_id', 'string', "The full container ID, e.g. 3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e. 'host' for host processes.",
    ctr((c) => c.fullId ?? (c.id === 'host' ? 'host' : undefined)));
  simple('container.name', 'string', "The container name. 'host' for host processes.", ctr((c) => c.name ?? (c.id === 'host' ? 'host' : undefined)));
  simple('container.image', 'string', 'The container image name (e.g. falcosecurity/falco:latest for docker).', inContainer((c) => c.image));
  simple('container.image.id', 'string', 'The container image id (e.g. 6f7e2741b66b).', inContainer((c) => c.imageId));
  simple('container.type', 'string', 'The container type, e.g. docker, cri-o, containerd etc.', ctr((c) => c.type ?? (c.id === 'host' ? 'host' : undefined)));
  simple('container.privileged', 'bool', "'true' for containers running as privileged, 'false' otherwise.", inContainer((c) => c.privileged));
  simple('container.mounts', 'string', 'A space-separated list of mount information. Each item has the form <source>:<dest>:<mode>:<rdrw>:<propagation>.',
    inContainer((c) => c.mounts?.map((m) => `${m.source}:${m.dest}:${m.mode ?? ''}:${m.rw === undefined ? '' : m.rw ? 'true' : 'false'}:${m.propagation ?? ''}`).join(',')));
  const mountBy = (f: (m: NonNullable<Container['mounts']>[number]) => unknown) => (arg: string | undefined) => {
    const key = arg ?? '';
    const idx = /^[0-9]+$/.test(key) ? Number(key) : undefined;
    return inContainer((c) => {
      if (c.mounts === undefined) return undefined;
      const m = idx !== undefined ? c.mounts[idx] : c.mounts.find((x) => globMatch(key, x.source));
      return m === undefined ? '<NA>' : f(m);
    });
  };
  add('container.mount', { type: 'string', arg: 'key', argRequired: true, desc: 'Information about a single mount, specified by number (e.g. container.mount[0]) or mount source (container.mount[/usr/local]).',
    make: mountBy((m) => `${m.source}:${m.dest}:${m.mode ?? ''}:${m.rw === undefined ? '' : m.rw}:${m.propagation ?? ''}`) });
  add('container.mount.source', { type: 'string', arg: 'key', argRequired: true, desc: 'The mount source, specified by number or mount destination.',
    make: (arg) => inContainer((c) => {
      if (c.mounts === undefined) return undefined;
      const key = arg ?? '';
      const m = /^[0-9]+$/.test(key) ? c.mounts[Number(key)] : c.mounts.find((x) => globMatch(key, x.dest));
      return m === undefined ? '<NA>' : m.source;
    }) });
  add('container.mount.dest', { type: 'string', arg: 'key', argRequired: true, desc: 'The mount destination, specified by number or mount source (a glob).', make: mountBy((m) => m.dest) });
  add('container.mount.mode', { type: 'string', arg: 'key', argRequired: true, desc: 'The mount mode, specified by number or mount source.', make: mountBy((m) => m.mode) });
  add('container.mount.rdwr', { type: 'string', arg: 'key', argRequired: true, desc: 'The mount rdwr value, specified by number or mount source.', make: mountBy((m) => (m.rw === undefined ? undefined : String(m.rw))) });
  add('container.mount.propagation', { type: 'string', arg: 'key', argRequired: true, desc: 'The mount propagation value, specified by number or mount source.', make: mountBy((m) => m.propagation) });
  simple('container.image.repository', 'string', 'The container image repository (e.g. falcosecurity/falco).', inContainer((c) => c.imageRepository));
  simple('container.image.tag', 'string', 'The container image tag (e.g. stable, latest).', inContainer((c) => c.imageTag));
  simple('container.image.digest', 'string', 'The container image registry digest (e.g. sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27).', inContainer((c) => c.imageDigest));
  missing('container.healthcheck', 'string', "The container's health check.");
  missing('container.liveness_probe', 'string', "The container's liveness probe.");
  missing('container.readiness_probe', 'string', "The container's readiness probe.");
  simple('container.start_ts', 'abstime', 'Container start as epoch timestamp in nanoseconds.', inContainer((c) => timestampJson(c.startTs ?? '')));
  simple('container.duration', 'reltime', 'Number of nanoseconds since the container started.',
    (ev) => { const c = containerOf(ev); return c?.startTs === undefined ? undefined : nsDiff(ev.ts, c.startTs); });
  simple('container.ip', 'string', 'The container\'s / pod\'s primary ip address as retrieved from the container engine.', inContainer((c) => c.ip));
  missing('container.cni.json', 'string', "The container's / pod's CNI result field from the respective pod status info.");
  simple('container.host_pid', 'bool', "'true' if the container is running in the host PID namespace.", inContainer((c) => c.hostPid));
  simple('container.host_network', 'bool', "'true' if the container is running in the host network namespace.", inContainer((c) => c.hostNetwork));
  simple('container.host_ipc', 'bool', "'true' if the container is running in the host IPC namespace.", inContainer((c) => c.hostIpc));
  add('container.label', { type: 'string', arg: 'key', argRequired: true, desc: 'Container label. E.g. \'container.label[foo]\'.',
    make: (arg) => inContainer((c) => own(c.labels, arg ?? '')) });
  simple('container.labels', 'string', 'Container comma-separated key/value labels.',
    inContainer((c) => (c.labels === undefined ? undefined : Object.entries(c.labels).map(([k, v]) => `${k}:${v}`).join(', '))));

  // ---- k8s.* (container plugin)
  simple('k8s.pod.name', 'string', 'The Kubernetes pod name.', k8s((p) => p.podName));
  simple('k8s.ns.name', 'string', 'The Kubernetes namespace name.', k8s((p) => p.namespace));
  simple('k8s.pod.uid', 'string', 'The Kubernetes pod UID.', k8s((p) => p.podUid));
  simple('k8s.pod.id', 'string', 'The Kubernetes pod UID (legacy name of k8s.pod.uid).', k8s((p) => p.podUid));
  simple('k8s.pod.sandbox_id', 'string', 'The truncated Kubernetes pod sandbox ID (first 12 characters).', k8s((p) => p.sandboxId?.slice(0, 12)));
  simple('k8s.pod.full_sandbox_id', 'string', 'The full Kubernetes pod sandbox ID.', k8s((p) => p.sandboxId));
  add('k8s.pod.label', { type: 'string', arg: 'key', argRequired: true, desc: "The Kubernetes pod label. E.g. 'k8s.pod.label[foo]'.",
    make: (arg) => k8s((p) => own(p.podLabels, arg ?? '')) });
  simple('k8s.pod.labels', 'string', 'The Kubernetes pod comma-separated key/value labels.',
    k8s((p) => (p.podLabels === undefined ? undefined : Object.entries(p.podLabels).map(([k, v]) => `${k}:${v}`).join(', '))));
  simple('k8s.pod.ip', 'string', 'The Kubernetes pod ip.', k8s((p) => p.podIp));
  missing('k8s.pod.cni.json', 'string', 'The Kubernetes pod CNI result field from the respective pod status info.');
  for (const n of ['k8s.rc.name', 'k8s.rc.id', 'k8s.rs.name', 'k8s.rs.id', 'k8s.svc.name', 'k8s.svc.id', 'k8s.deployment.name',
    'k8s.deployment.id', 'k8s.ns.id']) {
    missing(n, 'string', `${n}: deprecated in the container plugin; use the k8smeta plugin.`, { deprecated: true });
  }
  return defs;
}


export function syscallFields(options: SyscallFieldOptions = {}): FieldRegistry {
  return new FieldRegistry('syscall', syscallFieldDefs(options));
}
