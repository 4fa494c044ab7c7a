// A small DSL for writing Peregrine native event streams (schema/native-event.schema.json) the way
// a kernel sensor reports them: every record carries pid, comm and uid; execve carries the new
// program's exe, argv, cwd, tty, cgroup and login uid; clone returns the child's pid; open-like
// calls return the new fd; connect carries the remote address. Used by gen-samples.mjs only.

import { createHash } from 'node:crypto';

export const SIGCHLD = 17;
export const O = {
  RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0o100, EXCL: 0o200, TRUNC: 0o1000, APPEND: 0o2000, NONBLOCK: 0o4000,
  DIRECTORY: 0o200000, CLOEXEC: 0o2000000,
};
/** Common open flag sets: a read, a shell `>` redirect, a `>>` redirect, a new file, a read-write. */
export const READ = O.RDONLY | O.CLOEXEC;
export const TRUNCATE = O.WRONLY | O.CREAT | O.TRUNC;
export const APPEND = O.WRONLY | O.CREAT | O.APPEND;
export const CREATE = O.WRONLY | O.CREAT | O.EXCL | O.CLOEXEC;
export const RDWR = O.RDWR | O.CREAT | O.CLOEXEC;
export const AT_FDCWD = -100;
/** /dev/pts/N as the kernel's tty device number (major 136). */
export const pts = (n) => 136 * 256 + n;

const CLONE_NEW = { NS: 0x20000, CGROUP: 0x2000000, UTS: 0x4000000, IPC: 0x8000000, USER: 0x10000000, PID: 0x20000000, NET: 0x40000000 };
export const CLONE_NEWNS = CLONE_NEW.NS;
export const CLONE_NEWUSER = CLONE_NEW.USER;
export const CLONE_NEWPID = CLONE_NEW.PID;
export const CLONE_NEWNET = CLONE_NEW.NET;
export const CLONE_FS = 0x200;

export const PTRACE = { TRACEME: 0, PEEKDATA: 2, ATTACH: 16, SEIZE: 0x4206 };

const basename = (p) => p.slice(p.lastIndexOf('/') + 1);
const comm = (name) => name.slice(0, 15);
const hex64 = (seed) => createHash('sha256').update(seed).digest('hex');

/** One output file: blocks of records, each replayable on its own from empty state. */
export class SampleFile {
  constructor(name, startNs) {
    this.name = name;
    this.t = startNs;
    this.lines = [];
    this.blocks = [];
  }

  /** A named scenario; `fn(stream)` writes its records. Returns its 1-based line range. */
  block(title, fn) {
    const first = this.lines.length + 1;
    this.t += 1_000_000_000n;
    const s = new Stream(this);
    fn(s);
    const last = this.lines.length;
    this.blocks.push({ title, first, last });
    return { first, last };
  }

  push(rec) {
    this.lines.push(JSON.stringify(rec));
  }

  text() {
    return `${this.lines.join('\n')}\n`;
  }
}

/** The state of one scenario: its clock and the containers it has announced. */
export class Stream {
  constructor(file) {
    this.file = file;
    this.announced = new Set();
  }

  /** Advances the clock by `us` microseconds and returns the timestamp. */
  ts(us = 25) {
    this.file.t += BigInt(Math.round(us * 1000));
    return this.file.t.toString();
  }

  /** Lets time pass (seconds) between steps of a story. */
  wait(seconds) {
    this.file.t += BigInt(Math.round(seconds * 1e9));
  }

  push(rec) {
    this.file.push(rec);
  }

  /** A process that already runs when the scenario starts (known from its records only). */
  proc(pid, name, o = {}) {
    return new Proc(this, pid, { comm: comm(name), ...o });
  }

  /** A host process with the systemd cgroup of its service. */
  host(pid, name, o = {}) {
    return this.proc(pid, name, { cgroup: o.cgroup ?? `/system.slice/${o.unit ?? `${name}.service`}`, ...o });
  }
}

/**
 * A Kubernetes container: its cgroup (containerd under the kubelet's systemd slices) names its id;
 * the first exec in a scenario also carries the runtime's metadata (name, image, pod).
 */
export function container({ name, image, pod, ns, qos = 'burstable' }) {
  const id = hex64(`container:${ns}/${pod}/${name}`);
  const uid = hex64(`pod:${ns}/${pod}`).slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  const slice = `kubepods-${qos}-pod${uid.replaceAll('-', '_')}.slice`;
  return {
    id,
    name,
    image,
    pod,
    ns,
    cgroup: `/kubepods.slice/kubepods-${qos}.slice/${slice}/cri-containerd-${id}.scope`,
  };
}

