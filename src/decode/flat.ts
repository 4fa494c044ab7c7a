// Flat Falco-field JSON: objects keyed by Falco field names, as `sysdig -j -p "*%field …"`, libsinsp's
// JSON formatter and Falco's alert output_fields produce them. Values present are kept in `given`
// (they win over derived values; null means missing), while the structured parts of the event — and
// through them the process/fd/container tables — are rebuilt from the same keys so that fields the
// record does not carry (a deeper ancestor, a later event's fd) can still be derived.
//
// Exceptions to "given wins": timestamps. sysdig writes evt.time, evt.datetime, evt.outputtime… as
// integer nanoseconds in JSON although their text form is a formatted time, so those keys set the
// event's timestamp (digits read exactly from the line) and are then derived. Bare ancestor keys
// (proc.aname without an index) are dropped: sysdig renders them as the process itself, while in a
// condition they mean "any ancestor".

import { HOST_CONTAINER, newFd, newProcess, newSyscallEvent, type Fd, type FdType, type Process, type SyscallEvent } from '../event/types.js';
import { rfc3339ToNs } from '../fields/time.js';
import { exactInteger, nsMinus } from './bigint.js';
import { makeContainer, type ContainerInput } from './container.js';
import { isObj, parseObject, type Obj } from './json.js';
import { fdTypeOfChar } from './net.js';
import { applyInfoArgs, parseArgsText } from './sysdig-args.js';
import { BadRecord } from './types.js';

// Keys whose JSON value is integer nanoseconds (libsinsp extract_as_js): evt.rawtime, evt.time,
// evt.outputtime, evt.datetime, evt.time.iso8601, evt.time.s, evt.datetime.s (in that order of
// preference), and the ancestor fields that mean "any ancestor" without an index: proc.aname,
// proc.apid, proc.aexe, proc.aexepath, proc.acmdline. Both lists are read with literal keys in
// record() — a property load with a constant name is a cached offset on a known record shape.

const FD_TYPES: ReadonlySet<string> = new Set<FdType>([
  'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', 'eventpoll', 'inotify', 'timerfd',
  'netlink', 'bpf', 'userfaultfd', 'io_uring', 'memfd', 'pidfd',
]);

/** How deep a given ancestor chain is followed (proc.apid[N]/proc.aname[N]). */
export const MAX_GIVEN_ANCESTORS = 16;

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** A known string: not null, not libsinsp's "<NA>"/"N/A" placeholders, not empty. */
function known(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '' || v === '<NA>' || v === 'N/A') return undefined;
  return v;
}

function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

function nonNegative(v: unknown): number | undefined {
  const n = int(v);
  return n !== undefined && n >= 0 ? n : undefined;
}

/** A uid/gid: 4294967295 ((uint32)-1) means the capture had none. */
function id32(v: unknown): number | undefined {
  const n = int(v);
  return n === undefined || n === 4294967295 || n < 0 ? undefined : n;
}

/** args from a command line "name a b c" given the name ("" args when only the name). */
function argsFromCmdline(cmdline: string | undefined, name: string | undefined): readonly string[] | undefined {
  if (cmdline === undefined || name === undefined) return undefined;
  if (cmdline === name) return NO_ARGS;
  if (cmdline.length > name.length && cmdline.charCodeAt(name.length) === 32 && cmdline.startsWith(name)) {
    return splitArgs(cmdline.slice(name.length + 1));
  }
  return undefined;
}

const NO_ARGS: readonly string[] = Object.freeze([]);
/** Recent splits: records repeat the same command lines, and the state keeps what they give. */
const splitCache = new Map<string, readonly string[]>();
const SPLIT_CACHE_MAX = 4096;

/** proc.args text back to a list: sysdig joined argv[1..] with single spaces. Lists are shared (frozen). */
function splitArgs(text: string): readonly string[] {
  if (text === '') return NO_ARGS;
  let list = splitCache.get(text);
  if (list === undefined) {
    list = Object.freeze(text.split(' '));
    if (splitCache.size >= SPLIT_CACHE_MAX) splitCache.clear();
    splitCache.set(text, list);
  }
  return list;
}

function startFromDuration(ts: string, duration: unknown): string | undefined {
  const d = int(duration);
  if (d === undefined || d < 0 || ts === '') return undefined;
  return nsMinus(ts, d);
}

