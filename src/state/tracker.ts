// The state stage: a process table (pid → process, parent links, threads), an fd table per
// process and the container table. `apply(ev)` merges what the event says about its process into
// the table, links ev.proc / ev.fd / container to the live records, and updates the tables for the
// event's effect (fork/clone, exec, exit, open, socket, connect, accept, dup, close, chdir, …).
//
// Contract: events are applied in stream order and each event must be evaluated before the next is
// applied — ev.proc and ev.fd are the live records, which later events update (as in libsinsp).
//
// Decoders describe processes with snapshots (ev.proc, possibly with parent snapshots): fields
// they know are set, unknown ones undefined. A snapshot never erases known values, except that a
// successful exec clears what described the previous program image. Unknown stays unknown: nothing
// is guessed. Everything is bounded: exits remove processes (children are re-parented to the
// reaper as the kernel does), and past a cap the least recently used entries are evicted (counted).

import { HOST_CONTAINER, liveProcess, newFd, newProcess, type Container, type Fd, type FdType, type Process, type SyscallEvent } from '../event/types.js';
import { ContainerTable } from './containers.js';
import { FdTable } from './fd-table.js';
import { normalizePath, resolvePath } from './paths.js';

export interface StateOptions {
  /** Most processes tracked (default 65536). */
  readonly maxProcesses?: number;
  /** Most thread → process mappings (default 262144). */
  readonly maxThreads?: number;
  /** Most fds tracked per process (default 4096). */
  readonly maxFdsPerProcess?: number;
  /** Most containers tracked (default 4096). */
  readonly maxContainers?: number;
}

export interface StateStats {
  processes: number;
  threads: number;
  containers: number;
  processesEvicted: number;
  fdsEvicted: number;
  containersEvicted: number;
  threadsEvicted: number;
  exits: number;
  pidReuses: number;
}

interface Entry {
  readonly proc: Process;
  fds: FdTable | undefined;
  /**
   * The fd table is shared with a fork relative until one of them changes it (copy on write). The
   * table counts its holders, so the last one left (typically the parent, once the child has
   * exec'd) takes it over without a copy.
   */
  fdsShared: boolean;
  /** The event count when this entry was last moved to the recent end of the table. */
  tick: number;
  threads: number[] | undefined;
}

const AT_FDCWD = -100;
const O_WRONLY = 1;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
const CLONE_FILES = 0x400;
const CLONE_PARENT = 0x8000;
const CLONE_THREAD = 0x10000;
const MAX_DEPTH = 64;

const OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at']);
const EXEC_TYPES = new Set(['execve', 'execveat']);
const CLONE_TYPES = new Set(['clone', 'clone3', 'fork', 'vfork']);
const SOCKET_UPDATE_TYPES = new Set(['connect', 'sendto', 'sendmsg', 'bind']);
const NEW_FD_TYPES: Readonly<Record<string, FdType>> = {
  eventfd: 'event', eventfd2: 'event', signalfd: 'signalfd', signalfd4: 'signalfd', timerfd_create: 'timerfd',
  inotify_init: 'inotify', inotify_init1: 'inotify', epoll_create: 'eventpoll', epoll_create1: 'eventpoll',
  userfaultfd: 'userfaultfd', io_uring_setup: 'io_uring', pidfd_open: 'pidfd', bpf: 'bpf',
};

/**
 * The event types that change the tables: everything apply() handles beyond merging the process an
 * event describes, plus the rest of libsinsp's state-changing syscalls (credentials, sessions,
 * namespaces, fd flags). A pipeline may skip events of other types that no rule uses: the process
 * fields such events carry arrive again on the next event of the same process.
 */
export const STATE_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...OPEN_TYPES, ...EXEC_TYPES, ...CLONE_TYPES, ...SOCKET_UPDATE_TYPES, ...Object.keys(NEW_FD_TYPES),
  'procexit', 'exit', 'exit_group', 'close', 'socket', 'accept', 'accept4', 'memfd_create', 'pipe', 'pipe2',
  'dup', 'dup2', 'dup3', 'fcntl', 'chdir', 'fchdir', 'socketpair', 'recvfrom', 'recvmsg', 'pidfd_getfd',
  'setuid', 'setgid', 'setresuid', 'setresgid', 'setreuid', 'setregid', 'setfsuid', 'setfsgid', 'capset',
  'prctl', 'setsid', 'setpgid', 'chroot', 'unshare', 'setns', 'container', 'procinfo',
]);

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** An argument's raw number (evt.rawarg), whether the decoder rendered it as text or not. */
function rawArg(ev: SyscallEvent, name: string): number | undefined {
  return ev.rawArgs?.[name] ?? num(ev.args[name]);
}