export class Proc {
  constructor(stream, pid, o) {
    this.s = stream;
    this.pid = pid;
    this.comm = o.comm;
    this.uid = o.uid ?? 0;
    this.gid = o.gid ?? this.uid;
    this.user = o.user;
    this.loginuid = o.loginuid;
    this.cgroup = o.cgroup;
    this.ctr = o.ctr;
    this.cwd = o.cwd ?? '/';
    this.tty = o.tty ?? 0;
    this.env = o.env;
    this.ppid = o.ppid;
    this.nextFd = o.nextFd ?? 3;
  }

  /** One record of this process. */
  rec(type, fields = {}, us = 25) {
    const r = { type, ts: this.s.ts(us), pid: this.pid, comm: this.comm, uid: this.uid, ...fields };
    this.s.push(r);
    return r;
  }

  /** A child that is a copy of this process (fork without exec), e.g. a server's worker. */
  fork(pid, o = {}) {
    this.rec('clone', { res: pid, args: { flags: SIGCHLD } });
    return new Proc(this.s, pid, {
      comm: this.comm, uid: this.uid, gid: this.gid, user: this.user, loginuid: this.loginuid, cgroup: this.cgroup,
      ctr: this.ctr, cwd: this.cwd, tty: this.tty, env: this.env, ppid: this.pid, nextFd: this.nextFd, ...o,
    });
  }

  /**
   * Replaces this process's program (execve). `o.comm` overrides the name the kernel gives it (the
   * script's name for `#!` scripts); `o.ctr` moves it into a container (runc's init does that).
   */
  exec(exe, argv, o = {}) {
    if (o.ctr !== undefined) {
      this.ctr = o.ctr;
      this.cgroup = o.ctr.cgroup;
    }
    if (o.cgroup !== undefined) this.cgroup = o.cgroup;
    if (o.uid !== undefined) this.uid = o.uid;
    if (o.gid !== undefined) this.gid = o.gid;
    if (o.cwd !== undefined) this.cwd = o.cwd;
    if (o.tty !== undefined) this.tty = o.tty;
    if (o.env !== undefined) this.env = o.env;
    if (o.loginuid !== undefined) this.loginuid = o.loginuid;
    this.comm = comm(o.comm ?? basename(exe));
    const r = {
      type: o.type ?? 'execve', ts: this.s.ts(o.us ?? 40), pid: this.pid, ppid: this.ppid, comm: this.comm, uid: this.uid, gid: this.gid,
      res: o.res ?? 0, exe, argv, cwd: this.cwd, tty: this.tty,
    };
    if (this.loginuid !== undefined) r.loginuid = this.loginuid;
    if (this.env !== undefined) r.env = this.env;
    if (this.cgroup !== undefined) r.cgroup = this.cgroup;
    if (o.vpid !== undefined) {
      r.vpid = o.vpid;
      if (o.vpid === 1) r.pidns_init = true;
    }
    if (o.upper !== undefined) r.exe_upper_layer = o.upper;
    if (o.memfd !== undefined) r.exe_from_memfd = o.memfd;
    const c = this.ctr;
    if (c !== undefined && !this.s.announced.has(c.id)) {
      this.s.announced.add(c.id);
      r.container = { id: `containerd://${c.id}`, name: c.name, image: c.image, type: 'containerd' };
      r.k8s = { pod: c.pod, ns: c.ns };
    }
    this.s.push(r);
    this.nextFd = 3;
    return this;
  }

  /** fork + exec: a new program as this process's child. */
  spawn(pid, exe, argv, o = {}) {
    const child = this.fork(pid);
    return child.exec(exe, argv, o);
  }

  /** openat; returns the new fd (or the negative errno). */
  open(path, flags, o = {}) {
    const res = o.res ?? this.nextFd++;
    this.rec('openat', { res, args: { dirfd: o.dirfd ?? AT_FDCWD, name: path, flags, mode: o.mode ?? (flags & O.CREAT ? 0o666 : 0) } });
    return res;
  }

  read(fd, bytes = 4096) {
    this.rec('read', { res: bytes, args: { fd } }, 10);
  }

  write(fd, bytes = 512) {
    this.rec('write', { res: bytes, args: { fd } }, 10);
  }

