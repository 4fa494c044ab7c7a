// Native JSON lines from assembled sensor records: the field layout of schema/native-event.schema.json
// written by string concatenation, with the strings copied as bpftrace escaped them (see
// ebpf-text.ts). One builder per record tag (E, X, N, F, Q of sensor/peregrine.bt).

import { CHDIR_KINDS, E_KINDS, OTHER_KINDS, type ArgSource, type NumConv } from './ebpf-kinds.js';
import { fixHighBytes, ipv4FromWord, ipv6FromWords, portFromNet, rawLength } from './ebpf-text.js';
import type { CgroupPaths } from './ebpf-cgroups.js';
import type { Ordered } from './ebpf-reorder.js';

/** Thread identity as the last P message (or the /proc fallback) gave it; strings JSON-escaped. */
export interface Identity {
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  /** cgroup key as the sensor prints it ("" when unknown). */
  cg: string;
  comm: string;
}

/** A string the sensor sent for the record (S message): slot, flags, JSON-escaped text. */
export interface Part { readonly slot: number; readonly flags: number; readonly text: string }

/** One assembled record: its tag, thread, monotonic timestamp, numeric tokens, tail and strings. */
export interface Rec extends Ordered {
  readonly tag: string;
  readonly tid: number;
  readonly ts: string;
  readonly tok: readonly string[];
  readonly tail: string;
  readonly parts: readonly Part[] | undefined;
}

export interface WriterOptions {
  /** CLOCK_REALTIME − CLOCK_MONOTONIC when the sensor started, in whole seconds and nanoseconds. */
  readonly epochOffset: { readonly sec: number; readonly nsec: number };
  /** Bytes one sensor string holds (BPFTRACE_STRLEN − 1); a string that long may be truncated. */
  readonly chunk: number;
  readonly cgroups: CgroupPaths;
}

const CLONE_PARENT = 0x8000;
const CLONE_THREAD = 0x10000;

function conv(tok: string | undefined, how: NumConv): number {
  const v = Number(tok);
  if (how === 'i32') return v | 0;
  if (how === 'u32') return v >>> 0;
  return v;
}

export class NativeWriter {
  /** Native events written. */
  events = 0;
  /** Events written without the thread's identity (pid = tid, no comm). */
  noIdentity = 0;
  /** Records naming a kind the table does not know. */
  unknownKinds = 0;
  private num = 0;

  constructor(private readonly opts: WriterOptions, private readonly emit: (line: string) => void) {}

  private epoch(ts: string): string {
    const secs = ts.length > 9 ? Number(ts.slice(0, -9)) : 0;
    let ns = Number(ts.length > 9 ? ts.slice(-9) : ts) + this.opts.epochOffset.nsec;
    let s = secs + this.opts.epochOffset.sec;
    if (ns >= 1e9) { ns -= 1e9; s += 1; } else if (ns < 0) { ns += 1e9; s -= 1; }
    return `${s}${String(ns).padStart(9, '0')}`;
  }

  /** `{"type":…,"ts":…,"num":…,"pid":…,…,"res":…[,"cgroup":…]` — the caller closes the object. */
  private head(type: string, r: Rec, id: Identity | undefined, res: number, view?: { pid: number; tid: number; ppid: number | undefined }): string {
    let pid: number, ppid: number | undefined, tid: number;
    if (view !== undefined) {
      ({ pid, tid, ppid } = view);
    } else {
      tid = r.tid;
      pid = id?.pid ?? r.tid;
      ppid = id?.ppid;
    }
    if (id === undefined) this.noIdentity++;
    let s = `{"type":"${type}","ts":"${this.epoch(r.ts)}","num":${++this.num},"pid":${pid},"tid":${tid}`;
    if (ppid !== undefined) s += `,"ppid":${ppid}`;
    if (id !== undefined) {
      s += `,"comm":"${id.comm}","uid":${id.uid},"gid":${id.gid}`;
    }
    s += `,"res":${res}`;
    if (id !== undefined && id.cg !== '') {
      const path = this.opts.cgroups.get(id.cg);
      if (path !== undefined) s += `,"cgroup":"${path}"`;
    }
    return s;
  }

  private out(line: string): void {
    this.events++;
    this.emit(line);
  }

  /** A string argument: JSON string literal text, noting possible truncation. */
  private str(text: string, field: string, trunc: string[]): string {
    if (text.length >= this.opts.chunk && rawLength(text) >= this.opts.chunk) trunc.push(field);
    return `"${fixHighBytes(text)}"`;
  }

  /** A path from components sent leaf first (slot), or undefined when none were sent. */
  private walked(parts: readonly Part[] | undefined, slot: number, field: string, trunc: string[]): string | undefined {
    if (parts === undefined) return undefined;
    let path = '';
    let any = false;
    for (const p of parts) {
      if (p.slot !== slot) continue;
      any = true;
      if ((p.flags & 1) !== 0) continue; // the walk started at the root
      if ((p.flags & 4) !== 0) {
        path = `/...${path}`;
        trunc.push(field);
        continue;
      }
      if (p.text.length >= this.opts.chunk && rawLength(p.text) >= this.opts.chunk) trunc.push(field);
      path = `/${fixHighBytes(p.text)}${path}`;
    }
    if (!any) return undefined;
    return path === '' ? '/' : path;
  }

