// Tracee JSON events mapped to syscall events per spec event-sources §4.4. Three shapes:
// - legacy trace.Event (≤ v0.24): {timestamp, processId, hostProcessId, …, eventName, args:[{name,type,value}]},
//   with container/pod keys flat before v0.13 (containerId, containerImage, podName…) and nested after
//   (container{id,name,image,imageDigest}, kubernetes{podName,podNamespace,podUID});
// - the v1beta1 Event (2025-11+): {timestamp:{seconds,nanos}, name, workload:{process,container,k8s|pod},
//   data:[{name, str|int32|…}]}.
// Arguments are keyed on `name`, never on `type` (the type strings changed over time). LSM and
// scheduler events map to the syscall Falco would see (sched_process_exec → execve,
// security_file_open → the open syscall it came from, security_socket_connect → connect), and when
// both the syscall event and its LSM counterpart are in the stream the second of the pair is skipped.

import { HOST_CONTAINER, newFd, newProcess, newSyscallEvent, type Container, type Fd, type Process, type SyscallEvent } from '../event/types.js';
import { rfc3339ToNs } from '../fields/time.js';
import { exactInteger } from './bigint.js';
import { makeContainer, stringMap } from './container.js';
import { arr, num, obj, parseObject, str, type Obj } from './json.js';
import { isIpv6, socketName } from './net.js';
import {
  cloneFlagsText, modeText, openFlagsFromText, openFlagsText, ptraceRequestText, socketDomainText, socketDomainValue,
} from './render.js';
import { commOf } from './paths.js';
import { BadRecord } from './types.js';

const OPEN_SYSCALLS = new Set(['open', 'openat', 'openat2', 'creat']);
const EPOCH_NS_MIN = 100_000_000_000_000_000n; // 1973: smaller values are since boot, not epoch

interface TraceeRecord {
  name: string;
  ts: string;
  pid: number | undefined;
  tid: number | undefined;
  ppid: number | undefined;
  vpid: number | undefined;
  vtid: number | undefined;
  uid: number | undefined;
  comm: string | undefined;
  exepath: string | undefined;
  threadStart: string | undefined;
  syscall: string | undefined;
  res: number | undefined;
  container: Container | undefined;
  args: Map<string, unknown>;
  ancestors: Process[];
}

/** A protobuf wrapper value: a bare number or {value: n}. */
function wrapped(v: unknown): number | undefined {
  const o = obj(v);
  return o !== undefined ? num(o['value']) : num(v);
}

function containerFrom(id: string | undefined, name: string | undefined, image: string | undefined, digest: string | undefined,
  pod: { podName?: string | undefined; namespace?: string | undefined; podUid?: string | undefined; podLabels?: Record<string, string> | undefined } | undefined): Container {
  if (id === undefined || id === '') return HOST_CONTAINER;
  const k8s = pod !== undefined && (pod.podName || pod.namespace || pod.podUid) ? pod : undefined;
  return makeContainer({ id, name, image, imageDigest: digest, k8s });
}

function legacyRecord(o: Obj, line: string): TraceeRecord {
  const name = o['eventName'];
  if (typeof name !== 'string' || name === '') throw new BadRecord('wrong-type', '"eventName" must be a non-empty string');
  const tsv = o['timestamp'];
  if (typeof tsv !== 'number' || !Number.isInteger(tsv) || tsv < 0) throw new BadRecord(tsv === undefined ? 'missing-field' : 'wrong-type', '"timestamp" must be integer nanoseconds');
  const ts = exactInteger(tsv, line, 'timestamp') ?? String(tsv);
  const c = obj(o['container']);
  const k = obj(o['kubernetes']);
  const container = c !== undefined
    ? containerFrom(str(c['id']), str(c['name']), str(c['image']), str(c['imageDigest']),
      k && { podName: str(k['podName']), namespace: str(k['podNamespace']), podUid: str(k['podUID']) })
    : containerFrom(str(o['containerId']), str(o['containerName']), str(o['containerImage']), undefined,
      { podName: str(o['podName']), namespace: str(o['podNamespace']), podUid: str(o['podUID']) });
  const args = new Map<string, unknown>();
  for (const a of arr(o['args']) ?? []) {
    const ao = obj(a);
    const an = str(ao?.['name']);
    if (ao !== undefined && an !== undefined) args.set(an, ao['value']);
  }
  const start = o['threadStartTime'];
  const exe = str(obj(o['executable'])?.['path']);
  return {
    name, ts,
    pid: num(o['hostProcessId']), tid: num(o['hostThreadId']), ppid: num(o['hostParentProcessId']),
    vpid: num(o['processId']), vtid: num(o['threadId']), uid: num(o['userId']),
    comm: str(o['processName']), exepath: exe !== undefined && exe !== '' ? exe : undefined,
    threadStart: typeof start === 'number' && Number.isInteger(start) ? exactInteger(start, line, 'threadStartTime') : undefined,
    syscall: str(o['syscall']), res: num(o['returnValue']), container, args, ancestors: [],
  };
}