  close(fd) {
    this.rec('close', { res: 0, args: { fd } }, 5);
  }

  /** open + read + close. */
  cat(path) {
    const fd = this.open(path, READ);
    this.read(fd);
    this.close(fd);
  }

  /** open for writing + write + close. */
  writeFile(path, flags = TRUNCATE) {
    const fd = this.open(path, flags);
    this.write(fd);
    this.close(fd);
  }

  socket(domain = 2, type = 1) {
    const fd = this.nextFd++;
    this.rec('socket', { res: fd, args: { domain, type, proto: 0 } });
    return fd;
  }

  /** connect to ip:port from an ephemeral local port. */
  connect(fd, ip, port, o = {}) {
    const family = ip.includes(':') ? 'inet6' : 'inet';
    this.rec('connect', {
      res: o.res ?? 0,
      args: { fd, addr: { family, ip, port, proto: 'tcp', local: { ip: o.localIp ?? (family === 'inet6' ? 'fd00::17' : this.ctr !== undefined ? '10.244.1.17' : '192.168.10.21'), port: o.localPort ?? 40000 + (this.pid % 20000) } } },
    }, o.us ?? 300);
  }

  /** socket + connect; returns the fd. */
  dial(ip, port, o = {}) {
    const fd = this.socket(ip.includes(':') ? 10 : 2);
    this.connect(fd, ip, port, o);
    return fd;
  }

  accept(listenFd, peerIp, peerPort, localIp, localPort) {
    const fd = this.nextFd++;
    this.rec('accept4', { res: fd, args: { fd: listenFd, addr: { family: 'inet', ip: peerIp, port: peerPort, proto: 'tcp', local: { ip: localIp, port: localPort } } } });
    return fd;
  }

  dup2(oldfd, newfd) {
    this.rec('dup2', { res: newfd, args: { oldfd, newfd } }, 5);
  }

  pipe() {
    const a = this.nextFd++;
    const b = this.nextFd++;
    this.rec('pipe2', { res: 0, args: { fd1: a, fd2: b, flags: 0 } }, 5);
    return [a, b];
  }

  unlink(path, o = {}) {
    this.rec('unlinkat', { res: o.res ?? 0, args: { dirfd: AT_FDCWD, name: path, flags: 0 } });
  }

  rename(oldpath, newpath) {
    this.rec('rename', { res: 0, args: { oldpath, newpath } });
  }

  symlink(target, linkpath) {
    this.rec('symlinkat', { res: 0, args: { target, linkpath } });
  }

  ftruncate(fd, length = 0) {
    this.rec('ftruncate', { res: 0, args: { fd, length } });
  }

  chmod(path, mode) {
    this.rec('fchmodat', { res: 0, args: { dirfd: AT_FDCWD, filename: path, mode } });
  }

  mount(dev, dir, type, flags = 0, o = {}) {
    this.rec('mount', { res: o.res ?? 0, args: { dev, dir, type, flags } });
  }

  setns(fd, nstype, o = {}) {
    this.rec('setns', { res: o.res ?? 0, args: { fd, nstype } });
  }

  unshare(flags, o = {}) {
    this.rec('unshare', { res: o.res ?? 0, args: { flags } });
  }

  ptrace(request, pid, o = {}) {
    this.rec('ptrace', { res: o.res ?? 0, args: { request, pid } });
  }

  setuid(uid, o = {}) {
    this.rec('setuid', { res: o.res ?? 0, args: { uid }, ...(o.uidAfter !== undefined ? { uid: o.uidAfter } : {}) });
    if (o.uidAfter !== undefined) this.uid = o.uidAfter;
  }

  setresuid(ruid, euid, suid, o = {}) {
    this.rec('setresuid', { res: o.res ?? 0, args: { ruid, euid, suid }, ...(o.uidAfter !== undefined ? { uid: o.uidAfter } : {}) });
    if (o.uidAfter !== undefined) this.uid = o.uidAfter;
  }

  finitModule(fd, o = {}) {
    this.rec('finit_module', { res: o.res ?? 0, args: { fd, uargs: o.uargs ?? '', flags: 0 } });
  }

  memfdCreate(name) {
    const fd = this.nextFd++;
    this.rec('memfd_create', { res: fd, args: { name, flags: 1 } });
    return fd;
  }

  exit(status = 0) {
    this.rec('procexit', { args: { status } }, 50);
  }
}