function hasFlag(ev: SyscallEvent, bit: number, name: string): boolean {
  const raw = ev.rawArgs?.['flags'];
  if (raw !== undefined) return (raw & bit) !== 0;
  const v = ev.args['flags'];
  if (typeof v === 'number') return (v & bit) !== 0;
  return typeof v === 'string' && v.includes(name);
}

/** Fields a successful exec replaces: they described the previous program image. */
function resetImage(p: Process): void {
  p.name = undefined;
  p.exe = undefined;
  p.exepath = undefined;
  p.args = undefined;
  p.env = undefined;
  p.exeUpperLayer = undefined;
  p.exeLowerLayer = undefined;
  p.exeFromMemfd = undefined;
  p.exeWritable = undefined;
  p.exeIno = undefined;
  p.exeInoCtime = undefined;
  p.exeInoMtime = undefined;
}

/** Copies the fields a snapshot knows; `image` false skips exe/args/env (a failed exec's attempt). */
function merge(p: Process, s: Process, image: boolean): void {
  if (s.name !== undefined) p.name = s.name;
  if (image) {
    if (s.exe !== undefined) p.exe = s.exe;
    if (s.exepath !== undefined) p.exepath = s.exepath;
    if (s.args !== undefined) p.args = s.args;
    if (s.env !== undefined) p.env = s.env;
    if (s.exeUpperLayer !== undefined) p.exeUpperLayer = s.exeUpperLayer;
    if (s.exeLowerLayer !== undefined) p.exeLowerLayer = s.exeLowerLayer;
    if (s.exeFromMemfd !== undefined) p.exeFromMemfd = s.exeFromMemfd;
    if (s.exeWritable !== undefined) p.exeWritable = s.exeWritable;
    if (s.exeIno !== undefined) p.exeIno = s.exeIno;
    if (s.exeInoCtime !== undefined) p.exeInoCtime = s.exeInoCtime;
    if (s.exeInoMtime !== undefined) p.exeInoMtime = s.exeInoMtime;
  }
  if (s.cwd !== undefined) p.cwd = s.cwd;
  if (s.vpid !== undefined) p.vpid = s.vpid;
  if (s.vtid !== undefined) p.vtid = s.vtid;
  if (s.tty !== undefined) p.tty = s.tty;
  if (s.uid !== undefined) p.uid = s.uid;
  if (s.gid !== undefined) p.gid = s.gid;
  if (s.user !== undefined) p.user = s.user;
  if (s.group !== undefined) p.group = s.group;
  if (s.loginuid !== undefined) p.loginuid = s.loginuid;
  if (s.loginname !== undefined) p.loginname = s.loginname;
  if (s.sid !== undefined) p.sid = s.sid;
  if (s.vpgid !== undefined) p.vpgid = s.vpgid;
  if (s.pgid !== undefined) p.pgid = s.pgid;
  if (s.startTs !== undefined && p.startTs === undefined) p.startTs = s.startTs;
  if (s.capEffective !== undefined) p.capEffective = s.capEffective;
  if (s.capPermitted !== undefined) p.capPermitted = s.capPermitted;
  if (s.capInheritable !== undefined) p.capInheritable = s.capInheritable;
  if (s.cgroups !== undefined) p.cgroups = s.cgroups;
}

/** Sets the fields a process does not know yet from a snapshot (a /proc scan under live events). */
function fillUnknown(p: Process, s: Process): void {
  const to = p as unknown as Record<string, unknown>;
  const from = s as unknown as Record<string, unknown>;
  for (const k in from) {
    if (k === 'pid' || k === 'tid' || k === 'parent' || k === 'container') continue;
    if (to[k] === undefined && from[k] !== undefined) to[k] = from[k];
  }
}

