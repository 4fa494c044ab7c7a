// The event model shared by every pipeline stage. A decoder turns a record into an Event; the state
// stage links it to the process, fd and container it concerns; field extractors (src/fields) read it.
//
// Two ways to carry a value, so every input format fits without loss:
// - structured parts (`proc`, `fd`, `args`, …) that decoders and the state tables fill in, and
// - `given`: values a source already resolved, keyed by Falco field name exactly as the source wrote
//   it ("proc.aname[2]", "evt.arg.flags"). A given value wins over a derived one; null means missing.
//
// Lifetime contract: an event is valid only until the consumer's callback returns. The pipeline
// (src/cli/inputs.ts forEachEvent) decodes each line, applies it to the state and hands it over
// before decoding the next, and it reuses one SyscallEvent object for every event of a stream
// (resetSyscallEvent); ev.proc and ev.fd are live state records that later events update. Anything
// kept past the callback (an alert queued for formatting or output) must copy the values it needs
// at match time — never hold on to `ev`, `ev.args`, `ev.proc` or `ev.fd`.

/** A parsed argument value as decoders deliver it (the raw number, or already-rendered text). */
export type ArgValue = string | number | boolean | readonly string[];

export interface Container {
  /** 12-character short id, or "host" for processes outside any container. */
  readonly id: string;
  readonly fullId?: string | undefined;
  readonly name?: string | undefined;
  readonly image?: string | undefined;
  readonly imageRepository?: string | undefined;
  readonly imageTag?: string | undefined;
  readonly imageDigest?: string | undefined;
  readonly imageId?: string | undefined;
  /** Runtime: docker, containerd, cri-o, podman, … */
  readonly type?: string | undefined;
  readonly privileged?: boolean | undefined;
  readonly mounts?: readonly Mount[] | undefined;
  /** Container start, ns since epoch (decimal string, exact). */
  readonly startTs?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly ip?: string | undefined;
  readonly hostPid?: boolean | undefined;
  readonly hostNetwork?: boolean | undefined;
  readonly hostIpc?: boolean | undefined;
  readonly k8s?: K8sPod | undefined;
}

export interface Mount {
  readonly source: string;
  readonly dest: string;
  readonly mode?: string | undefined;
  readonly rw?: boolean | undefined;
  readonly propagation?: string | undefined;
}

export interface K8sPod {
  readonly podName?: string | undefined;
  readonly namespace?: string | undefined;
  readonly podUid?: string | undefined;
  readonly podLabels?: Readonly<Record<string, string>> | undefined;
  readonly podIp?: string | undefined;
  readonly sandboxId?: string | undefined;
}

/** A process (thread group) as the state table knows it. Fields a source cannot supply stay undefined. */
export interface Process {
  pid: number;
  tid: number;
  ppid: number | undefined;
  vpid: number | undefined;
  vtid: number | undefined;
  /** comm: the kernel's process name, at most 15 characters. */
  name: string | undefined;
  /** argv[0]. */
  exe: string | undefined;
  /** Full path of the executable. */
  exepath: string | undefined;
  /** argv[1..]. */
  args: readonly string[] | undefined;
  cwd: string | undefined;
  env: readonly string[] | undefined;
  tty: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  user: string | undefined;
  group: string | undefined;
  loginuid: number | undefined;
  loginname: string | undefined;
  sid: number | undefined;
  vpgid: number | undefined;
  pgid: number | undefined;
  /** Process start, ns since epoch (decimal string). */
  startTs: string | undefined;
  capEffective: string | undefined;
  capPermitted: string | undefined;
  capInheritable: string | undefined;
  exeUpperLayer: boolean | undefined;
  exeLowerLayer: boolean | undefined;
  exeFromMemfd: boolean | undefined;
  exeWritable: boolean | undefined;
  exeIno: number | undefined;
  exeInoCtime: string | undefined;
  exeInoMtime: string | undefined;
  cgroups: string | undefined;
  /** The parent as known to the state table (undefined when unknown). */
  parent: Process | undefined;
  container: Container | undefined;
  /**
   * Set by the state table when the process exited: the process its children were reparented to
   * (null when unknown). Readers of `parent` go through it (liveProcess), so an ancestry walk
   * is right even before a child's next event relinks it.
   */
  reaper: Process | null | undefined;
}

