// Tetragon's JSON export (GetEventsResponse, one object per line) mapped to syscall events per
// spec event-sources §3.3: process_exec → execve, process_exit → procexit, kprobes by function name
// (file, network, credential and module hooks), tracepoints by event name, and the legacy
// process_connect/close/listen. Every event carries its process and parent (and ancestors when
// Tetragon exports them), which become the process snapshot chain the state stage merges.
//
// Approximations the spec prescribes (Tetragon has no comm and no argv[0]): proc.name is the
// basename of the binary cut to 15 characters (what the kernel sets comm to on exec) and proc.exe is
// the binary path. Tetragon has no tty.

import { EVENT_TYPE_SET } from '../event/evttypes.js';
import { HOST_CONTAINER, newFd, newProcess, newSyscallEvent, type Fd, type Process, type SyscallEvent } from '../event/types.js';
import { rfc3339ToNs } from '../fields/time.js';
import { makeContainer, stringMap } from './container.js';
import { arr, num, obj, parseObject, str, type Obj } from './json.js';
import { isIpv6, socketName } from './net.js';
import { cloneFlagsText, openFlagsText, ptraceRequestText, socketDomainText } from './render.js';
import { commOf } from './paths.js';
import { BadRecord } from './types.js';

const EVENT_KEYS = [
  'process_exec', 'process_exit', 'process_kprobe', 'process_tracepoint', 'process_connect', 'process_close',
  'process_listen', 'process_lsm', 'process_uprobe', 'process_usdt', 'process_loader', 'process_throttle',
  'rate_limit_info', 'test',
] as const;
type EventKey = typeof EVENT_KEYS[number];

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;

/** Tetragon's `arguments`: space-joined, an argument with spaces wrapped in double quotes. */
export function splitArguments(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    if (text.charCodeAt(i) === 34 /* " */) {
      const close = text.indexOf('"', i + 1);
      if (close > i) {
        out.push(text.slice(i + 1, close));
        i = close + 1;
        continue;
      }
    }
    let j = i;
    while (j < n && text.charCodeAt(j) !== 32) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

function capNames(v: unknown): string | undefined {
  const list = arr(v);
  if (list === undefined) return undefined;
  const names: string[] = [];
  for (const x of list) if (typeof x === 'string') names.push(x.startsWith('CAP_') ? x : `CAP_${x}`);
  return names.join(' ');
}

function processOf(t: Obj): Process | undefined {
  const pid = num(t['pid']);
  if (pid === undefined) return undefined;
  const p = newProcess(pid, num(t['tid']) ?? pid);
  const binary = str(t['binary']);
  if (binary !== undefined && binary !== '') {
    p.exepath = binary;
    p.exe = binary;
    p.name = commOf(binary);
  }
  const args = str(t['arguments']);
  p.args = args !== undefined ? splitArguments(args) : binary !== undefined ? [] : undefined;
  const cwd = str(t['cwd']);
  if (cwd !== undefined && cwd !== '') p.cwd = cwd;
  p.uid = num(t['uid']);
  const auid = num(t['auid']);
  p.loginuid = auid === 4294967295 ? -1 : auid;
  p.user = str(obj(t['user'])?.['name']);
  const creds = obj(t['process_credentials']);
  if (creds !== undefined) p.gid = num(creds['gid']);
  const start = str(t['start_time']);
  if (start !== undefined) p.startTs = rfc3339ToNs(start);
  const cap = obj(t['cap']);
  if (cap !== undefined) {
    p.capEffective = capNames(cap['effective']);
    p.capPermitted = capNames(cap['permitted']);
    p.capInheritable = capNames(cap['inheritable']);
  }
  p.container = containerOf(t);
  return p;
}

function containerOf(t: Obj): Process['container'] {
  const pod = obj(t['pod']);
  const c = obj(pod?.['container']);
  const id = str(c?.['id']);
  if (pod !== undefined && c !== undefined && id !== undefined && id !== '') {
    const image = obj(c['image']);
    const sec = obj(c['security_context']);
    const start = str(c['start_time']);
    return makeContainer({
      id, name: str(c['name']), image: str(image?.['name']), imageId: str(image?.['id']),
      startTs: start !== undefined ? rfc3339ToNs(start) : undefined,
      privileged: typeof sec?.['privileged'] === 'boolean' ? sec['privileged'] : undefined,
      k8s: {
        podName: str(pod['name']), namespace: str(pod['namespace']), podUid: str(pod['uid']),
        podLabels: stringMap(pod['pod_labels']),
      },
    });
  }
  const docker = str(t['docker']);
  if (docker !== undefined && docker !== '') return makeContainer({ id: docker });
  return HOST_CONTAINER;
}

/** One Kprobe/Tracepoint argument as a plain value. */
type KArg =
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'path'; path: string; permission: string | undefined; flags: string | undefined }
  | { kind: 'sock'; fd: Fd }
  | { kind: 'bytes'; value: string }
  | { kind: 'other' };