/** A forked child starts as a copy of its parent (fields the child does not know yet). */
function inherit(c: Process, p: Process): void {
  c.name ??= p.name;
  c.exe ??= p.exe;
  c.exepath ??= p.exepath;
  c.args ??= p.args;
  c.cwd ??= p.cwd;
  c.env ??= p.env;
  c.tty ??= p.tty;
  c.uid ??= p.uid;
  c.gid ??= p.gid;
  c.user ??= p.user;
  c.group ??= p.group;
  c.loginuid ??= p.loginuid;
  c.loginname ??= p.loginname;
  c.sid ??= p.sid;
  c.pgid ??= p.pgid;
  c.vpgid ??= p.vpgid;
  c.capEffective ??= p.capEffective;
  c.capPermitted ??= p.capPermitted;
  c.capInheritable ??= p.capInheritable;
  c.exeUpperLayer ??= p.exeUpperLayer;
  c.exeLowerLayer ??= p.exeLowerLayer;
  c.exeFromMemfd ??= p.exeFromMemfd;
  c.exeWritable ??= p.exeWritable;
  c.exeIno ??= p.exeIno;
  c.exeInoCtime ??= p.exeInoCtime;
  c.exeInoMtime ??= p.exeInoMtime;
  c.cgroups ??= p.cgroups;
  c.container ??= p.container;
}

/** Fills an fd's unknown fields from another description of it. */
function overlay(into: Fd, from: Fd): void {
  if (from.type !== undefined) into.type = from.type;
  if (from.name !== undefined) into.name = from.name;
  if (from.nameraw !== undefined) into.nameraw = from.nameraw;
  if (from.l4proto !== undefined) into.l4proto = from.l4proto;
  if (from.cip !== undefined) into.cip = from.cip;
  if (from.cport !== undefined) into.cport = from.cport;
  if (from.sip !== undefined) into.sip = from.sip;
  if (from.sport !== undefined) into.sport = from.sport;
  if (from.isServer !== undefined) into.isServer = from.isServer;
  if (from.connected !== undefined) into.connected = from.connected;
  if (from.openFlags !== undefined) into.openFlags = from.openFlags;
  if (from.dev !== undefined) into.dev = from.dev;
  if (from.ino !== undefined) into.ino = from.ino;
  if (from.upperLayer !== undefined) into.upperLayer = from.upperLayer;
}

function isCloexec(fd: Fd): boolean {
  return fd.openFlags !== undefined && (fd.openFlags & O_CLOEXEC) !== 0;
}

function copyFd(fd: Fd, numv: number): Fd {
  return { ...fd, num: numv };
}

export class StateTracker {
  private readonly procs = new Map<number, Entry>();
  private readonly threads = new Map<number, number>();
  readonly containers: ContainerTable;
  private readonly maxProcesses: number;
  private readonly maxThreads: number;
  private readonly maxFds: number;
  /** Approximate LRU: an entry is moved to the recent end when touched this many events after its last move. */
  private readonly refreshAfter: number;
  private tick = 0;
  private readonly counters = {
    processesEvicted: 0, fdsEvicted: 0, threadsEvicted: 0, exits: 0, pidReuses: 0,
  };

  constructor(options: StateOptions = {}) {
    this.maxProcesses = options.maxProcesses ?? 65536;
    this.maxThreads = options.maxThreads ?? 262144;
    this.maxFds = options.maxFdsPerProcess ?? 4096;
    this.refreshAfter = Math.max(1, Math.floor(this.maxProcesses / 8));
    this.containers = new ContainerTable(options.maxContainers ?? 4096);
  }

  stats(): StateStats {
    return {
      processes: this.procs.size, threads: this.threads.size, containers: this.containers.size,
      containersEvicted: this.containers.evicted, ...this.counters,
    };
  }

  /** The live process for a pid (or a thread id), if tracked. */
  process(pid: number): Process | undefined {
    return this.procs.get(this.threads.get(pid) ?? pid)?.proc;
  }

  /** The fd table entry of a process, if tracked. */
  fd(pid: number, fdnum: number): Fd | undefined {
    return this.procs.get(this.threads.get(pid) ?? pid)?.fds?.get(fdnum);
  }

