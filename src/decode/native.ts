// Peregrine's native JSON lines (schema/native-event.schema.json): flat, numbers as numbers, args
// under Falco's exit-parameter names. Decoding is one JSON.parse plus typed reads; numeric flag
// arguments are rendered into the text Falco rules compare (with the raw value kept in rawArgs),
// and socket address objects become the event's fd description.

import { capabilitiesText } from '../event/flags.js';
import { newFd, newProcess, newSyscallEvent, type ArgValue, type Fd, type SyscallEvent } from '../event/types.js';
import { exactInteger } from './bigint.js';
import { makeContainer, stringMap } from './container.js';
import { isObj, optBool, optInt, optObj, optStr, optStrArray, parseObject, type Obj } from './json.js';
import { applySockAddr, asSockAddr, socketName, type SockAddr } from './net.js';
import {
  cloneFlagsText, l4protoOfSocketType, modeText, openFlagsText, ptraceRequestText, socketDomainText,
} from './render.js';
import { BadRecord } from './types.js';

const DIGITS = /^[0-9]{1,20}$/;
const OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at']);
const CHMOD_TYPES = new Set(['chmod', 'fchmod', 'fchmodat']);
const CLONE_FLAG_TYPES = new Set(['clone', 'clone3', 'fork', 'vfork', 'unshare']);
const CONNECT_TYPES = new Set(['connect', 'sendto', 'sendmsg']);
const ACCEPT_TYPES = new Set(['accept', 'accept4']);
const EINPROGRESS = -115;

function timestamp(o: Obj, line: string): string {
  const ts = o['ts'];
  if (typeof ts === 'string') {
    if (!DIGITS.test(ts)) throw new BadRecord('wrong-type', '"ts" must be decimal nanoseconds');
    return ts;
  }
  if (typeof ts === 'number') {
    if (!Number.isInteger(ts) || ts < 0) throw new BadRecord('wrong-type', '"ts" must be a non-negative integer');
    return exactInteger(ts, line, 'ts') ?? String(ts);
  }
  if (ts === undefined || ts === null) throw new BadRecord('missing-field', 'missing "ts"');
  throw new BadRecord('wrong-type', '"ts" must be a string of digits or an integer');
}

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
    for (const s of v) if (typeof s !== 'string') throw new BadRecord('wrong-type', `args.${key} must hold strings`);
    return v as string[];
  }
  const sa = asSockAddr(v);
  if (sa === undefined) throw new BadRecord('wrong-type', `args.${key} of ${type} has an unsupported value`);
  return sa;
}

/** Decodes args, rendering flag numbers as Falco text; returns the socket address, if any. */
function decodeArgs(ev: SyscallEvent, a: Obj): SockAddr | undefined {
  const type = ev.type;
  const args = ev.args;
  let raw: Record<string, number> | undefined;
  let addr: SockAddr | undefined;
  for (const key in a) {
    const v = argValue(type, key, a[key]);
    if (typeof v === 'object' && !Array.isArray(v)) {
      addr = v as SockAddr;
      continue;
    }
    args[key] = v as ArgValue;
  }
  const render = (key: string, f: (n: number) => string): void => {
    const v = args[key];
    if (typeof v === 'number') {
      (raw ??= {})[key] = v;
      args[key] = f(v);
    }
  };
  if (OPEN_TYPES.has(type)) render('flags', openFlagsText);
  else if (type === 'ptrace') render('request', ptraceRequestText);
  else if (type === 'socket') render('domain', socketDomainText);
  else if (CHMOD_TYPES.has(type)) render('mode', modeText);
  else if (CLONE_FLAG_TYPES.has(type)) render('flags', cloneFlagsText);
  else if (type === 'setns') render('nstype', cloneFlagsText);
  if (raw !== undefined) ev.rawArgs = raw;
  return addr;
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

export function decodeNative(line: string): SyscallEvent {
  const o = parseObject(line);
  const type = o['type'];
  if (type === undefined || type === null) throw new BadRecord('missing-field', 'missing "type"');
  if (typeof type !== 'string' || type === '') throw new BadRecord('wrong-type', '"type" must be a non-empty string');
  const pid = o['pid'];
  if (pid === undefined || pid === null) throw new BadRecord('missing-field', 'missing "pid"');
  if (typeof pid !== 'number' || !Number.isInteger(pid)) throw new BadRecord('wrong-type', '"pid" must be an integer');

  const ev = newSyscallEvent(type);
  ev.ts = timestamp(o, line);
  const numv = optInt(o, 'num');
  if (numv !== undefined) ev.num = numv;
  const dir = o['dir'];
  if (dir !== undefined && dir !== null) {
    if (dir !== '<' && dir !== '>') throw new BadRecord('wrong-type', '"dir" must be "<" or ">"');
    ev.dir = dir;
  }
  ev.cpu = optInt(o, 'cpu');
  const tid = optInt(o, 'tid') ?? pid;
  ev.tid = tid;
  ev.pid = pid;
  ev.res = optInt(o, 'res');

  const p = newProcess(pid, tid);
  p.ppid = optInt(o, 'ppid');
  p.name = optStr(o, 'comm');
  p.uid = optInt(o, 'uid');
  p.gid = optInt(o, 'gid');
  const loginuid = optInt(o, 'loginuid');
  p.loginuid = loginuid === 4294967295 ? -1 : loginuid;
  p.exepath = optStr(o, 'exe');
  const argv = optStrArray(o, 'argv');
  if (argv !== undefined && argv.length > 0) {
    p.exe = argv[0];
    p.args = argv.slice(1);
  }
  p.cwd = optStr(o, 'cwd');
  p.env = optStrArray(o, 'env');
  p.tty = optInt(o, 'tty');
  p.sid = optInt(o, 'sid');
  p.pgid = optInt(o, 'pgid');
  p.vpid = optInt(o, 'vpid');
  p.vtid = optInt(o, 'vtid');
  p.vpgid = optInt(o, 'vpgid');
  p.user = optStr(o, 'user');
  p.group = optStr(o, 'group');
  const start = optStr(o, 'start_ts');
  if (start !== undefined) {
    if (!DIGITS.test(start)) throw new BadRecord('wrong-type', '"start_ts" must be decimal nanoseconds');
    p.startTs = start;
  }
  p.capEffective = capText(optStr(o, 'cap_effective'));
  p.capPermitted = capText(optStr(o, 'cap_permitted'));
  p.capInheritable = capText(optStr(o, 'cap_inheritable'));
  p.exeUpperLayer = optBool(o, 'exe_upper_layer');
  p.exeFromMemfd = optBool(o, 'exe_from_memfd');
  p.exeWritable = optBool(o, 'exe_writable');
  p.cgroups = optStr(o, 'cgroup');
  if (optBool(o, 'pidns_init') === true && p.vpid === undefined) p.vpid = 1;
  ev.proc = p;

  const c = optObj(o, 'container');
  const k = optObj(o, 'k8s');
  if (c !== undefined || k !== undefined) {
    const pod = k === undefined ? undefined : {
      podName: optStr(k, 'pod'), namespace: optStr(k, 'ns'), podUid: optStr(k, 'pod_uid'), podLabels: stringMap(k['labels']),
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

  const a = o['args'];
  if (a !== undefined && a !== null) {
    if (!isObj(a)) throw new BadRecord('wrong-type', '"args" must be an object');
    const addr = decodeArgs(ev, a);
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