  /** The event type of an X, N, F or Q kind; counts an unknown one. */
  private typeOf(kind: number): string | undefined {
    const type = OTHER_KINDS.get(kind);
    if (type === undefined) this.unknownKinds++;
    return type;
  }

  private static partText(parts: readonly Part[] | undefined, slot: number): string | undefined {
    if (parts === undefined) return undefined;
    for (const p of parts) if (p.slot === slot) return p.text;
    return undefined;
  }

  /** E: a syscall with up to four numbers and three strings (kinds in ebpf-kinds.ts). */
  buildE(r: Rec, kind: number, id: Identity | undefined): void {
    const spec = E_KINDS.get(kind);
    if (spec === undefined) {
      this.unknownKinds++;
      return;
    }
    // E kind tid ts res a0 a1 a2 a3 | p0
    const t = r.tok;
    const res = Number(t[3]) | 0;
    const trunc: string[] = [];
    let args = '';
    for (const a of spec.args) {
      const v = this.argValue(a, r, trunc);
      if (v === undefined) continue;
      args += `${args === '' ? '' : ','}"${a.name}":${v}`;
    }
    let s = this.head(spec.type, r, id, res);
    const cwd = this.walked(r.parts, 3, 'cwd', trunc);
    if (cwd !== undefined) s += `,"cwd":"${cwd}"`;
    else if (CHDIR_KINDS.has(kind) && res === 0) trunc.push('cwd');
    const dirpath = this.walked(r.parts, 4, 'dirpath', trunc);
    if (dirpath !== undefined) s += `,"dirpath":"${dirpath}"`;
    s += `,"args":{${args}}`;
    if (trunc.length > 0) s += `,"trunc":${JSON.stringify(trunc)}`;
    this.out(`${s}}`);
  }

  private argValue(a: ArgSource, r: Rec, trunc: string[]): string | undefined {
    switch (a.from) {
      case 'a0': return String(conv(r.tok[4], a.conv));
      case 'a1': return String(conv(r.tok[5], a.conv));
      case 'a2': return String(conv(r.tok[6], a.conv));
      case 'a3': return String(conv(r.tok[7], a.conv));
      case 'p0': return this.str(r.tail, `args.${a.name}`, trunc);
      case 'p1':
      case 'p2': {
        const text = NativeWriter.partText(r.parts, a.from === 'p1' ? 1 : 2);
        return text === undefined ? undefined : this.str(text, `args.${a.name}`, trunc);
      }
    }
  }

  /** X: execve/execveat with the process details. */
  buildX(r: Rec, kind: number, id: Identity | undefined): void {
    const type = this.typeOf(kind);
    if (type === undefined) return;
    // X kind tid ts res fd flags loginuid sid pgid vpid vpgid tty capeff capprm xflags
    const t = r.tok;
    const res = Number(t[3]) | 0;
    const xfl = Number(t[14]);
    const trunc: string[] = [];
    let s = this.head(type, r, id, res);
    const exe = this.walked(r.parts, 6, 'exe', trunc);
    // like the kernel's d_path, which names a memfd "/memfd:NAME (deleted)"
    if (exe !== undefined) s += `,"exe":"${exe}${(xfl & 4) !== 0 ? ' (deleted)' : ''}"`;
    s += `,"argv":[${this.argv(r.parts, trunc, (xfl & 2) !== 0)}]`;
    const cwd = this.walked(r.parts, 3, 'cwd', trunc);
    if (cwd !== undefined) s += `,"cwd":"${cwd}"`;
    s += `,"loginuid":${Number(t[6])}`;
    if (res === 0) {
      const vpid = Number(t[9]) | 0;
      s += `,"tty":${Number(t[11])},"sid":${Number(t[7]) | 0},"pgid":${Number(t[8]) | 0},"vpid":${vpid},"vpgid":${Number(t[10]) | 0}`;
      s += `,"pidns_init":${vpid === 1},"cap_effective":"0x${t[12]}","cap_permitted":"0x${t[13]}","exe_from_memfd":${(xfl & 4) !== 0}`;
    }
    let args = '';
    const filename = NativeWriter.partText(r.parts, 9);
    if (filename !== undefined) args += `"filename":${this.str(filename, 'args.filename', trunc)}`;
    if (kind === 51) args += `${args === '' ? '' : ','}"dirfd":${Number(t[4]) | 0},"flags":${Number(t[5]) >>> 0}`;
    s += `,"args":{${args}}`;
    if (trunc.length > 0) s += `,"trunc":${JSON.stringify(trunc)}`;
    this.out(`${s}}`);
  }