  apply(ev: SyscallEvent): void {
    const snap = ev.proc;
    const tid = ev.tid ?? snap?.tid;
    if (snap === undefined && tid === undefined) {
      if (ev.container !== undefined) ev.container = this.containerOf(ev.container, undefined);
      return;
    }
    const pid = ev.pid ?? (tid !== undefined ? this.threads.get(tid) : undefined) ?? snap?.pid ?? (tid as number);
    const type = ev.type;
    const exit = ev.dir === '<';
    const failed = ev.res !== undefined && ev.res < 0;
    const isExec = EXEC_TYPES.has(type) && exit;

    let entry = this.procs.get(pid);
    // A different start time means a different process (the old one exited unseen) — except at
    // exec, where sources that date a process from its exec (Tetragon) report a new one.
    if (isExec && !failed && entry !== undefined && snap?.startTs !== undefined) {
      entry.proc.startTs = snap.startTs;
    } else if (entry !== undefined && snap?.startTs !== undefined && entry.proc.startTs !== undefined && snap.startTs !== entry.proc.startTs) {
      // The same pid, a different process: the previous one exited unseen.
      this.remove(entry, null);
      this.counters.pidReuses++;
      entry = undefined;
    }
    this.tick++;
    const isNew = entry === undefined;
    if (entry === undefined) entry = this.create(pid);
    else this.touch(entry);
    const p = entry.proc;
    if (tid !== undefined && tid !== pid) this.addThread(entry, tid);

    if (isExec && !failed) resetImage(p);
    // The event reports the cwd it left behind (a sensor reading the kernel's, at chdir's exit).
    const cwdReported = snap !== undefined && snap !== p && snap.cwd !== undefined;
    if (snap !== undefined && snap !== p) merge(p, snap, !(isExec && failed));
    this.linkParent(entry, snap);
    const c = this.containerFor(snap, ev.container, p);
    if (c !== undefined) p.container = c;
    ev.proc = p;
    if (p.container !== undefined) ev.container = p.container;

    if (type === 'procexit') {
      this.onExit(entry, ev, tid);
      return;
    }
    if (!exit) return;
    if (CLONE_TYPES.has(type)) this.onClone(entry, ev, isNew);
    else if (isExec) {
      if (!failed) this.onExec(entry);
    } else this.onFd(entry, ev, cwdReported);
  }

  /**
   * Seeds the table with processes that existed before the capture (src/state/proc-scan.ts). A pid
   * already tracked keeps what events said and only gains the fields still unknown; new entries
   * stop at the table's cap (nothing is evicted for them). Parents are linked by ppid once all are
   * in. Returns how many processes were added.
   */
  seed(snapshots: readonly Process[]): number {
    const seeded: Entry[] = [];
    for (const s of snapshots) {
      let e = this.procs.get(s.pid);
      if (e === undefined) {
        if (this.procs.size >= this.maxProcesses) continue;
        e = this.create(s.pid);
        merge(e.proc, s, true);
        e.proc.ppid = s.ppid;
        seeded.push(e);
      } else {
        fillUnknown(e.proc, s);
      }
      if (e.proc.container === undefined) {
        const c = this.containerFor(s, undefined, e.proc);
        if (c !== undefined) e.proc.container = c;
      }
    }
    for (const e of seeded) {
      const p = e.proc;
      if (p.parent === undefined && p.ppid !== undefined && p.ppid > 0 && p.ppid !== p.pid) {
        const pe = this.procs.get(p.ppid);
        if (pe !== undefined) p.parent = pe.proc;
      }
    }
    return seeded.length;
  }

  // ------------------------------------------------------------------------------- process table

  private create(pid: number): Entry {
    if (this.procs.size >= this.maxProcesses) this.evictOne();
    const e: Entry = { proc: newProcess(pid, pid), fds: undefined, fdsShared: false, tick: this.tick, threads: undefined };
    this.procs.set(pid, e);
    return e;
  }

  /**
   * Approximate LRU over the Map's insertion order: a touched entry moves to the recent end, but
   * at most once per `refreshAfter` events, so a busy process costs one Map update now and then.
   */
  private touch(e: Entry): void {
    if (this.tick - e.tick < this.refreshAfter) return;
    e.tick = this.tick;
    const pid = e.proc.pid;
    if (this.procs.get(pid) !== e) return;
    this.procs.delete(pid);
    this.procs.set(pid, e);
  }

