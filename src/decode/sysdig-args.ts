// From libsinsp's argument text to the event model: evt.arg values (resolved text, raw numbers in
// rawArgs), the return value, the fd the event concerns (`fd=3(<f>/etc/passwd)`, `tuple=a:p->b:q`),
// the process an execve/clone describes (pid, ptid, exe, cwd, comm, cgroups, tty, loginuid), and the
// metadata of a `container` event. Values the record gives as fields (ev.proc, ev.fd) win.

import { newFd, newProcess, type Fd, type Process, type SyscallEvent } from '../event/types.js';
import { makeContainer, stringMap } from './container.js';
import { decimal, parseEvtInfo } from './evtinfo.js';
import { isObj } from './json.js';
import { fdFromSysdigText, parseTuple, setEndpoints } from './net.js';
import { openFlagsFromText } from './render.js';

/** Events whose exit carries the new fd (or a negative errno) as `fd` instead of `res`. */
const FD_RESULT = new Set([
  'open', 'openat', 'openat2', 'creat', 'socket', 'accept', 'accept4', 'eventfd', 'eventfd2', 'signalfd', 'signalfd4',
  'timerfd_create', 'inotify_init', 'inotify_init1', 'epoll_create', 'epoll_create1', 'memfd_create', 'userfaultfd',
  'pidfd_open', 'open_by_handle_at', 'io_uring_setup', 'fsopen', 'fsmount', 'open_tree', 'pidfd_getfd',
]);
const OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at']);
const PROC_TYPES = new Set(['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork']);
const TUPLE_TYPES = new Set(['connect', 'accept', 'accept4', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg']);
const EINPROGRESS = -115;

/**
 * Fills ev.args (and rawArgs) from argument text. Returns the unresolved form of path arguments
 * that sysdig printed as "raw(resolved)" (e.g. name=.(/)), for fd.nameraw.
 */
export function parseArgsText(ev: SyscallEvent, text: string): Record<string, string> | undefined {
  const args = ev.args;
  let rawPaths: Record<string, string> | undefined;
  for (const a of parseEvtInfo(text)) {
    const n = decimal(a.raw);
    if (a.resolved !== undefined) {
      if (n === undefined) (rawPaths ??= {})[a.name] = a.raw;
      args[a.name] = a.resolved === '<NA>' ? a.raw : a.resolved;
      if (n !== undefined) (ev.rawArgs ??= {})[a.name] = n;
    } else {
      args[a.name] = n !== undefined ? n : a.raw;
    }
  }
  return rawPaths;
}

function rawNum(ev: SyscallEvent, name: string): number | undefined {
  const raw = ev.rawArgs?.[name];
  if (raw !== undefined) return raw;
  const v = ev.args[name];
  return typeof v === 'number' ? v : undefined;
}

function text(ev: SyscallEvent, name: string): string | undefined {
  const v = ev.args[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * argv[1..] from sysdig's rendering, where NULs print as '.': exact only when the text has no other
 * dot ("/dev/null." → ["/dev/null"]); otherwise unknown rather than guessed.
 */
function argsFromBuffer(v: string): string[] | undefined {
  if (v === '') return [];
  const body = v.endsWith('.') ? v.slice(0, -1) : v;
  return body.includes('.') ? undefined : [body];
}

function mergeProcessInfo(ev: SyscallEvent): void {
  const pid = rawNum(ev, 'pid');
  const tid = rawNum(ev, 'tid');
  // On the parent's side of clone the record describes the caller; on the child's, the child.
  let p: Process | undefined = ev.proc;
  if (p === undefined) {
    const id = pid ?? tid ?? ev.tid;
    if (id === undefined) return;
    p = newProcess(id, tid ?? ev.tid ?? id);
    ev.proc = p;
  } else if (pid !== undefined && ev.pid === undefined) {
    p.pid = pid;
  }
  if (ev.pid === undefined && pid !== undefined) ev.pid = pid;
  if (ev.tid === undefined && tid !== undefined) ev.tid = tid;
  const ptid = rawNum(ev, 'ptid');
  if (p.ppid === undefined && ptid !== undefined && ptid > 0) {
    p.ppid = ptid;
    // "ptid=11310(bash)": sysdig resolved the parent's command name.
    const pname = ev.args['ptid'];
    if (p.parent === undefined && typeof pname === 'string' && pname !== String(ptid) && pname !== '<NA>') {
      const parent = newProcess(ptid);
      parent.name = pname;
      p.parent = parent;
    }
  }
  const comm = text(ev, 'comm');
  if (p.name === undefined && comm !== undefined && comm !== '') p.name = comm;
  const exe = text(ev, 'exe');
  if (p.exe === undefined && exe !== undefined && exe !== '') p.exe = exe;
  const args = ev.args['args'];
  if (p.args === undefined && typeof args === 'string') p.args = argsFromBuffer(args);
  const cwd = text(ev, 'cwd');
  if (p.cwd === undefined && cwd !== undefined && cwd !== '') p.cwd = cwd;
  const cgroups = text(ev, 'cgroups');
  if (p.cgroups === undefined && cgroups !== undefined && cgroups !== '') p.cgroups = cgroups;
  const trusted = text(ev, 'trusted_exepath');
  if (p.exepath === undefined && trusted !== undefined && trusted !== '') p.exepath = trusted;
  p.tty ??= rawNum(ev, 'tty');
  const loginuid = rawNum(ev, 'loginuid');
  if (p.loginuid === undefined && loginuid !== undefined) p.loginuid = loginuid === 4294967295 ? -1 : loginuid;
  p.pgid ??= rawNum(ev, 'pgid');
  p.vpgid ??= rawNum(ev, 'vpgid');
  p.vpid ??= rawNum(ev, 'vpid');
  p.vtid ??= rawNum(ev, 'vtid');
  const uid = rawNum(ev, 'uid');
  if (p.uid === undefined && uid !== undefined && uid !== 4294967295 && uid >= 0) p.uid = uid;
  const gid = rawNum(ev, 'gid');
  if (p.gid === undefined && gid !== undefined && gid !== 4294967295 && gid >= 0) p.gid = gid;
}

/** PT_FD values print as unsigned 32-bit in old captures: 4294967295 is -1. */
function fdNumber(n: number): number {
  return n >= 2147483648 && n < 4294967296 ? n - 4294967296 : n;
}

/** The fd an argument describes; undefined for "no fd" (a negative number without a description). */
function fdFromArg(ev: SyscallEvent, name: string): Fd | undefined {
  const raw = rawNum(ev, name);
  if (raw === undefined) return undefined;
  const num = fdNumber(raw);
  const v = ev.args[name];
  if (typeof v === 'string') {
    const fd = fdFromSysdigText(num, v);
    if (fd !== undefined) return fd;
  }
  return num >= 0 ? newFd(num) : undefined;
}

function containerEvent(ev: SyscallEvent): void {
  const json = ev.args['json'];
  if (typeof json !== 'string') return;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return;
  }
  const c = isObj(doc) && isObj(doc['container']) ? doc['container'] : undefined;
  if (c === undefined) return;
  const s = (k: string): string | undefined => (typeof c[k] === 'string' && c[k] !== '' ? (c[k] as string) : undefined);
  const full = s('full_id');
  ev.container = makeContainer({
    id: full ?? s('id'), name: s('name'), image: s('image'), imageRepository: s('imagerepo'), imageTag: s('imagetag'),
    imageDigest: s('imagedigest'), imageId: s('imageid'), ip: s('ip'),
    privileged: typeof c['privileged'] === 'boolean' ? c['privileged'] : undefined, labels: stringMap(c['labels']),
  });
  const mounts = c['Mounts'];
  if (Array.isArray(mounts)) {
    const list = [];
    for (const m of mounts) {
      if (!isObj(m) || typeof m['Source'] !== 'string' || typeof m['Destination'] !== 'string') continue;
      list.push({
        source: m['Source'], dest: m['Destination'],
        mode: typeof m['Mode'] === 'string' ? m['Mode'] : undefined,
        rw: typeof m['RW'] === 'boolean' ? m['RW'] : undefined,
        propagation: typeof m['Propagation'] === 'string' ? m['Propagation'] : undefined,
      });
    }
    (ev.container as { mounts?: unknown }).mounts = list;
  }
}

/** Derives the return value, fd, process details and container metadata from the parsed args. */
export function applyInfoArgs(ev: SyscallEvent, rawPaths?: Record<string, string>): void {
  const type = ev.type;
  if (ev.res === undefined) {
    const res = rawNum(ev, 'res');
    if (res !== undefined) ev.res = res;
    else if (FD_RESULT.has(type) && ev.dir === '<') ev.res = rawNum(ev, 'fd');
  }
  if (type === 'container') {
    containerEvent(ev);
    return;
  }
  if (PROC_TYPES.has(type) && ev.dir === '<') mergeProcessInfo(ev);
  const fd = fdFromArgs(ev, type, rawPaths);
  if (fd === undefined) return;
  if (ev.fd === undefined) ev.fd = fd;
  else fillGaps(ev.fd, fd);
}

/** Fields the record's own fd fields left unknown, from the argument text. */
function fillGaps(into: Fd, from: Fd): void {
  if (Number.isNaN(into.num) && !Number.isNaN(from.num)) into.num = from.num;
  into.type ??= from.type;
  into.name ??= from.name;
  into.nameraw ??= from.nameraw;
  into.l4proto ??= from.l4proto;
  into.cip ??= from.cip;
  into.cport ??= from.cport;
  into.sip ??= from.sip;
  into.sport ??= from.sport;
  into.isServer ??= from.isServer;
  into.connected ??= from.connected;
  into.openFlags ??= from.openFlags;
}

function fdFromArgs(ev: SyscallEvent, type: string, rawPaths: Record<string, string> | undefined): Fd | undefined {
  if (OPEN_TYPES.has(type) && ev.dir === '<' && ev.res !== undefined) {
    const fd = ev.res >= 0 ? fdFromArg(ev, 'fd') ?? newFd(ev.res) : newFd(-1);
    const raw = ev.args['name'];
    const resolvedName = typeof raw === 'string' ? raw : undefined;
    if (fd.name === undefined && resolvedName !== undefined) fd.name = resolvedName;
    fd.nameraw = rawPaths?.['name'] ?? resolvedName;
    fd.type ??= 'file';
    const flags = ev.args['flags'];
    if (typeof flags === 'string') fd.openFlags = openFlagsFromText(flags);
    return fd;
  }
  let fd = ev.args['fd'] !== undefined ? fdFromArg(ev, 'fd') : undefined;
  const tuple = ev.args['tuple'];
  if (TUPLE_TYPES.has(type) && typeof tuple === 'string' && tuple !== 'NULL') {
    if (fd === undefined && (type === 'accept' || type === 'accept4') && ev.res !== undefined && ev.res >= 0) fd = newFd(ev.res);
    fd ??= newFd(Number.NaN);
    const e = parseTuple(tuple);
    if (e !== undefined) {
      setEndpoints(fd, e, type === 'accept' || type === 'accept4');
      if (type === 'connect') fd.connected = ev.res === undefined || ev.res >= 0 || ev.res === EINPROGRESS;
      else fd.connected = true;
    } else if (fd.name === undefined) {
      fd.type ??= 'unix';
      fd.name = tuple;
      if (type === 'connect') fd.connected = ev.res !== undefined && (ev.res >= 0 || ev.res === EINPROGRESS);
    }
  }
  return fd;
}