function timestampNs(v: unknown): string | undefined {
  if (typeof v === 'string') return rfc3339ToNs(v);
  const o = obj(v);
  if (o === undefined) return undefined;
  const s = o['seconds'];
  const secs = typeof s === 'string' && /^[0-9]{1,12}$/.test(s) ? BigInt(s) : typeof s === 'number' && Number.isInteger(s) ? BigInt(s) : 0n;
  const nanos = num(o['nanos']) ?? 0;
  return (secs * 1_000_000_000n + BigInt(nanos)).toString();
}

/** A v1beta1 EventValue as a plain value. */
function dataValue(d: Obj): unknown {
  for (const k of ['str', 'bool', 'int32', 'u_int32']) if (d[k] !== undefined) return d[k];
  for (const k of ['int64', 'u_int64']) if (d[k] !== undefined) return num(d[k]) ?? d[k];
  const sa = obj(d['str_array']);
  if (sa !== undefined) return arr(sa['value']) ?? [];
  for (const k of ['int32_array', 'u_int64_array']) {
    const a = obj(d[k]);
    if (a !== undefined) return (arr(a['value']) ?? []).map((x) => num(x) ?? x);
  }
  if (d['sockaddr'] !== undefined) return d['sockaddr'];
  if (typeof d['bytes'] === 'string') return Buffer.from(d['bytes'], 'base64').toString('latin1');
  return undefined;
}

function nestedRecord(o: Obj): TraceeRecord {
  const name = o['name'];
  if (typeof name !== 'string' || name === '') throw new BadRecord('wrong-type', '"name" must be a non-empty string');
  const ts = timestampNs(o['timestamp']);
  if (ts === undefined) throw new BadRecord('missing-field', 'missing "timestamp"');
  const w = obj(o['workload']);
  const p = obj(w?.['process']);
  const th = obj(p?.['thread']);
  const c = obj(w?.['container']);
  const k8s = obj(w?.['k8s']);
  const pod = obj(k8s?.['pod']) ?? obj(w?.['pod']);
  const ns = str(obj(k8s?.['namespace'])?.['name']) ?? str(pod?.['namespace']);
  const image = obj(c?.['image']);
  const digests = arr(image?.['repo_digests']);
  const container = containerFrom(str(c?.['id']), str(c?.['name']), str(image?.['name']),
    digests !== undefined && typeof digests[0] === 'string' ? digests[0] : undefined,
    { podName: str(pod?.['name']), namespace: ns, podUid: str(pod?.['uid']), podLabels: stringMap(pod?.['labels']) });
  const args = new Map<string, unknown>();
  for (const d of arr(o['data']) ?? []) {
    const dobj = obj(d);
    const dn = str(dobj?.['name']);
    if (dobj !== undefined && dn !== undefined) args.set(dn, dataValue(dobj));
  }
  const ancestors: Process[] = [];
  for (const a of arr(p?.['ancestors']) ?? []) {
    const ao = obj(a);
    const apid = wrapped(ao?.['host_pid']) ?? wrapped(ao?.['pid']);
    if (ao === undefined || apid === undefined) break;
    const ap = newProcess(apid);
    ap.vpid = wrapped(ao['pid']);
    const exe = str(obj(ao['executable'])?.['path']);
    if (exe !== undefined && exe !== '') ap.exepath = exe;
    const comm = str(obj(ao['thread'])?.['name']);
    if (comm !== undefined && comm !== '') ap.name = comm;
    ancestors.push(ap);
  }
  const exe = str(obj(p?.['executable'])?.['path']);
  const start = timestampNs(th?.['start_time']);
  return {
    name, ts,
    pid: wrapped(p?.['host_pid']) ?? wrapped(p?.['pid']), tid: wrapped(th?.['host_tid']) ?? wrapped(th?.['tid']),
    ppid: ancestors[0]?.pid, vpid: wrapped(p?.['pid']), vtid: wrapped(th?.['tid']),
    uid: wrapped(obj(p?.['real_user'])?.['id']), comm: str(th?.['name']),
    exepath: exe !== undefined && exe !== '' ? exe : undefined, threadStart: start,
    syscall: str(th?.['syscall']), res: num(o['returnValue']), container, args, ancestors,
  };
}