  /** Drops the least recently used entry (the head of the table). */
  private evictOne(): void {
    const first = this.procs.entries().next().value;
    if (first === undefined) return;
    const [pid, e] = first;
    this.procs.delete(pid);
    this.dropThreads(e);
    this.releaseFds(e);
    this.counters.processesEvicted++;
  }

  private addThread(entry: Entry, tid: number): void {
    if (this.threads.get(tid) === entry.proc.pid) return;
    if (this.threads.size >= this.maxThreads) {
      const oldest = this.threads.keys().next().value;
      if (oldest !== undefined) {
        this.threads.delete(oldest);
        this.counters.threadsEvicted++;
      }
    }
    this.threads.set(tid, entry.proc.pid);
    (entry.threads ??= []).push(tid);
    if (entry.threads.length > 1024) entry.threads.splice(0, entry.threads.length - 1024);
  }

  private dropThreads(e: Entry): void {
    if (e.threads === undefined) return;
    for (const t of e.threads) if (this.threads.get(t) === e.proc.pid) this.threads.delete(t);
    e.threads = undefined;
  }

  private remove(e: Entry, reaper: Process | null): void {
    const pid = e.proc.pid;
    if (this.procs.get(pid) === e) this.procs.delete(pid);
    this.dropThreads(e);
    this.releaseFds(e);
    e.fds = undefined;
    // Marks the process exited (Process.reaper: where its children went, null when unknown).
    e.proc.reaper = reaper;
  }

  /** Where the children of a dying process go: the reaper the event names, the pid-namespace init, init. */
  private reaperFor(e: Entry, ev: SyscallEvent): Process | null {
    const reaperTid = rawArg(ev, 'reaper_tid');
    if (reaperTid !== undefined && reaperTid > 0) {
      const r = this.process(reaperTid);
      if (r !== undefined && r !== e.proc) return r;
    }
    let depth = 0;
    for (let a = e.proc.parent; a !== undefined && depth < MAX_DEPTH; a = a.parent, depth++) {
      if (a.reaper === undefined && (a.vpid === 1 || a.pid === 1)) return a;
    }
    const init = this.procs.get(1)?.proc;
    return init !== undefined && init !== e.proc ? init : null;
  }

  private linkByPpid(p: Process, ppid: number): void {
    const resolved = this.threads.get(ppid) ?? ppid;
    p.ppid = resolved;
    if (resolved === p.pid) return;
    if (p.parent !== undefined && p.parent.pid === resolved && p.parent.reaper === undefined) return;
    // A pid the event names becomes an entry (its details arrive with its own events).
    const found = this.procs.get(resolved);
    const pe = found ?? this.create(resolved);
    if (found !== undefined) this.touch(found);
    p.parent = pe.proc;
  }

  private linkParent(entry: Entry, snap: Process | undefined): void {
    const p = entry.proc;
    if (snap?.parent !== undefined && snap !== p) {
      const pe = this.upsertSnapshot(snap.parent, 1);
      if (pe.proc !== p) {
        p.parent = pe.proc;
        p.ppid = pe.proc.pid;
      }
      return;
    }
    const ppid = snap === p ? undefined : snap?.ppid;
    if (ppid !== undefined && ppid > 0) {
      this.linkByPpid(p, ppid);
      return;
    }
    if (p.parent !== undefined && p.parent.reaper !== undefined) {
      const r = liveProcess(p.parent);
      p.parent = r;
      p.ppid = r?.pid;
    }
  }

  /** Merges a process snapshot (a parent or ancestor the event describes) into the table. */
  private upsertSnapshot(s: Process, depth: number): Entry {
    let e = this.procs.get(s.pid);
    if (e !== undefined && s.startTs !== undefined && e.proc.startTs !== undefined && s.startTs !== e.proc.startTs) {
      this.remove(e, null);
      this.counters.pidReuses++;
      e = undefined;
    }
    if (e === undefined) e = this.create(s.pid);
    else this.touch(e);
    merge(e.proc, s, true);
    const c = this.containerFor(s, undefined, e.proc);
    if (c !== undefined) e.proc.container = c;
    if (depth < MAX_DEPTH) {
      if (s.parent !== undefined) {
        const pe = this.upsertSnapshot(s.parent, depth + 1);
        if (pe.proc !== e.proc) {
          e.proc.parent = pe.proc;
          e.proc.ppid = pe.proc.pid;
        }
      } else if (s.ppid !== undefined && s.ppid > 0) {
        this.linkByPpid(e.proc, s.ppid);
      }
    }
    return e;
  }