function fixPath(p: string): string {
  return p.startsWith('/') ? p : `/${p}`;
}

function sockFd(s: Obj): Fd {
  const fd = newFd(Number.NaN);
  const saddr = str(s['saddr']);
  const daddr = str(s['daddr']);
  fd.cip = saddr;
  fd.sip = daddr;
  fd.cport = num(s['sport']);
  fd.sport = num(s['dport']);
  const proto = str(s['protocol']);
  fd.l4proto = proto === 'IPPROTO_TCP' ? 'tcp' : proto === 'IPPROTO_UDP' ? 'udp' : proto === 'IPPROTO_ICMP' ? 'icmp' : proto === 'IPPROTO_RAW' ? 'raw' : undefined;
  const family = str(s['family']);
  fd.type = family === 'AF_INET6' || (daddr !== undefined && isIpv6(daddr)) ? 'ipv6' : family === 'AF_UNIX' ? 'unix' : 'ipv4';
  fd.isServer = false;
  fd.name = socketName(fd);
  return fd;
}

function kprobeArg(a: Obj): KArg {
  for (const key of ['int_arg', 'long_arg', 'uint_arg', 'size_arg']) {
    const v = num(a[key]);
    if (v !== undefined) return { kind: 'int', value: v };
  }
  const s = str(a['string_arg']);
  if (s !== undefined) return { kind: 'string', value: s };
  for (const key of ['file_arg', 'path_arg', 'linux_binprm_arg']) {
    const f = obj(a[key]);
    if (f !== undefined) {
      const path = str(f['path']) ?? '';
      return { kind: 'path', path: fixPath(path), permission: str(f['permission']), flags: str(f['flags']) };
    }
  }
  const sock = obj(a['sock_arg']) ?? obj(a['skb_arg']);
  if (sock !== undefined) return { kind: 'sock', fd: sockFd(sock) };
  const sa = obj(a['sockaddr_arg']);
  if (sa !== undefined) {
    const fd = newFd(Number.NaN);
    fd.sip = str(sa['addr']);
    fd.sport = num(sa['port']);
    fd.type = fd.sip !== undefined && isIpv6(fd.sip) ? 'ipv6' : 'ipv4';
    fd.isServer = false;
    fd.name = socketName(fd);
    return { kind: 'sock', fd };
  }
  const bytes = str(a['bytes_arg']) ?? str(obj(a['truncated_bytes_arg'])?.['bytes_arg']);
  if (bytes !== undefined) return { kind: 'bytes', value: Buffer.from(bytes, 'base64').toString('latin1') };
  return { kind: 'other' };
}

/** evt.type for a kprobe function; undefined when it is not a syscall Falco knows. */
function kprobeType(fn: string): string {
  switch (fn) {
    case 'security_file_open': case 'security_file_permission': case 'fd_install': case 'do_sys_open': case 'do_sys_openat2':
      return 'openat';
    case 'tcp_connect': case 'security_socket_connect': return 'connect';
    case 'tcp_close': return 'close';
    case 'inet_csk_accept': case 'security_socket_accept': return 'accept';
    case 'tcp_sendmsg': case 'udp_sendmsg': return 'sendmsg';
    case 'security_sb_mount': return 'mount';
    case 'do_init_module': case 'security_kernel_module_request': return 'init_module';
    case 'commit_creds': return 'setuid';
    case 'security_bprm_check': return 'execve';
    default: break;
  }
  for (const prefix of ['__x64_sys_', '__arm64_sys_', '__ia32_sys_', '__se_sys_', '__do_sys_', 'ksys_', 'sys_']) {
    if (fn.startsWith(prefix)) {
      const name = fn.slice(prefix.length);
      if (EVENT_TYPE_SET.has(name)) return name;
    }
  }
  return fn;
}