  /**
   * argv from S slot 7 (an element) and slot 8 (the element's next chunk). A continuation counts
   * only when the chunk before it was full; otherwise it holds bytes past the end of the string.
   */
  private argv(parts: readonly Part[] | undefined, trunc: string[], more: boolean): string {
    if (parts === undefined) return '';
    const out: string[] = [];
    let cur: string | undefined;
    let chunks = 0;
    let prevFull = false;
    const flush = (): void => {
      if (cur === undefined) return;
      if (prevFull && chunks === 3 && !trunc.includes('argv')) trunc.push('argv');
      out.push(`"${fixHighBytes(cur)}"`);
    };
    for (const p of parts) {
      if (p.slot === 7) {
        flush();
        cur = p.text;
        chunks = 1;
        prevFull = rawLength(p.text) >= this.opts.chunk;
      } else if (p.slot === 8 && cur !== undefined) {
        if (!prevFull) continue;
        cur += p.text;
        chunks++;
        prevFull = rawLength(p.text) >= this.opts.chunk;
      }
    }
    flush();
    if (more && !trunc.includes('argv')) trunc.push('argv');
    return out.join(',');
  }

  /** N: connect/accept with both ends of the socket. */
  buildN(r: Rec, kind: number, id: Identity | undefined): void {
    const type = this.typeOf(kind);
    if (type === undefined) return;
    // N kind tid ts res fd fam proto stype rport lport r0 r1 r2 r3 l0 l1 l2 l3 uflags
    const t = r.tok;
    const res = Number(t[3]) | 0;
    const fd = kind === 60 ? Number(t[4]) | 0 : res;
    const fam = Number(t[5]);
    const proto = Number(t[6]);
    const stype = Number(t[7]);
    const ufl = Number(t[18]);
    const trunc: string[] = [];
    let addr: string | undefined;
    if (fam === 2 || fam === 10) {
      const v4 = fam === 2;
      const rip = v4 ? ipv4FromWord(t[10]!) : ipv6FromWords([t[10]!, t[11]!, t[12]!, t[13]!]);
      addr = `{"family":"${v4 ? 'inet' : 'inet6'}","ip":"${rip}","port":${portFromNet(Number(t[8]))}`;
      const l4 = stype === 3 ? 'raw' : proto === 6 ? 'tcp' : proto === 17 || proto === 136 ? 'udp' : proto === 1 || proto === 58 ? 'icmp' : undefined;
      if (l4 !== undefined) addr += `,"proto":"${l4}"`;
      if (stype !== 0) {
        const lip = v4 ? ipv4FromWord(t[14]!) : ipv6FromWords([t[14]!, t[15]!, t[16]!, t[17]!]);
        addr += `,"local":{"ip":"${lip}","port":${Number(t[9])}}`;
      }
      addr += '}';
    } else if (fam === 1) {
      const path = NativeWriter.partText(r.parts, 10);
      addr = '{"family":"unix"';
      if (path !== undefined) {
        const lit = this.str(path, 'args.addr.path', trunc);
        addr += `,"path":${(ufl & 1) !== 0 ? `"@${lit.slice(1)}` : lit}`;
      }
      addr += '}';
    }
    let s = this.head(type, r, id, res);
    s += `,"args":{"fd":${fd}${addr === undefined ? '' : `,"addr":${addr}`}}`;
    if (trunc.length > 0) s += `,"trunc":${JSON.stringify(trunc)}`;
    this.out(`${s}}`);
  }

  /** F: a fork, as two events (parent and child view). */
  buildF(r: Rec, kind: number, id: Identity | undefined): void {
    const type = this.typeOf(kind);
    if (type === undefined) return;
    // F kind tid ts child-tid flags child-pid: the parent's view (res = child tid), then the child's
    const t = r.tok;
    const childTid = Number(t[3]);
    const flags = Number(t[4]);
    const childPid = Number(t[5]);
    const args = `,"args":{"flags":${flags}}}`;
    this.out(this.head(type, r, id, childTid) + args);
    const parentPid = id?.pid ?? r.tid;
    const ppid = (flags & (CLONE_THREAD | CLONE_PARENT)) !== 0 ? (id?.ppid ?? 0) : parentPid;
    this.out(this.head(type, r, id, 0, { pid: childPid, tid: childTid, ppid }) + args);
  }

  /** Q: a thread exit (procexit). */
  buildQ(r: Rec, id: Identity | undefined): void {
    // Q 80 tid ts pid exit-code; the wait(2) status: exit code in bits 8-15, signal in 0-6, core 7.
    // A thread that made no reported syscall has no identity: its pid still comes with the record.
    const status = Number(r.tok[4]) | 0;
    const sig = status & 0x7f;
    const view = id === undefined ? { pid: Number(r.tok[3]), tid: r.tid, ppid: undefined } : undefined;
    this.out(`${this.head('procexit', r, id, 0, view)},"args":{"status":${status},"ret":${(status >> 8) & 0xff},"sig":${sig},"core":${(status & 0x80) !== 0}}}`);
  }
}
