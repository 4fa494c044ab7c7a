// Peregrine's native JSON lines (schema/native-event.schema.json): flat, numbers as numbers, args
// under Falco's exit-parameter names. Decoding is one JSON.parse plus typed reads; numeric flag
// arguments are rendered into the text Falco rules compare (with the raw value kept in rawArgs),
// and socket address objects become the event's fd description.

import { capabilitiesText } from '../event/flags.js';
import {
  newFd, newProcess, newSyscallEvent, resetProcess, resetSyscallEvent, type ArgValue, type Fd, type Process, type SyscallEvent,
} from '../event/types.js';
import { exactInteger } from './bigint.js';
import { makeContainer, stringMap } from './container.js';
import { isObj, optBool, optStr, parseObject, type Obj } from './json.js';
import { applySockAddr, asSockAddr, socketName, type SockAddr } from './net.js';
import {
  cachedText, cloneFlagsText, l4protoOfSocketType, modeText, openFlagsText, ptraceRequestText, socketDomainText,
} from './render.js';
import { BadRecord } from './types.js';

const OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at']);
const CHMOD_TYPES = new Set(['chmod', 'fchmod', 'fchmodat']);
const CLONE_FLAG_TYPES = new Set(['clone', 'clone3', 'fork', 'vfork', 'unshare']);
const CONNECT_TYPES = new Set(['connect', 'sendto', 'sendmsg']);
const ACCEPT_TYPES = new Set(['accept', 'accept4']);
const EINPROGRESS = -115;
const openFlags = cachedText(openFlagsText);
const cloneFlags = cachedText(cloneFlagsText);
const modes = cachedText(modeText);

/** "0x1ff" (a bit set) or names ("CAP_SYS_ADMIN CAP_NET_RAW"), as Falco's space-separated names. */
function capText(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.startsWith('0x') || v.startsWith('0X')) {
    try {
      return capabilitiesText(BigInt(v));
    } catch {
      throw new BadRecord('wrong-type', `bad capability set ${JSON.stringify(v.slice(0, 40))}`);
    }
  }
  return v;
}

function argValue(type: string, key: string, v: unknown): ArgValue | SockAddr {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    for (const s of v) if (typeof s !== 'string') throw new BadRecord('wrong-type', `args[${JSON.stringify(key.slice(0, 40))}] must hold strings`);
    return v as string[];
  }
  const sa = asSockAddr(v);
  if (sa === undefined) throw new BadRecord('wrong-type', `args[${JSON.stringify(key.slice(0, 40))}] of ${JSON.stringify(type.slice(0, 40))} has an unsupported value`);
  return sa;
}

/** Decodes args, rendering flag numbers as Falco text; returns the socket address, if any. */
/**
 * Validates the parsed args object in place and adopts it as ev.args (no copy): a socket address
 * becomes its text ("ip:port" or the unix path) and is returned for the fd description.
 */
function decodeArgs(ev: SyscallEvent, a: Obj): SockAddr | undefined {
  const type = ev.type;
  let raw: Record<string, number> | undefined;
  let addr: SockAddr | undefined;
  for (const key in a) {
    const v = argValue(type, key, a[key]);
    if (typeof v === 'object' && !Array.isArray(v)) {
      const sa = v as SockAddr;
      addr = sa;
      a[key] = sa.family === 'unix' ? sa.path ?? '' : `${sa.ip ?? ''}:${sa.port ?? ''}`;
    }
  }
  const args = a as Record<string, ArgValue>;
  ev.args = args;
  if (OPEN_TYPES.has(type)) raw = render(args, raw, 'flags', openFlags);
  else if (type === 'ptrace') raw = render(args, raw, 'request', ptraceRequestText);
  else if (type === 'socket') raw = render(args, raw, 'domain', socketDomainText);
  else if (CHMOD_TYPES.has(type)) raw = render(args, raw, 'mode', modes);
  else if (CLONE_FLAG_TYPES.has(type)) raw = render(args, raw, 'flags', cloneFlags);
  else if (type === 'setns') raw = render(args, raw, 'nstype', cloneFlags);
  if (raw !== undefined) ev.rawArgs = raw;
  return addr;
}

/** Replaces a numeric argument by its Falco text, keeping the number in `raw`. */
function render(args: Record<string, ArgValue>, raw: Record<string, number> | undefined, key: string, f: (n: number) => string): Record<string, number> | undefined {
  const v = args[key];
  if (typeof v !== 'number') return raw;
  const out = raw ?? {};
  out[key] = v;
  args[key] = f(v);
  return out;
}