/** The field names of ancestor level N (N = 0 … MAX_GIVEN_ANCESTORS + 1), built once. */
const ANCESTOR_KEYS = Array.from({ length: MAX_GIVEN_ANCESTORS + 2 }, (_, n) => ({
  name: `proc.aname[${n}]`, exe: `proc.aexe[${n}]`, exepath: `proc.aexepath[${n}]`, cmdline: `proc.acmdline[${n}]`, pid: `proc.apid[${n}]`,
}));

function ancestorSnapshot(g: Obj, level: number, pid: number, ts: string): Process {
  const a = newProcess(pid);
  const keys = ANCESTOR_KEYS[level]!;
  const name = known(g[keys.name]) ?? (level === 1 ? known(g['proc.pname']) : undefined);
  a.name = name;
  a.exe = known(g[keys.exe]) ?? (level === 1 ? known(g['proc.pexe']) : undefined);
  a.exepath = known(g[keys.exepath]) ?? (level === 1 ? known(g['proc.pexepath']) : undefined);
  const cmdline = known(g[keys.cmdline]) ?? (level === 1 ? known(g['proc.pcmdline']) : undefined);
  a.args = argsFromCmdline(cmdline, name);
  if (level === 1) {
    a.vpid = int(g['proc.pvpid']);
    a.startTs = startFromDuration(ts, g['proc.ppid.duration']);
  }
  return a;
}

/** The process the record describes (and its ancestors where their pids are given). */
export function processFromFields(g: Obj, ts: string): Process | undefined {
  const pid = int(g['proc.pid']);
  const tid = int(g['thread.tid']);
  const p = pid !== undefined && pid >= 0 ? newProcess(pid, tid !== undefined && tid >= 0 ? tid : pid)
    : tid !== undefined && tid >= 0 ? newProcess(tid, tid) : undefined;
  if (p === undefined) return undefined;
  p.name = known(g['proc.name']);
  p.exe = known(g['proc.exe']);
  p.exepath = known(g['proc.exepath']);
  p.cwd = known(g['proc.cwd']);
  const args = g['proc.args'];
  p.args = typeof args === 'string' && p.name !== undefined ? splitArgs(args) : argsFromCmdline(known(g['proc.cmdline']), p.name);
  p.tty = nonNegative(g['proc.tty']);
  p.sid = nonNegative(g['proc.sid']);
  p.vpgid = nonNegative(g['proc.vpgid']);
  p.pgid = nonNegative(g['proc.pgid']);
  p.vpid = nonNegative(g['proc.vpid']);
  p.vtid = nonNegative(g['thread.vtid']);
  p.uid = id32(g['user.uid']);
  p.user = known(g['user.name']);
  const loginuid = int(g['user.loginuid']);
  p.loginuid = loginuid === 4294967295 ? -1 : loginuid;
  p.loginname = known(g['user.loginname']);
  p.gid = id32(g['group.gid']);
  p.group = known(g['group.name']);
  p.capEffective = known(g['thread.cap_effective']);
  p.capPermitted = known(g['thread.cap_permitted']);
  p.capInheritable = known(g['thread.cap_inheritable']);
  p.exeUpperLayer = bool(g['proc.is_exe_upper_layer']);
  p.exeLowerLayer = bool(g['proc.is_exe_lower_layer']);
  p.exeFromMemfd = bool(g['proc.is_exe_from_memfd']);
  p.exeWritable = bool(g['proc.is_exe_writable']);
  p.cgroups = known(g['thread.cgroups']);
  const pidTs = int(g['proc.pid.ts']);
  p.startTs = pidTs !== undefined && pidTs > 0 ? String(pidTs) : startFromDuration(ts, g['proc.duration']);
  // The parent and further ancestors, while their pids are known. For a thread other than the
  // main one, libsinsp's pname/aname follow the thread that created it, not proc.ppid: only the
  // pid is taken then.
  const ppid = int(g['proc.ppid']) ?? int(g[ANCESTOR_KEYS[1]!.pid]);
  if (ppid !== undefined && ppid > 0) {
    p.ppid = ppid;
    if (p.tid !== p.pid) return p;
    let child = p;
    let pidOf = ppid;
    for (let level = 1; level <= MAX_GIVEN_ANCESTORS; level++) {
      const a = ancestorSnapshot(g, level, pidOf, ts);
      child.parent = a;
      const next = int(g[ANCESTOR_KEYS[level + 1]!.pid]);
      if (next === undefined || next <= 0) break;
      a.ppid = next;
      child = a;
      pidOf = next;
    }
  }
  return p;
}