  // ----------------------------------------------------------------------------------- containers

  private containerOf(meta: Container, cgroups: string | undefined): Container | undefined {
    if (meta === HOST_CONTAINER || meta.id === 'host') return HOST_CONTAINER;
    if (meta.id !== '') return this.containers.upsert(meta);
    if (cgroups === undefined) return undefined;
    const base = this.containers.fromCgroups(cgroups);
    return base.id === 'host' ? HOST_CONTAINER : this.containers.upsert({ ...meta, id: base.id, fullId: base.fullId });
  }

  private containerFor(snap: Process | undefined, evContainer: Container | undefined, p: Process): Container | undefined {
    const meta = evContainer ?? snap?.container;
    const cgroups = snap?.cgroups;
    if (meta !== undefined) return this.containerOf(meta, cgroups ?? p.cgroups);
    if (cgroups !== undefined) return this.containers.fromCgroups(cgroups);
    return undefined;
  }

  // ------------------------------------------------------------------------------ process events

  private onClone(entry: Entry, ev: SyscallEvent, isNew: boolean): void {
    const res = ev.res;
    if (res === undefined || res < 0) return;
    const thread = hasFlag(ev, CLONE_THREAD, 'CLONE_THREAD');
    const parent = entry.proc;
    if (res > 0) {
      // The caller's side: res is the new thread's id.
      if (thread) {
        this.addThread(entry, res);
        return;
      }
      const existing = this.procs.get(res);
      if (existing !== undefined && existing.proc.parent === parent) {
        inherit(existing.proc, parent);
        return;
      }
      if (existing !== undefined) {
        this.remove(existing, null);
        this.counters.pidReuses++;
      }
      const child = this.create(res);
      const c = child.proc;
      inherit(c, parent);
      const newParent = hasFlag(ev, CLONE_PARENT, 'CLONE_PARENT') ? liveProcess(parent.parent) : parent;
      c.parent = newParent;
      c.ppid = newParent?.pid;
      if (ev.ts !== '') c.startTs = ev.ts;
      this.shareFds(entry, child, hasFlag(ev, CLONE_FILES, 'CLONE_FILES'));
      return;
    }
    // The child's side (res 0): this process is the new one.
    if (thread || !isNew) return;
    const p = entry.proc;
    if (ev.ts !== '') p.startTs ??= ev.ts;
    const pp = p.parent;
    if (pp !== undefined) {
      inherit(p, pp);
      const pe = this.procs.get(pp.pid);
      if (pe?.proc === pp && entry.fds === undefined) this.shareFds(pe, entry, false);
    }
  }

  private onExec(entry: Entry): void {
    const fds = entry.fds;
    if (fds === undefined) return;
    // Close-on-exec fds go; a table still shared with a fork relative is copied without them in one pass.
    if (entry.fdsShared && !this.takeOver(entry, fds)) {
      this.releaseFds(entry);
      entry.fds = fds.copyWithout(isCloexec);
    } else {
      fds.deleteWhere(isCloexec);
    }
  }

  /** A forked child starts with its parent's fds: shared until either side changes its table. */
  private shareFds(parent: Entry, child: Entry, truly: boolean): void {
    const fds = parent.fds;
    if (fds === undefined) return;
    child.fds = fds;
    if (!truly) {
      if (!parent.fdsShared) {
        parent.fdsShared = true;
        fds.cowHolders++;
      }
      child.fdsShared = true;
      fds.cowHolders++;
    }
  }

  /** A copy-on-write holder whose relatives have all let go of the table becomes its owner. */
  private takeOver(entry: Entry, fds: FdTable): boolean {
    if (fds.cowHolders > 1) return false;
    fds.cowHolders = 0;
    entry.fdsShared = false;
    return true;
  }