/** MAY_READ/MAY_WRITE mask (security_file_permission) to open access flags. */
function accessFlags(mask: number): number {
  const write = (mask & 2) !== 0 || (mask & 8) !== 0;
  const read = (mask & 4) !== 0;
  return write && read ? O_RDWR : write ? O_WRONLY : O_RDONLY;
}

function applyKprobe(ev: SyscallEvent, fn: string, rawArgs: unknown[], ret: Obj | undefined): void {
  const args = rawArgs.map((a) => (obj(a) !== undefined ? kprobeArg(a as Obj) : { kind: 'other' as const }));
  const labels = rawArgs.map((a) => str(obj(a)?.['label']));
  const ints = args.filter((a): a is Extract<KArg, { kind: 'int' }> => a.kind === 'int').map((a) => a.value);
  const strs = args.filter((a): a is Extract<KArg, { kind: 'string' }> => a.kind === 'string').map((a) => a.value);
  const path = args.find((a): a is Extract<KArg, { kind: 'path' }> => a.kind === 'path');
  const sock = args.find((a): a is Extract<KArg, { kind: 'sock' }> => a.kind === 'sock');
  const bytes = args.find((a): a is Extract<KArg, { kind: 'bytes' }> => a.kind === 'bytes');
  if (ret !== undefined) ev.res = num(ret['int_arg']) ?? num(ret['long_arg']) ?? num(ret['size_arg']);
  args.forEach((a, i) => {
    const label = labels[i];
    if (label === undefined) return;
    if (a.kind === 'int' || a.kind === 'string') ev.args[label] = a.value;
    else if (a.kind === 'path') ev.args[label] = a.path;
  });
  const type = ev.type;
  const raw: Record<string, number> = {};
  switch (type) {
    case 'open': case 'openat': case 'openat2': case 'creat': {
      const name = path?.path ?? strs[0];
      let flags: number | undefined;
      if (fn === 'security_file_permission') flags = ints[0] !== undefined ? accessFlags(ints[0]) : undefined;
      else if (fn === 'fd_install' || fn === 'security_file_open') flags = undefined;
      else flags = type === 'openat' || type === 'openat2' ? ints[1] : ints[0];
      // The fd number is known from fd_install and from a syscall's return; LSM hooks run before
      // the fd exists, so there it stays unknown (NaN: fd.num reports it as missing).
      let fdnum: number | undefined;
      if (fn === 'fd_install') fdnum = ints[0];
      else if (fn.includes('sys_') && ev.res !== undefined) fdnum = ev.res >= 0 ? ev.res : -1;
      const fd = newFd(fdnum ?? Number.NaN);
      fd.type = 'file';
      if (name !== undefined) {
        fd.name = name;
        fd.nameraw = name;
        ev.args['name'] = name;
      }
      if (flags !== undefined) {
        fd.openFlags = flags;
        raw['flags'] = flags;
        ev.args['flags'] = openFlagsText(flags);
      }
      if (fdnum !== undefined && fn === 'fd_install') ev.args['fd'] = fdnum;
      ev.fd = fd;
      break;
    }
    case 'read': case 'write': case 'pread64': case 'pwrite64': case 'readv': case 'writev': {
      if (path !== undefined) {
        const fd = newFd(Number.NaN);
        fd.type = 'file';
        fd.name = path.path;
        ev.fd = fd;
      }
      if (bytes !== undefined) ev.args['data'] = bytes.value;
      const size = ints[ints.length - 1];
      if (size !== undefined) ev.args['size'] = size;
      break;
    }
    case 'connect': case 'accept': case 'close': case 'sendmsg': case 'sendto': {
      if (sock !== undefined) {
        const fd = sock.fd;
        if (type === 'accept') {
          // The accepted socket: the local end is the server.
          [fd.cip, fd.sip] = [fd.sip, fd.cip];
          [fd.cport, fd.sport] = [fd.sport, fd.cport];
          fd.isServer = true;
          fd.name = socketName(fd);
        }
        if (type === 'connect') fd.connected = ev.res === undefined || ev.res >= 0 || ev.res === -115;
        ev.fd = fd;
        if (fd.name !== undefined) ev.args['tuple'] = fd.name;
      }
      if (ints[0] !== undefined && type !== 'close') ev.args['fd'] = ints[0];
      break;
    }
    case 'setuid': case 'setgid': if (ints[0] !== undefined) ev.args[type === 'setuid' ? 'uid' : 'gid'] = ints[0]; break;
    case 'ptrace':
      if (ints[0] !== undefined) {
        raw['request'] = ints[0];
        ev.args['request'] = ptraceRequestText(ints[0]);
        if (ints[1] !== undefined) ev.args['pid'] = ints[1];
      }
      break;
    case 'socket':
      if (ints[0] !== undefined) {
        raw['domain'] = ints[0];
        ev.args['domain'] = socketDomainText(ints[0]);
        if (ints[1] !== undefined) ev.args['type'] = ints[1];
        if (ints[2] !== undefined) ev.args['proto'] = ints[2];
      }
      break;
    case 'symlink': case 'symlinkat': {
      const all = [...strs, ...(path ? [path.path] : [])];
      if (all[0] !== undefined) ev.args['target'] = all[0];
      if (all[1] !== undefined) ev.args['linkpath'] = all[1];
      break;
    }
    case 'link': case 'linkat': case 'rename': case 'renameat': case 'renameat2':
      if (strs[0] !== undefined) ev.args['oldpath'] = strs[0];
      if (strs[1] !== undefined) ev.args['newpath'] = strs[1];
      break;
    case 'unshare': case 'setns':
      if (ints[ints.length - 1] !== undefined) {
        const key = type === 'setns' ? 'nstype' : 'flags';
        raw[key] = ints[ints.length - 1]!;
        ev.args[key] = cloneFlagsText(ints[ints.length - 1]!);
      }
      break;
    case 'memfd_create': if (strs[0] !== undefined) ev.args['name'] = strs[0]; break;
    case 'mount':
      if (strs[0] !== undefined) ev.args['dev'] = strs[0];
      if (path !== undefined) ev.args['dir'] = path.path;
      else if (strs[1] !== undefined) ev.args['dir'] = strs[1];
      break;
    default:
      if (path !== undefined && ev.args['name'] === undefined) ev.args['name'] = path.path;
      break;
  }
  if (Object.keys(raw).length > 0) ev.rawArgs = raw;
}