export type FdType =
  | 'file' | 'directory' | 'ipv4' | 'ipv6' | 'unix' | 'pipe' | 'event' | 'signalfd' | 'eventpoll'
  | 'inotify' | 'timerfd' | 'netlink' | 'bpf' | 'userfaultfd' | 'io_uring' | 'memfd' | 'pidfd';

/** A file descriptor the event concerns. */
export interface Fd {
  /** The fd number; -1 for a failed open; NaN when the source describes the fd but not its number. */
  num: number;
  type: FdType | undefined;
  /** Full name: a path for files, "cip:cport->sip:sport" for connected sockets. */
  name: string | undefined;
  /** The non-normalised path as the process passed it. */
  nameraw: string | undefined;
  l4proto: 'tcp' | 'udp' | 'icmp' | 'raw' | undefined;
  cip: string | undefined;
  cport: number | undefined;
  sip: string | undefined;
  sport: number | undefined;
  /** True when the local end is the server (accepted sockets, listeners). */
  isServer: boolean | undefined;
  connected: boolean | undefined;
  /** Open flags (O_* bits) for files opened by this event. */
  openFlags: number | undefined;
  dev: number | undefined;
  ino: number | undefined;
  upperLayer: boolean | undefined;
}

export interface SyscallEvent {
  readonly source: 'syscall';
  /** evt.type: the syscall or event name. */
  type: string;
  /** Nanoseconds since the epoch as decimal digits: exact beyond 2^53. "" when unknown. */
  ts: string;
  /** evt.num: the event's sequence number (0 when unknown). */
  num: number;
  /** '<' exit (the default) or '>' enter. */
  dir: '<' | '>';
  cpu: number | undefined;
  tid: number | undefined;
  /**
   * The thread-group id the source reported, when it reported one (added for the ingester: sources
   * such as sysdig's default output name only the thread; the state stage resolves the process).
   */
  pid?: number | undefined;
  /** evt.rawres: the return value (negative errno on failure). */
  res: number | undefined;
  /** Arguments by name (evt.arg.NAME); numbers are raw, strings already rendered. */
  args: Record<string, ArgValue>;
  /**
   * Raw numeric values of arguments that `args` holds rendered as text (evt.rawarg.NAME), e.g.
   * args.flags = "O_RDONLY|O_CLOEXEC" with rawArgs.flags = 524288 (added for the ingester).
   */
  rawArgs?: Record<string, number> | undefined;
  /** evt.args as a source rendered it, when it did. */
  argsText: string | undefined;
  given: Record<string, unknown> | undefined;
  proc: Process | undefined;
  fd: Fd | undefined;
  /** Where the source itself says the process runs (filled by decoders; state links it to `proc`). */
  container: Container | undefined;
  /**
   * The directory a relative path argument was resolved against, when the source read it (the
   * native format's `dirpath`: the path of an openat-style dirfd). State joins relative names to it.
   */
  dirpath?: string | undefined;
}

/** A Kubernetes audit event (audit.k8s.io Event). */
export interface K8sAuditEvent {
  readonly source: 'k8s_audit';
  /** For indexing: audit events have no syscall type; the engine uses "" for every plugin source. */
  readonly type: string;
  /** `stageTimestamp` as decimal nanoseconds since the epoch (what evt.rawtime and jevt.rawtime report). */
  ts: string;
  num: number;
  given: Record<string, unknown> | undefined;
  /** The parsed audit event document, exactly as received (every stage, not only ResponseComplete). */
  readonly doc: Record<string, unknown>;
}

export type Event = SyscallEvent | K8sAuditEvent;

export function newProcess(pid: number, tid = pid): Process {
  return {
    pid, tid, ppid: undefined, vpid: undefined, vtid: undefined, name: undefined, exe: undefined,
    exepath: undefined, args: undefined, cwd: undefined, env: undefined, tty: undefined, uid: undefined,
    gid: undefined, user: undefined, group: undefined, loginuid: undefined, loginname: undefined,
    sid: undefined, vpgid: undefined, pgid: undefined, startTs: undefined, capEffective: undefined,
    capPermitted: undefined, capInheritable: undefined, exeUpperLayer: undefined, exeLowerLayer: undefined,
    exeFromMemfd: undefined, exeWritable: undefined, exeIno: undefined, exeInoCtime: undefined,
    exeInoMtime: undefined, cgroups: undefined, parent: undefined, container: undefined, reaper: undefined,
  };
}