  /** The entry stops holding its table copy-on-write (it exits, is evicted, or copies it). */
  private releaseFds(entry: Entry): void {
    if (!entry.fdsShared) return;
    entry.fdsShared = false;
    const fds = entry.fds;
    if (fds !== undefined && fds.cowHolders > 0) fds.cowHolders--;
  }

  /** The entry's own fd table, copied first if it is still shared with a fork relative. */
  private ownFds(entry: Entry): FdTable {
    const fds = entry.fds;
    if (fds === undefined) return (entry.fds = new FdTable());
    if (entry.fdsShared && !this.takeOver(entry, fds)) {
      this.releaseFds(entry);
      return (entry.fds = new FdTable(fds));
    }
    return fds;
  }

  private onExit(entry: Entry, ev: SyscallEvent, tid: number | undefined): void {
    const p = entry.proc;
    if (ev.args['group_exit'] !== true && tid !== undefined && tid !== p.pid) {
      if (this.threads.get(tid) === p.pid) this.threads.delete(tid);
      return;
    }
    this.remove(entry, this.reaperFor(entry, ev));
    this.counters.exits++;
  }

  // ---------------------------------------------------------------------------------------- fds

  private storeFd(entry: Entry, fd: Fd): void {
    if (!Number.isInteger(fd.num) || fd.num < 0) return;
    const fds = this.ownFds(entry);
    if (fds.size >= this.maxFds && !fds.has(fd.num) && fds.evictOldest() !== undefined) this.counters.fdsEvicted++;
    fds.set(fd.num, fd);
  }

  private lookupFd(entry: Entry, n: number | undefined): Fd | undefined {
    return n === undefined ? undefined : entry.fds?.get(n);
  }

  /** The fd number an event uses: evt.rawarg.fd, else the decoder's fd. */
  private fdNum(ev: SyscallEvent): number | undefined {
    const n = rawArg(ev, 'fd');
    if (n !== undefined) return n;
    const d = ev.fd;
    return d !== undefined && Number.isInteger(d.num) && d.num >= 0 ? d.num : undefined;
  }

  private openPath(entry: Entry, ev: SyscallEvent, raw: string): string | undefined {
    if (raw.startsWith('/')) return normalizePath(raw);
    const dirfd = rawArg(ev, 'dirfd');
    if (dirfd === undefined || dirfd === AT_FDCWD) return resolvePath(raw, entry.proc.cwd);
    // The directory the source read for this dirfd (the fd may predate the capture), else the table's.
    if (ev.dirpath !== undefined && ev.dirpath.startsWith('/')) return resolvePath(raw, ev.dirpath);
    const dir = this.lookupFd(entry, dirfd);
    return dir?.name !== undefined ? resolvePath(raw, dir.name) : undefined;
  }

  private onOpen(entry: Entry, ev: SyscallEvent): void {
    const res = ev.res;
    const nameArg = ev.args['name'] ?? ev.args['pathname'];
    const raw = typeof nameArg === 'string' && nameArg !== '' ? nameArg : undefined;
    let fd = ev.fd;
    if (fd === undefined) {
      fd = newFd(res === undefined ? Number.NaN : res >= 0 ? res : -1);
      let flags = ev.rawArgs?.['flags'] ?? num(ev.args['flags']);
      if (ev.type === 'creat') flags = O_CREAT | O_WRONLY | O_TRUNC;
      fd.openFlags = flags;
      fd.type = flags !== undefined && (flags & O_DIRECTORY) !== 0 ? 'directory' : 'file';
    }
    if (raw !== undefined) {
      fd.nameraw ??= raw;
      if (fd.name === undefined || !fd.name.startsWith('/')) fd.name = this.openPath(entry, ev, fd.name ?? raw) ?? fd.name ?? raw;
    } else if (fd.name !== undefined && !fd.name.startsWith('/')) {
      fd.name = this.openPath(entry, ev, fd.name) ?? fd.name;
    }
    // A decoder's fd with an unknown number (NaN: an LSM hook, before the fd exists) stays so.
    if (res !== undefined && res < 0) fd.num = -1;
    else if (res !== undefined && fd.num === res) this.storeFd(entry, fd);
    ev.fd = fd;
  }