function legacyNetFd(e: Obj, kind: 'connect' | 'close' | 'listen'): Fd {
  const fd = newFd(Number.NaN);
  const proto = str(e['protocol'])?.toLowerCase();
  fd.l4proto = proto === 'tcp' || proto === 'udp' || proto === 'icmp' || proto === 'raw' ? proto : undefined;
  if (kind === 'listen') {
    fd.sip = str(e['ip']);
    fd.sport = num(e['port']);
    fd.isServer = true;
    fd.name = fd.sip !== undefined && fd.sport !== undefined ? `${fd.sip}:${fd.sport}` : undefined;
  } else {
    fd.cip = str(e['source_ip']);
    fd.cport = num(e['source_port']);
    fd.sip = str(e['destination_ip']);
    fd.sport = num(e['destination_port']);
    fd.isServer = false;
    fd.connected = kind === 'connect';
    fd.name = socketName(fd);
  }
  fd.type = fd.sip !== undefined && isIpv6(fd.sip) ? 'ipv6' : 'ipv4';
  return fd;
}

const SKIPPED: ReadonlySet<EventKey> = new Set<EventKey>([
  'process_lsm', 'process_uprobe', 'process_usdt', 'process_loader', 'process_throttle', 'rate_limit_info', 'test',
]);

export function decodeTetragon(line: string): SyscallEvent | undefined {
  const o = parseObject(line);
  let key: EventKey | undefined;
  for (const k of EVENT_KEYS) {
    if (o[k] !== undefined) {
      key = k;
      break;
    }
  }
  if (key === undefined) throw new BadRecord('missing-field', 'no Tetragon event (process_exec, process_kprobe, …)');
  if (SKIPPED.has(key)) return undefined;
  const e = obj(o[key]);
  if (e === undefined) throw new BadRecord('wrong-type', `"${key}" must be an object`);
  const t = obj(e['process']);
  if (t === undefined) throw new BadRecord('missing-field', `"${key}" has no process`);
  const proc = processOf(t);
  if (proc === undefined) throw new BadRecord('missing-field', `"${key}.process" has no pid`);

  let type: string;
  switch (key) {
    case 'process_exec': type = 'execve'; break;
    case 'process_exit': type = 'procexit'; break;
    case 'process_kprobe': type = kprobeType(str(e['function_name']) ?? 'kprobe'); break;
    case 'process_tracepoint': type = tracepointType(str(e['subsys']), str(e['event'])); break;
    case 'process_connect': type = 'connect'; break;
    case 'process_close': type = 'close'; break;
    default: type = 'listen'; break;
  }
  const ev = newSyscallEvent(type);
  const time = str(o['time']) ?? str(e['time']);
  if (time !== undefined) ev.ts = rfc3339ToNs(time) ?? '';
  const node = str(o['node_name']);
  if (node !== undefined) ev.given = { 'evt.hostname': node };
  ev.pid = proc.pid;
  ev.tid = proc.tid;
  ev.proc = proc;
  ev.container = proc.container;

  // Parent and ancestors (ancestors[0] is the grandparent).
  let child = proc;
  const parentObj = obj(e['parent']);
  const chain: Obj[] = parentObj !== undefined ? [parentObj] : [];
  for (const a of arr(e['ancestors']) ?? []) {
    const ao = obj(a);
    if (ao !== undefined) chain.push(ao);
  }
  for (const link of chain) {
    const p = processOf(link);
    if (p === undefined) break;
    child.ppid = p.pid;
    child.parent = p;
    child = p;
  }

  switch (key) {
    case 'process_exec':
      ev.res = 0;
      if (proc.exepath !== undefined) ev.args['exe'] = proc.exepath;
      break;
    case 'process_exit': {
      ev.args['status'] = num(e['status']) ?? 0;
      const sig = str(e['signal']);
      if (sig !== undefined) ev.args['sig'] = sig;
      break;
    }
    case 'process_kprobe':
    case 'process_tracepoint':
      applyKprobe(ev, str(e['function_name']) ?? str(e['event']) ?? '', arr(e['args']) ?? [], obj(e['return']));
      if (key === 'process_kprobe') {
        const policy = str(e['policy_name']);
        if (policy !== undefined) (ev.given ??= {})['tetragon.policy'] = policy;
      }
      break;
    case 'process_connect':
      ev.res = 0;
      ev.fd = legacyNetFd(e, 'connect');
      break;
    case 'process_close':
      ev.res = 0;
      ev.fd = legacyNetFd(e, 'close');
      break;
    default:
      ev.res = 0;
      ev.fd = legacyNetFd(e, 'listen');
      break;
  }
  return ev;
}

function tracepointType(subsys: string | undefined, event: string | undefined): string {
  if (event === undefined) return subsys ?? 'tracepoint';
  if (subsys === 'syscalls') {
    for (const prefix of ['sys_enter_', 'sys_exit_']) {
      if (event.startsWith(prefix) && EVENT_TYPE_SET.has(event.slice(prefix.length))) return event.slice(prefix.length);
    }
  }
  if (event === 'sched_process_exec') return 'execve';
  if (event === 'sched_process_exit') return 'procexit';
  if (event === 'sched_process_fork') return 'clone';
  return event;
}