export function containerFromFields(g: Obj): ContainerInput | undefined {
  const id = known(g['container.id']) ?? known(g['container.full_id']);
  if (id === undefined) return undefined;
  const podName = known(g['k8s.pod.name']);
  const namespace = known(g['k8s.ns.name']);
  const podUid = known(g['k8s.pod.uid']) ?? known(g['k8s.pod.id']);
  return {
    id: known(g['container.full_id']) ?? id,
    name: known(g['container.name']),
    image: known(g['container.image']),
    imageRepository: known(g['container.image.repository']),
    imageTag: known(g['container.image.tag']),
    imageDigest: known(g['container.image.digest']),
    imageId: known(g['container.image.id']),
    type: known(g['container.type']),
    privileged: bool(g['container.privileged']),
    ip: known(g['container.ip']),
    k8s: podName !== undefined || namespace !== undefined || podUid !== undefined ? { podName, namespace, podUid } : undefined,
  };
}

export function fdFromFields(g: Obj): Fd | undefined {
  const num = int(g['fd.num']);
  if (num === undefined) return undefined;
  const fd = newFd(num);
  fd.name = typeof g['fd.name'] === 'string' ? g['fd.name'] : undefined;
  fd.nameraw = typeof g['fd.nameraw'] === 'string' ? g['fd.nameraw'] : undefined;
  const type = g['fd.type'];
  fd.type = typeof type === 'string' && FD_TYPES.has(type) ? (type as FdType)
    : typeof g['fd.typechar'] === 'string' ? fdTypeOfChar(g['fd.typechar']) : undefined;
  const l4 = g['fd.l4proto'];
  if (l4 === 'tcp' || l4 === 'udp' || l4 === 'icmp' || l4 === 'raw') fd.l4proto = l4;
  fd.cip = known(g['fd.cip']);
  fd.cport = int(g['fd.cport']);
  fd.sip = known(g['fd.sip']);
  fd.sport = int(g['fd.sport']);
  fd.connected = bool(g['fd.connected']);
  fd.isServer = bool(g['fd.is_server']);
  fd.ino = int(g['fd.ino']);
  fd.dev = int(g['fd.dev']);
  fd.upperLayer = bool(g['fd.is_upper_layer']);
  return fd;
}

const MAX_REMEMBERED_KEYS = 1024;

/** A time key's integer nanoseconds set the event time (the first present wins) and are then derived. */
function timeKey(ev: SyscallEvent, fields: Obj, line: string, key: string, v: unknown): void {
  if (typeof v !== 'number') return;
  if (ev.ts === '') {
    const digits = exactInteger(v, line, key);
    if (digits !== undefined && !digits.startsWith('-')) ev.ts = digits;
  }
  fields[key] = undefined;
}

/** Pending enter-event arguments per thread, merged into the matching exit event. */
export class EnterMerger {
  private readonly pending = new Map<number, SyscallEvent>();
  constructor(private readonly cap = 65536) {}

  /** Remembers an enter event (returns nothing), or fills an exit event's missing arguments. */
  apply(ev: SyscallEvent): void {
    const tid = ev.tid;
    if (tid === undefined) return;
    if (ev.dir === '>') {
      this.pending.delete(tid);
      if (this.pending.size >= this.cap) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
      this.pending.set(tid, ev);
      return;
    }
    const enter = this.pending.get(tid);
    if (enter === undefined) return;
    this.pending.delete(tid);
    if (enter.type !== ev.type) return;
    for (const k in enter.args) {
      if (ev.args[k] === undefined) {
        ev.args[k] = enter.args[k]!;
        const raw = enter.rawArgs?.[k];
        if (raw !== undefined) (ev.rawArgs ??= {})[k] = raw;
      }
    }
  }
}

export interface FlatDecoderOptions {
  /** Merge enter-event arguments into exit events (sysdig output with both directions). */
  readonly mergeEnter: boolean;
}

export class FlatDecoder {
  private readonly merger: EnterMerger | undefined;
  /**
   * The previous records' keys by position, and what each means here: the argument name of an
   * evt.arg.NAME key, '' for any other key. Records of one stream mostly share their key list, so a
   * key is usually recognised by identity (keys are internalised strings) instead of by its text.
   */
  private readonly keyAt: string[] = [];
  private readonly argNameAt: string[] = [];