  private onFd(entry: Entry, ev: SyscallEvent, cwdReported: boolean): void {
    const type = ev.type;
    const res = ev.res;
    if (OPEN_TYPES.has(type)) {
      this.onOpen(entry, ev);
      return;
    }
    const newType = NEW_FD_TYPES[type];
    if (newType !== undefined) {
      if (res !== undefined && res >= 0) {
        const fd = ev.fd ?? newFd(res);
        fd.num = res;
        fd.type ??= newType;
        this.storeFd(entry, fd);
        ev.fd = fd;
      }
      return;
    }
    switch (type) {
      case 'socket':
      case 'accept':
      case 'accept4': {
        if (res === undefined || res < 0) return;
        const fd = ev.fd ?? newFd(res);
        fd.num = res;
        if (type === 'socket') {
          if (fd.type === undefined) {
            const domain = rawArg(ev, 'domain');
            fd.type = domain === 2 ? 'ipv4' : domain === 10 ? 'ipv6' : domain === 1 ? 'unix' : domain === 16 ? 'netlink' : undefined;
          }
          fd.connected ??= false;
        }
        this.storeFd(entry, fd);
        ev.fd = fd;
        return;
      }
      case 'memfd_create': {
        if (res === undefined || res < 0) return;
        const fd = ev.fd ?? newFd(res);
        fd.num = res;
        fd.type = 'memfd';
        const name = ev.args['name'];
        if (fd.name === undefined && typeof name === 'string') fd.name = `memfd:${name}`;
        this.storeFd(entry, fd);
        ev.fd = fd;
        return;
      }
      case 'pipe':
      case 'pipe2': {
        for (const key of ['fd1', 'fd2']) {
          const n = rawArg(ev, key);
          if (n !== undefined && n >= 0) {
            const fd = newFd(n);
            fd.type = 'pipe';
            this.storeFd(entry, fd);
          }
        }
        return;
      }
      case 'close': {
        const n = this.fdNum(ev);
        const known = this.lookupFd(entry, n);
        if (n !== undefined && known !== undefined && (res === undefined || res >= 0)) this.ownFds(entry).delete(n);
        ev.fd = known ?? ev.fd;
        return;
      }
      case 'dup':
      case 'dup2':
      case 'dup3': {
        const old = rawArg(ev, 'oldfd') ?? rawArg(ev, 'fd');
        const src = this.lookupFd(entry, old);
        if (res !== undefined && res >= 0 && src !== undefined) {
          const copy = copyFd(src, res);
          if (type === 'dup3' && hasFlag(ev, O_CLOEXEC, 'O_CLOEXEC')) copy.openFlags = (copy.openFlags ?? 0) | O_CLOEXEC;
          this.storeFd(entry, copy);
          ev.fd = copy;
        } else if (src !== undefined) {
          ev.fd = src;
        }
        return;
      }
      case 'chdir': {
        // A cwd the event reported is the result already: joining the path again would double it.
        if ((res !== undefined && res < 0) || cwdReported) return;
        const path = ev.args['path'] ?? ev.args['dir'] ?? ev.args['filename'];
        if (typeof path === 'string' && path !== '') {
          const cwd = resolvePath(path, entry.proc.cwd);
          if (cwd !== undefined) entry.proc.cwd = cwd;
        }
        return;
      }
      case 'fchdir': {
        if ((res !== undefined && res < 0) || cwdReported) return;
        const dir = this.lookupFd(entry, this.fdNum(ev));
        if (dir?.name !== undefined && dir.name.startsWith('/')) entry.proc.cwd = dir.name;
        return;
      }
      default:
        break;
    }
    // Any other event on an fd: the table's record, updated with what this event says about it.
    const n = this.fdNum(ev);
    const known = this.lookupFd(entry, n);
    const d = ev.fd;
    if (d === undefined) {
      if (known !== undefined) ev.fd = known;
      return;
    }
    if (known === undefined) {
      if (n !== undefined && !Number.isFinite(d.num)) d.num = n;
      if (SOCKET_UPDATE_TYPES.has(type) || d.name !== undefined || d.type !== undefined) this.storeFd(entry, d);
      return;
    }
    if (known !== d) overlay(known, d);
    ev.fd = known;
  }
}