/** "3=/etc/passwd" (parse-arguments rendering) or 3. */
function fdArg(v: unknown): { num: number; name: string | undefined } | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return { num: v, name: undefined };
  if (typeof v !== 'string') return undefined;
  const eq = v.indexOf('=');
  const n = Number(eq < 0 ? v : v.slice(0, eq));
  if (!Number.isInteger(n)) return undefined;
  return { num: n, name: eq < 0 ? undefined : v.slice(eq + 1) };
}

/** Tracee's SockAddr map ({sa_family, sin_addr, sin_port} / sin6_* / sun_path) as a connected-to fd. */
function sockaddrFd(v: unknown, fdnum: number, role: 'remote' | 'local'): Fd | undefined {
  const s = obj(v);
  if (s === undefined) return undefined;
  const family = str(s['sa_family']) ?? (typeof s['sa_family'] === 'number' ? String(s['sa_family']) : undefined);
  const fd = newFd(fdnum);
  if (family === 'AF_UNIX' || family === '1') {
    fd.type = 'unix';
    fd.name = str(s['sun_path']);
    return fd;
  }
  const ip = str(s['sin_addr']) ?? str(s['sin6_addr']);
  const port = num(s['sin_port']) ?? num(s['sin6_port']);
  if (ip === undefined) return undefined;
  fd.type = family === 'AF_INET6' || family === '10' || isIpv6(ip) ? 'ipv6' : 'ipv4';
  if (role === 'remote') {
    fd.sip = ip;
    fd.sport = port;
    fd.isServer = false;
  } else {
    fd.sip = ip;
    fd.sport = port;
    fd.isServer = true;
  }
  fd.name = role === 'remote' ? socketName(fd) : port !== undefined ? `${ip}:${port}` : ip;
  return fd;
}

/** /dev/pts/N or /dev/ttyN on stdin as a tty device number (new_encode_dev), as spec §4.4 suggests. */
function ttyOf(stdinType: unknown, stdinPath: unknown): number | undefined {
  if (stdinType !== 'S_IFCHR' || typeof stdinPath !== 'string') return undefined;
  const encode = (major: number, minor: number): number => (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
  if (stdinPath.startsWith('/dev/pts/')) {
    const n = Number(stdinPath.slice(9));
    return Number.isInteger(n) ? encode(136, n) : undefined;
  }
  if (stdinPath.startsWith('/dev/tty')) {
    const n = Number(stdinPath.slice(8));
    return Number.isInteger(n) && stdinPath.length > 8 ? encode(4, n) : undefined;
  }
  return 0;
}

function setArg(ev: SyscallEvent, key: string, v: unknown): void {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') ev.args[key] = v;
  else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) ev.args[key] = v as string[];
}

function openFlags(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return openFlagsFromText(v);
  return undefined;
}

/**
 * The same operation reported twice — by the syscall event and by its LSM/scheduler counterpart —
 * is emitted once: the second of a pair (same thread, same path or address, within a second) is
 * dropped. (Dropping one kind outright once both appear would lose events where a Tracee policy
 * enables the syscall event only for some workloads.)
 */