  constructor(options: FlatDecoderOptions) {
    this.merger = options.mergeEnter ? new EnterMerger() : undefined;
  }

  /** evt.arg.NAME keys with a scalar value become args (after those the argument text gave), in key order. */
  private argsFromKeys(ev: SyscallEvent, fields: Obj): void {
    const keyAt = this.keyAt;
    const argNameAt = this.argNameAt;
    let i = 0;
    for (const key in fields) {
      let name: string;
      if (keyAt[i] === key) {
        name = argNameAt[i]!;
      } else {
        name = key.length > 8 && key.startsWith('evt.arg.') ? key.slice(8) : '';
        if (i < MAX_REMEMBERED_KEYS) {
          keyAt[i] = key;
          argNameAt[i] = name;
        }
      }
      i++;
      if (name === '') continue;
      const v = fields[key];
      if ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && ev.args[name] === undefined) ev.args[name] = v;
    }
  }

  record(line: string): SyscallEvent {
    const top = parseObject(line);
    // A Falco alert: its output_fields are the field map.
    const of = top['output_fields'];
    const alert = isObj(of) && typeof top['rule'] === 'string';
    const fields = alert ? of : top;
    // An alert's output_fields hold what its rule printed, which need not include evt.type.
    const type = fields['evt.type'];
    if ((type === undefined || type === null) && !alert) throw new BadRecord('missing-field', 'missing "evt.type"');
    if (type !== undefined && type !== null && (typeof type !== 'string' || type === '')) throw new BadRecord('wrong-type', '"evt.type" must be a non-empty string');
    const ev = newSyscallEvent(typeof type === 'string' ? type : '');
    ev.given = fields;

    timeKey(ev, fields, line, 'evt.rawtime', fields['evt.rawtime']);
    timeKey(ev, fields, line, 'evt.time', fields['evt.time']);
    timeKey(ev, fields, line, 'evt.outputtime', fields['evt.outputtime']);
    timeKey(ev, fields, line, 'evt.datetime', fields['evt.datetime']);
    timeKey(ev, fields, line, 'evt.time.iso8601', fields['evt.time.iso8601']);
    timeKey(ev, fields, line, 'evt.time.s', fields['evt.time.s']);
    timeKey(ev, fields, line, 'evt.datetime.s', fields['evt.datetime.s']);
    if (ev.ts === '' && fields !== top && typeof top['time'] === 'string') ev.ts = rfc3339ToNs(top['time']) ?? '';
    if (fields !== top && typeof top['hostname'] === 'string' && fields['evt.hostname'] === undefined) fields['evt.hostname'] = top['hostname'];
    if (fields['proc.aname'] !== undefined) fields['proc.aname'] = undefined;
    if (fields['proc.apid'] !== undefined) fields['proc.apid'] = undefined;
    if (fields['proc.aexe'] !== undefined) fields['proc.aexe'] = undefined;
    if (fields['proc.aexepath'] !== undefined) fields['proc.aexepath'] = undefined;
    if (fields['proc.acmdline'] !== undefined) fields['proc.acmdline'] = undefined;

    const n = int(fields['evt.num']);
    if (n !== undefined && n >= 0) ev.num = n;
    ev.cpu = int(fields['evt.cpu']);
    if (fields['evt.dir'] === '>') ev.dir = '>';
    ev.res = int(fields['evt.rawres']);

    const text = typeof fields['evt.args'] === 'string' ? fields['evt.args'] : typeof fields['evt.info'] === 'string' ? fields['evt.info'] : undefined;
    let rawPaths: Record<string, string> | undefined;
    if (text !== undefined) {
      ev.argsText = text;
      rawPaths = parseArgsText(ev, text);
    }
    this.argsFromKeys(ev, fields);

    const p = processFromFields(fields, ev.ts);
    ev.proc = p;
    const pid = int(fields['proc.pid']);
    ev.pid = pid !== undefined && pid >= 0 ? pid : undefined;
    const tid = int(fields['thread.tid']);
    ev.tid = tid !== undefined && tid >= 0 ? tid : p?.tid;

    const c = containerFromFields(fields);
    if (c !== undefined) ev.container = c.id === 'host' ? HOST_CONTAINER : makeContainer(c);
    ev.fd = fdFromFields(fields);

    this.merger?.apply(ev);
    applyInfoArgs(ev, rawPaths);
    return ev;
  }
}