export function newFd(num: number): Fd {
  return {
    num, type: undefined, name: undefined, nameraw: undefined, l4proto: undefined, cip: undefined,
    cport: undefined, sip: undefined, sport: undefined, isServer: undefined, connected: undefined,
    openFlags: undefined, dev: undefined, ino: undefined, upperLayer: undefined,
  };
}

/** Longest chain of exited reapers followed (a corrupt chain cannot loop forever). */
const MAX_REAPER_CHAIN = 64;

/**
 * The live process standing for `p`: p itself, or — when p exited — the process that reaped its
 * children, following reapers that exited too; undefined when that is unknown.
 */
export function liveProcess(p: Process | undefined): Process | undefined {
  let cur = p;
  for (let i = 0; cur !== undefined && cur.reaper !== undefined && i < MAX_REAPER_CHAIN; i++) cur = cur.reaper ?? undefined;
  return cur !== undefined && cur.reaper !== undefined ? undefined : cur;
}

/** Clears every field of a process (the state of newProcess(pid, tid)), for a reused snapshot. */
export function resetProcess(p: Process, pid: number, tid = pid): Process {
  p.pid = pid; p.tid = tid; p.ppid = undefined; p.vpid = undefined; p.vtid = undefined; p.name = undefined;
  p.exe = undefined; p.exepath = undefined; p.args = undefined; p.cwd = undefined; p.env = undefined;
  p.tty = undefined; p.uid = undefined; p.gid = undefined; p.user = undefined; p.group = undefined;
  p.loginuid = undefined; p.loginname = undefined; p.sid = undefined; p.vpgid = undefined; p.pgid = undefined;
  p.startTs = undefined; p.capEffective = undefined; p.capPermitted = undefined; p.capInheritable = undefined;
  p.exeUpperLayer = undefined; p.exeLowerLayer = undefined; p.exeFromMemfd = undefined; p.exeWritable = undefined;
  p.exeIno = undefined; p.exeInoCtime = undefined; p.exeInoMtime = undefined; p.cgroups = undefined;
  p.parent = undefined; p.container = undefined; p.reaper = undefined;
  return p;
}

/** A syscall event with every property present (one hidden class for all decoders). */
export function newSyscallEvent(type: string): SyscallEvent {
  return {
    source: 'syscall', type, ts: '', num: 0, dir: '<', cpu: undefined, tid: undefined, pid: undefined,
    res: undefined, args: {}, rawArgs: undefined, argsText: undefined, given: undefined, proc: undefined, fd: undefined, container: undefined,
    dirpath: undefined,
  };
}

/**
 * Clears a syscall event for reuse (the state of newSyscallEvent(type)); `args` becomes `emptyArgs`
 * (a fresh object by default: decoders may write into args).
 */
export function resetSyscallEvent(ev: SyscallEvent, type: string, emptyArgs: Record<string, ArgValue> = {}): SyscallEvent {
  ev.type = type; ev.ts = ''; ev.num = 0; ev.dir = '<'; ev.cpu = undefined; ev.tid = undefined; ev.pid = undefined;
  ev.res = undefined; ev.args = emptyArgs; ev.rawArgs = undefined; ev.argsText = undefined; ev.given = undefined;
  ev.proc = undefined; ev.fd = undefined; ev.container = undefined; ev.dirpath = undefined;
  return ev;
}

/** A syscall event whose every field value is given, e.g. `{"evt.type":"open","proc.name":"cat"}`. */
export function eventFromFields(fields: Record<string, unknown>): SyscallEvent {
  const type = fields['evt.type'];
  const ev = newSyscallEvent(typeof type === 'string' ? type : '');
  ev.given = fields;
  return ev;
}

/** A Kubernetes audit event with every property present (one hidden class for all receivers). */
export function newK8sAuditEvent(doc: Record<string, unknown>, ts: string, num: number): K8sAuditEvent {
  return { source: 'k8s_audit', type: '', ts, num, given: undefined, doc };
}

export const HOST_CONTAINER: Container = Object.freeze({ id: 'host', name: 'host' });