class Deduper {
  private readonly last = new Map<string, { source: string; key: string; ts: bigint }>();
  /** True when this event repeats the previous one of the other source within a second. */
  seen(kind: string, tid: number | undefined, source: string, key: string, ts: string): boolean {
    if (tid === undefined || ts === '') return false;
    const slot = `${kind}:${tid}`;
    const t = BigInt(ts);
    const prev = this.last.get(slot);
    if (prev !== undefined && prev.source !== source && prev.key === key) {
      const d = t > prev.ts ? t - prev.ts : prev.ts - t;
      if (d < 1_000_000_000n) {
        this.last.delete(slot);
        return true;
      }
    }
    this.last.delete(slot);
    if (this.last.size >= 65536) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    this.last.set(slot, { source, key, ts: t });
    return false;
  }
}

function mapEvent(r: TraceeRecord, dedupe: Deduper): SyscallEvent | undefined {
  const a = r.args;
  let type = r.name;
  switch (r.name) {
    case 'sched_process_exec': type = 'execve'; break;
    case 'sched_process_exit': type = 'procexit'; break;
    case 'sched_process_fork': type = 'clone'; break;
    case 'security_file_open': type = r.syscall !== undefined && OPEN_SYSCALLS.has(r.syscall) ? r.syscall : 'security_file_open'; break;
    case 'security_socket_connect': type = 'connect'; break;
    case 'security_socket_bind': type = 'bind'; break;
    case 'security_socket_accept': type = 'accept'; break;
    case 'security_socket_listen': type = 'listen'; break;
    case 'security_socket_create': type = 'socket'; break;
    case 'security_inode_symlink': type = 'symlinkat'; break;
    case 'security_inode_unlink': type = 'unlinkat'; break;
    case 'security_inode_rename': type = 'renameat2'; break;
    case 'security_sb_mount': type = 'mount'; break;
    case 'magic_write': case 'vfs_write': case 'vfs_writev': type = 'write'; break;
    case 'vfs_read': case 'vfs_readv': type = 'read'; break;
    case 'container_create': type = 'container'; break;
    case 'execveat': case 'execve': break;
    default: break;
  }
  const ev = newSyscallEvent(type);
  ev.ts = r.ts;
  ev.tid = r.tid;
  ev.pid = r.pid;
  ev.res = r.res;
  ev.container = r.container;
  const p = newProcess(r.pid ?? r.tid ?? -1, r.tid ?? r.pid ?? -1);
  p.ppid = r.ppid;
  p.vpid = r.vpid;
  p.vtid = r.vtid;
  p.uid = r.uid;
  p.name = r.comm !== undefined && r.comm !== '' ? r.comm : undefined;
  p.exepath = r.exepath;
  if (r.threadStart !== undefined && r.tid === r.pid && /^[0-9]+$/.test(r.threadStart) && BigInt(r.threadStart) >= EPOCH_NS_MIN) {
    p.startTs = r.threadStart;
  }
  let child = p;
  for (const anc of r.ancestors) {
    child.ppid = anc.pid;
    child.parent = anc;
    child = anc;
  }
  if (r.pid !== undefined || r.tid !== undefined) ev.proc = p;
  for (const [k, v] of a) setArg(ev, k, v);

  switch (type) {
    case 'execve': case 'execveat': {
      const path = str(a.get('pathname'));
      const argv = arr(a.get('argv'));
      if (path !== undefined && path !== '') {
        p.exepath = path;
        ev.args['filename'] = path;
        // The kernel sets comm to the basename of the executed file (syscall events report the old one).
        if (r.name !== 'sched_process_exec') p.name = commOf(path);
      }
      if (argv !== undefined && argv.every((x) => typeof x === 'string')) {
        const list = argv as string[];
        if (list.length > 0) {
          p.exe = list[0];
          p.args = list.slice(1);
        } else {
          p.args = [];
        }
      }
      const env = arr(a.get('env')) ?? arr(a.get('envp'));
      if (env !== undefined && env.every((x) => typeof x === 'string')) p.env = env as string[];
      const pwd = str(a.get('pwd'));
      if (pwd !== undefined && pwd !== '') p.cwd = pwd;
      p.tty = ttyOf(a.get('stdin_type'), a.get('stdin_path'));
      if (r.name === 'sched_process_exec') ev.res = 0;
      const source = r.name === 'sched_process_exec' ? 'sched' : 'syscall';
      if (ev.res === undefined || ev.res === 0) {
        if (dedupe.seen('exec', r.tid, source, path ?? '', r.ts)) return undefined;
      }
      break;
    }
    case 'procexit': {
      const code = num(a.get('exit_code'));
      if (code !== undefined) ev.args['status'] = code;
      const group = a.get('process_group_exit');
      if (typeof group === 'boolean') ev.args['group_exit'] = group;
      break;
    }
    case 'clone': {
      const childTid = num(a.get('child_tid'));
      const childPid = num(a.get('child_pid'));
      if (childTid !== undefined) ev.res = childTid;
      if (childTid !== undefined && childPid !== undefined && childTid !== childPid) ev.args['flags'] = 'CLONE_THREAD';
      if (childPid !== undefined) ev.args['child_pid'] = childPid;
      break;
    }
    case 'open': case 'openat': case 'openat2': case 'creat': case 'security_file_open': {
      const path = str(a.get('pathname')) ?? str(a.get('syscall_pathname'));
      const flags = openFlags(a.get('flags'));
      const fd = newFd(r.name === 'security_file_open' ? Number.NaN : ev.res !== undefined && ev.res >= 0 ? ev.res : -1);
      fd.type = 'file';
      if (path !== undefined) {
        fd.name = path;
        ev.args['name'] = path;
      }
      if (flags !== undefined) {
        fd.openFlags = flags;
        (ev.rawArgs ??= {})['flags'] = flags;
        ev.args['flags'] = openFlagsText(flags);
      }
      const mode = num(a.get('mode'));
      if (mode !== undefined) ev.args['mode'] = mode;
      const ino = num(a.get('inode'));
      if (ino !== undefined) fd.ino = ino;
      ev.fd = fd;
      if (OPEN_SYSCALLS.has(type) && dedupe.seen('open', r.tid, r.name === 'security_file_open' ? 'lsm' : 'syscall', path ?? '', r.ts)) return undefined;
      if (r.name === 'security_file_open' && type === 'openat') ev.res = undefined;
      break;
    }
    case 'connect': case 'bind': case 'accept': case 'accept4': {
      const sock = fdArg(a.get('sockfd')) ?? fdArg(a.get('fd'));
      const addr = a.get('remote_addr') ?? a.get('addr') ?? a.get('local_addr');
      const num0 = type === 'accept' || type === 'accept4' ? (ev.res !== undefined && ev.res >= 0 ? ev.res : Number.NaN) : sock?.num ?? Number.NaN;
      const fd = sockaddrFd(addr, num0, type === 'bind' ? 'local' : 'remote');
      if (fd !== undefined) {
        if (type === 'accept' || type === 'accept4') {
          fd.cip = fd.sip;
          fd.cport = fd.sport;
          fd.sip = undefined;
          fd.sport = undefined;
          fd.isServer = true;
          fd.name = fd.cip !== undefined ? `${fd.cip}:${fd.cport ?? ''}` : fd.name;
        }
        if (type === 'connect') fd.connected = ev.res === undefined || ev.res >= 0 || ev.res === -115;
        ev.fd = fd;
        if (fd.name !== undefined) ev.args['tuple'] = fd.name;
      }
      if (sock !== undefined) ev.args['fd'] = sock.num;
      if (type === 'connect' && fd !== undefined && dedupe.seen('connect', r.tid, r.name === 'connect' ? 'syscall' : 'lsm', fd.name ?? '', r.ts)) return undefined;
      break;
    }
    case 'socket': {
      const domain = socketDomainValue(a.get('domain') ?? a.get('family'));
      if (domain !== undefined) {
        (ev.rawArgs ??= {})['domain'] = domain;
        ev.args['domain'] = socketDomainText(domain);
      }
      const stype = a.get('type');
      if (typeof stype === 'string') ev.args['type'] = stype.includes('SOCK_STREAM') ? 1 : stype.includes('SOCK_DGRAM') ? 2 : stype.includes('SOCK_RAW') ? 3 : stype;
      const proto = num(a.get('protocol'));
      if (proto !== undefined) ev.args['proto'] = proto;
      break;
    }
    case 'ptrace': {
      const req = a.get('request');
      const n = num(req);
      if (n !== undefined) {
        (ev.rawArgs ??= {})['request'] = n;
        ev.args['request'] = ptraceRequestText(n);
      } else if (typeof req === 'string') {
        ev.args['request'] = req;
      }
      break;
    }
    case 'symlink': case 'symlinkat':
      setArg(ev, 'target', a.get('target') ?? a.get('oldname'));
      setArg(ev, 'linkpath', a.get('linkpath') ?? a.get('newname'));
      break;
    case 'unlink': case 'unlinkat': case 'rmdir':
      setArg(ev, 'name', a.get('pathname'));
      break;
    case 'rename': case 'renameat': case 'renameat2':
      setArg(ev, 'oldpath', a.get('oldpath') ?? a.get('old_path'));
      setArg(ev, 'newpath', a.get('newpath') ?? a.get('new_path'));
      break;
    case 'chmod': case 'fchmod': case 'fchmodat': {
      setArg(ev, 'filename', a.get('pathname'));
      const mode = num(a.get('mode'));
      if (mode !== undefined) {
        (ev.rawArgs ??= {})['mode'] = mode;
        ev.args['mode'] = modeText(mode);
      }
      break;
    }
    case 'unshare': case 'setns': {
      const key = type === 'setns' ? 'nstype' : 'flags';
      const v = num(a.get(key));
      if (v !== undefined) {
        (ev.rawArgs ??= {})[key] = v;
        ev.args[key] = cloneFlagsText(v);
      }
      break;
    }
    case 'mount':
      setArg(ev, 'dev', a.get('dev_name') ?? a.get('source'));
      setArg(ev, 'dir', a.get('path') ?? a.get('target'));
      setArg(ev, 'type', a.get('type') ?? a.get('filesystemtype'));
      break;
    case 'read': case 'write': case 'close': case 'dup': case 'dup2': case 'dup3': case 'sendto': case 'recvfrom': {
      const f = fdArg(a.get('fd')) ?? fdArg(a.get('oldfd'));
      const path = str(a.get('pathname'));
      if (f !== undefined || (path !== undefined && path !== '')) {
        const fd = newFd(f?.num ?? Number.NaN);
        const name = f?.name ?? (path !== '' ? path : undefined);
        if (name !== undefined) {
          fd.name = name;
          fd.type = 'file';
        }
        if (type === 'read' || type === 'write' || type === 'close') ev.fd = fd;
        if (f !== undefined) ev.args['fd'] = f.num;
      }
      break;
    }
    case 'container': {
      const id = str(a.get('container_id'));
      if (id !== undefined && id !== '') {
        ev.container = makeContainer({
          id, name: str(a.get('container_name')), image: str(a.get('container_image')),
          imageDigest: str(a.get('container_image_digest')), type: str(a.get('runtime')),
          k8s: { podName: str(a.get('pod_name')), namespace: str(a.get('pod_namespace')), podUid: str(a.get('pod_uid')) },
        });
      }
      ev.proc = undefined;
      break;
    }
    default:
      break;
  }
  return ev;
}

export class TraceeDecoder {
  private readonly dedupe = new Deduper();

  record(line: string): SyscallEvent | undefined {
    const o = parseObject(line);
    let r: TraceeRecord;
    if (o['eventName'] !== undefined) r = legacyRecord(o, line);
    else if (o['name'] !== undefined && (o['workload'] !== undefined || obj(o['timestamp']) !== undefined || typeof o['timestamp'] === 'string')) r = nestedRecord(o);
    else throw new BadRecord('missing-field', 'not a Tracee event (no eventName, or name + workload)');
    return mapEvent(r, this.dedupe);
  }
}