function intArg(ev: SyscallEvent, key: string): number | undefined {
  const v = ev.args[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** The fd an event's socket address describes (connect/accept/bind/sendto…), when it has one. */
function socketFd(ev: SyscallEvent, addr: SockAddr): Fd | undefined {
  const type = ev.type;
  if (CONNECT_TYPES.has(type)) {
    const num = intArg(ev, 'fd');
    const fd = newFd(num ?? Number.NaN);
    applySockAddr(fd, addr, 'connect');
    if (type === 'connect') fd.connected = ev.res === undefined || ev.res >= 0 || ev.res === EINPROGRESS;
    ev.args['addr'] = addr.family === 'unix' ? addr.path ?? '' : `${addr.ip ?? ''}:${addr.port ?? ''}`;
    const name = fd.name ?? socketName(fd);
    if (name !== undefined) ev.args['tuple'] = name;
    return fd;
  }
  if (ACCEPT_TYPES.has(type)) {
    const num = ev.res !== undefined && ev.res >= 0 ? ev.res : intArg(ev, 'fd') ?? Number.NaN;
    const fd = newFd(num);
    applySockAddr(fd, addr, 'accept');
    fd.connected = true;
    if (fd.name !== undefined) ev.args['tuple'] = fd.name;
    return fd;
  }
  if (type === 'bind') {
    const fd = newFd(intArg(ev, 'fd') ?? Number.NaN);
    applySockAddr(fd, addr, 'bind');
    ev.args['addr'] = fd.name ?? '';
    return fd;
  }
  return undefined;
}

function int(key: string, v: unknown): number | undefined {
  if (v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new BadRecord('wrong-type', `"${key}" must be an integer`);
  return v;
}

function text(key: string, v: unknown): string | undefined {
  if (v === null) return undefined;
  if (typeof v !== 'string') throw new BadRecord('wrong-type', `"${key}" must be a string`);
  return v;
}

function bool(key: string, v: unknown): boolean | undefined {
  if (v === null) return undefined;
  if (typeof v !== 'boolean') throw new BadRecord('wrong-type', `"${key}" must be a boolean`);
  return v;
}

function strings(key: string, v: unknown): string[] | undefined {
  if (v === null) return undefined;
  if (!Array.isArray(v)) throw new BadRecord('wrong-type', `"${key}" must be an array of strings`);
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw new BadRecord('wrong-type', `"${key}" must be an array of strings`);
  return v as string[];
}

function object(key: string, v: unknown): Obj | undefined {
  if (v === null) return undefined;
  if (!isObj(v)) throw new BadRecord('wrong-type', `"${key}" must be an object`);
  return v;
}

function digits(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const EMPTY_ARGS: Record<string, ArgValue> = Object.freeze({}) as Record<string, ArgValue>;

/**
 * Native records → events. Given an event to reuse (`into`), it resets and fills it, and describes
 * the process in a snapshot it also reuses: the state stage merges the snapshot into its live
 * record and points ev.proc there, so neither outlives the record (nothing else keeps them).
 */
export class NativeDecoder {
  private readonly snapshot = newProcess(0, 0);

  record(line: string, into?: SyscallEvent): SyscallEvent {
    const o = parseObject(line);
    if (into === undefined) return decodeRecord(line, o, newSyscallEvent(''), newProcess(0, 0));
    return decodeRecord(line, o, resetSyscallEvent(into, '', EMPTY_ARGS), resetProcess(this.snapshot, 0, 0));
  }
}

const fresh = new NativeDecoder();

/** One native record as a new event. */
export function decodeNative(line: string): SyscallEvent {
  return fresh.record(line);
}

/**
 * One pass over the record's members (a switch per present key, instead of a lookup per schema
 * field): records carry a handful of the ~35 fields the schema defines. The cases most records
 * carry come first (a string switch is a chain of comparisons).
 */
function decodeRecord(line: string, o: Obj, ev: SyscallEvent, p: Process): SyscallEvent {
  let type: unknown;
  let pid: unknown;
  let tsSeen = false;
  let tid: number | undefined;
  let args: Obj | undefined;
  let container: Obj | undefined;
  let k8s: Obj | undefined;
  let pidnsInit = false;
  for (const key in o) {
    const v = o[key];
    switch (key) {
      case 'ts':
        tsSeen = v !== null && v !== undefined;
        if (typeof v === 'string') {
          if (!digits(v)) throw new BadRecord('wrong-type', '"ts" must be decimal nanoseconds');
          ev.ts = v;
        } else if (typeof v === 'number') {
          if (!Number.isInteger(v) || v < 0) throw new BadRecord('wrong-type', '"ts" must be a non-negative integer');
          ev.ts = exactInteger(v, line, 'ts') ?? String(v);
        } else if (v !== null) {
          throw new BadRecord('wrong-type', '"ts" must be a string of digits or an integer');
        }
        break;
      case 'num': ev.num = int(key, v) ?? 0; break;
      case 'type': type = v; break;
      case 'pid': pid = v; break;
      case 'comm': p.name = text(key, v); break;
      case 'res': ev.res = int(key, v); break;
      case 'args': args = object(key, v); break;
      case 'tid': tid = int(key, v); break;
      case 'ppid': p.ppid = int(key, v); break;
      case 'dir':
        if (v !== null) {
          if (v !== '<' && v !== '>') throw new BadRecord('wrong-type', '"dir" must be "<" or ">"');
          ev.dir = v;
        }
        break;
      case 'cpu': ev.cpu = int(key, v); break;
      case 'uid': p.uid = int(key, v); break;
      case 'gid': p.gid = int(key, v); break;
      case 'loginuid': {
        const l = int(key, v);
        p.loginuid = l === 4294967295 ? -1 : l;
        break;
      }
      case 'exe': p.exepath = text(key, v); break;
      case 'argv': {
        const argv = strings(key, v);
        if (argv !== undefined && argv.length > 0) {
          p.exe = argv[0];
          p.args = argv.slice(1);
        }
        break;
      }
      case 'cwd': p.cwd = text(key, v); break;
      case 'dirpath': ev.dirpath = text(key, v); break;
      case 'env': p.env = strings(key, v); break;
      case 'tty': p.tty = int(key, v); break;
      case 'sid': p.sid = int(key, v); break;
      case 'pgid': p.pgid = int(key, v); break;
      case 'vpid': p.vpid = int(key, v); break;
      case 'vtid': p.vtid = int(key, v); break;
      case 'vpgid': p.vpgid = int(key, v); break;
      case 'user': p.user = text(key, v); break;
      case 'group': p.group = text(key, v); break;
      case 'start_ts': {
        const st = text(key, v);
        if (st !== undefined && !digits(st)) throw new BadRecord('wrong-type', '"start_ts" must be decimal nanoseconds');
        p.startTs = st;
        break;
      }
      case 'cap_effective': p.capEffective = capText(text(key, v)); break;
      case 'cap_permitted': p.capPermitted = capText(text(key, v)); break;
      case 'cap_inheritable': p.capInheritable = capText(text(key, v)); break;
      case 'exe_upper_layer': p.exeUpperLayer = bool(key, v); break;
      case 'exe_from_memfd': p.exeFromMemfd = bool(key, v); break;
      case 'exe_writable': p.exeWritable = bool(key, v); break;
      case 'cgroup': p.cgroups = text(key, v); break;
      case 'pidns_init': pidnsInit = bool(key, v) === true; break;
      case 'container': container = object(key, v); break;
      case 'k8s': k8s = object(key, v); break;
      default: break;
    }
  }
  if (type === undefined || type === null) throw new BadRecord('missing-field', 'missing "type"');
  if (typeof type !== 'string' || type === '') throw new BadRecord('wrong-type', '"type" must be a non-empty string');
  if (!tsSeen) throw new BadRecord('missing-field', 'missing "ts"');
  if (pid === undefined || pid === null) throw new BadRecord('missing-field', 'missing "pid"');
  if (typeof pid !== 'number' || !Number.isInteger(pid)) throw new BadRecord('wrong-type', '"pid" must be an integer');
  ev.type = type;
  ev.pid = pid;
  ev.tid = tid ?? pid;
  p.pid = pid;
  p.tid = ev.tid;
  if (pidnsInit && p.vpid === undefined) p.vpid = 1;
  ev.proc = p;

  if (container !== undefined || k8s !== undefined) {
    const c = container;
    const pod = k8s === undefined ? undefined : {
      podName: optStr(k8s, 'pod'), namespace: optStr(k8s, 'ns'), podUid: optStr(k8s, 'pod_uid'), podLabels: stringMap(k8s['labels']),
    };
    ev.container = makeContainer({
      id: c ? optStr(c, 'id') : undefined,
      name: c ? optStr(c, 'name') : undefined,
      image: c ? optStr(c, 'image') : undefined,
      type: c ? optStr(c, 'type') : undefined,
      privileged: c ? optBool(c, 'privileged') : undefined,
      k8s: pod,
    });
  }

  if (args !== undefined) {
    const addr = decodeArgs(ev, args);
    if (addr !== undefined) ev.fd = socketFd(ev, addr);
    else if (ev.type === 'socket') ev.fd = socketOpenFd(ev);
  }
  return ev;
}

/** socket(): the new fd's family and protocol. */
function socketOpenFd(ev: SyscallEvent): Fd | undefined {
  if (ev.res === undefined || ev.res < 0) return undefined;
  const fd = newFd(ev.res);
  const domain = ev.rawArgs?.['domain'] ?? intArg(ev, 'domain');
  fd.type = domain === 2 ? 'ipv4' : domain === 10 ? 'ipv6' : domain === 1 ? 'unix' : domain === 16 ? 'netlink' : undefined;
  const type = intArg(ev, 'type');
  if (type !== undefined && (fd.type === 'ipv4' || fd.type === 'ipv6')) fd.l4proto = l4protoOfSocketType(type, intArg(ev, 'proto'));
  return fd;
}

