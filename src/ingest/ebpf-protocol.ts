// The eBPF sensor adapter: turns bpftrace's `-f json` output of sensor/peregrine.bt into Peregrine
// native JSON lines (schema/native-event.schema.json). It
//   1. unwraps each `{"type": "printf", "data": "…"}` line by slicing (the data stays JSON-escaped,
//      exactly as bpftrace escaped it, and is copied into the output without decoding),
//   2. assembles records: S messages (strings) collect per thread until the record they belong to
//      arrives with the same timestamp; P messages set a thread's identity (pid, ppid, ids, comm,
//      cgroup),
//   3. restores time order across CPUs: bpftrace drains each CPU's buffer in turn, so records of
//      different CPUs arrive out of order; records wait in a min-heap until they are older than the
//      reorder window,
//   4. builds the native line for each record with string concatenation.
// Per-record problems (unknown kind, stray strings, a thread without identity) are counted in
// `stats`, never thrown. Message grammar: see the header of sensor/peregrine.bt.

import { CHDIR_KINDS, E_KINDS, OTHER_KINDS, type ArgSource, type NumConv } from './ebpf-kinds.js';
import { commFromHex, fixHighBytes, ipv4FromWord, ipv6FromWords, jsonEscape, portFromNet, rawLength } from './ebpf-text.js';
import type { CgroupPaths } from './ebpf-cgroups.js';

const PRINTF_PREFIX = '{"type": "printf", "data": "';
const PRINTF_SUFFIX = '"}';

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

export interface AdapterOptions {
  /** CLOCK_REALTIME − CLOCK_MONOTONIC when the sensor started, in whole seconds and nanoseconds. */
  readonly epochOffset: { readonly sec: number; readonly nsec: number };
  /** Bytes one sensor string holds (BPFTRACE_STRLEN − 1); a string that long may be truncated. */
  readonly chunk: number;
  /** Processes whose events are dropped (Peregrine itself, the sensor). May grow after start. */
  readonly ignorePids: ReadonlySet<number>;
  readonly cgroups: CgroupPaths;
  /** How long a record waits for older records from other CPUs, ns; 0 keeps arrival order. */
  readonly reorderWindowNs: number;
  /** Identity of a thread the sensor never described (its P message was lost), e.g. from /proc. */
  readonly identityFallback?: ((tid: number) => Identity | undefined) | undefined;
  /** Called when bpftrace says how many probes it is attaching (before it attaches them). */
  readonly onAttached?: ((probes: number) => void) | undefined;
  /** Called when the sensor's BEGIN probe ran, with bpftrace's pid (the probes may still be attaching). */
  readonly onSensorPid?: ((sensorPid: number) => void) | undefined;
  /** Called as soon as a thread-exit record arrives (before reordering), with its tid and ts. */
  readonly onExit?: ((tid: number, ts: number) => void) | undefined;
  /** Called for bpftrace output lines that are not sensor records (errors, warnings). */
  readonly onNotice?: ((text: string) => void) | undefined;
}

export interface AdapterStats {
  /** printf messages read. */
  messages: number;
  /** Native events written. */
  events: number;
  /** Events the kernel dropped because bpftrace did not keep up (bpftrace's lost_events). */
  lost: number;
  /** Events of ignored processes (Peregrine, the sensor) that were dropped. */
  ignored: number;
  /** Messages that do not follow the grammar, or name an unknown kind. */
  malformed: number;
  /** String parts dropped because no record with their timestamp followed (a message was lost). */
  strayParts: number;
  /** Events of threads whose identity was unknown (P lost, /proc gone): pid = tid, no comm. */
  noIdentity: number;
  /** Records that arrived after newer ones had been released (older than the reorder window). */
  late: number;
  /** Records from the attaching phase (before the sensor was ready), dropped: probes attach one by
   *  one, so what they saw then is incomplete. */
  beforeReady: number;
  /** Records waiting in the reorder buffer now. */
  buffered: number;
}

interface Part { readonly slot: number; readonly flags: number; readonly text: string }

interface Rec {
  readonly tag: string;
  readonly tid: number;
  readonly ts: string;
  readonly tsNum: number;
  readonly seq: number;
  readonly tok: readonly string[];
  readonly tail: string;
  readonly parts: readonly Part[] | undefined;
}

interface Pending { ts: string; parts: Part[] }

/** Numeric tokens after the tag, per record tag (grammar in sensor/peregrine.bt). */
const TOKENS: Readonly<Record<string, number>> = { P: 9, E: 8, X: 15, N: 19, F: 6, Q: 5 };

const MAX_PENDING_THREADS = 65536;
const MAX_PARTS = 256;
const MAX_BUFFERED = 200_000;
const MAX_IDENTITIES = 262_144;
const CLONE_PARENT = 0x8000;
const CLONE_THREAD = 0x10000;

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function conv(tok: string | undefined, how: NumConv): number {
  const v = Number(tok);
  if (how === 'i32') return v | 0;
  if (how === 'u32') return v >>> 0;
  return v;
}

export class SensorAdapter {
  readonly stats: AdapterStats = {
    messages: 0, events: 0, lost: 0, ignored: 0, malformed: 0, strayParts: 0, noIdentity: 0, late: 0, beforeReady: 0, buffered: 0,
  };

  private readonly pending = new Map<number, Pending>();
  private readonly identities = new Map<number, Identity>();
  private readonly commCache = new Map<string, string>();
  private readonly heap: Rec[] = [];
  private seq = 0;
  private num = 0;
  private lastReleased = -Infinity;
  private attached = false;
  /** Since when every probe is attached (see markReady); until then nothing is released. */
  private readyTs: number | undefined;

  constructor(private readonly opts: AdapterOptions, private readonly emit: (line: string) => void) {}

  /** Takes one line of bpftrace's output (without the newline). */
  push(line: string): void {
    if (line.startsWith(PRINTF_PREFIX) && line.endsWith(PRINTF_SUFFIX)) {
      this.stats.messages++;
      this.message(line.slice(PRINTF_PREFIX.length, line.length - PRINTF_SUFFIX.length));
      return;
    }
    if (line.trim() === '') return;
    this.other(line);
  }

  /** Releases records older than `nowMonoNs − window`; everything when `nowMonoNs` is undefined. */
  release(nowMonoNs?: number): void {
    const limit = this.readyTs === undefined ? -Infinity
      : nowMonoNs === undefined ? Infinity : nowMonoNs - this.opts.reorderWindowNs;
    while (this.heap.length > 0 && (this.heap[0]!.tsNum <= limit || this.heap.length > MAX_BUFFERED)) {
      this.build(this.pop());
    }
    this.stats.buffered = this.heap.length;
  }

  // ------------------------------------------------------------------------ bpftrace output lines

  private other(line: string): void {
    // Text-mode notices ("Lost 12 events") can reach stdout on some bpftrace builds.
    if (line.startsWith('Lost ')) {
      const n = Number.parseInt(line.slice(5), 10);
      if (Number.isFinite(n)) this.stats.lost += n;
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      this.opts.onNotice?.(line);
      return;
    }
    const o = obj as { type?: unknown; data?: unknown };
    if (o.type === 'lost_events') {
      const n = Number((o.data as { events?: unknown } | undefined)?.events);
      if (Number.isFinite(n)) this.stats.lost += n;
    } else if (o.type === 'attached_probes') {
      if (!this.attached) {
        this.attached = true;
        this.opts.onAttached?.(Number((o.data as { probes?: unknown } | undefined)?.probes));
      }
    } else if (o.type === 'printf') {
      // a printf line in an unexpected spacing: decode and re-escape
      if (typeof o.data === 'string') {
        this.stats.messages++;
        this.message(jsonEscape(o.data));
      }
    } else if (o.type !== 'map' && o.type !== 'time') {
      this.opts.onNotice?.(line);
    }
  }

  // ------------------------------------------------------------------------------ sensor messages

  private message(data: string): void {
    const bar = data.indexOf('|');
    const tag = data.charAt(0);
    if (bar < 0 || data.charCodeAt(1) !== 0x20 /* space */) {
      this.stats.malformed++;
      return;
    }
    const tok = data.slice(2, bar).split(' ');
    const tail = data.slice(bar + 1);
    if (tag === 'S') {
      this.part(tok, tail);
      return;
    }
    if (tag === 'R') {
      this.opts.onSensorPid?.(Number(tok[0]));
      return;
    }
    const want = TOKENS[tag];
    if (want === undefined || tok.length !== want) {
      this.stats.malformed++;
      return;
    }
    // P: tid ts …; the others: kind tid ts …
    const tidTok = tag === 'P' ? tok[0] : tok[1];
    const ts = (tag === 'P' ? tok[1] : tok[2])!;
    const tid = Number(tidTok);
    if (!Number.isInteger(tid) || !isDigits(ts)) {
      this.stats.malformed++;
      return;
    }
    let parts: Part[] | undefined;
    const p = this.pending.get(tid);
    if (p !== undefined) {
      this.pending.delete(tid);
      if (p.ts === ts) parts = p.parts;
      else this.stats.strayParts += p.parts.length;
    }
    const rec: Rec = { tag, tid, ts, tsNum: Number(ts), seq: this.seq++, tok, tail, parts };
    if (tag === 'Q') this.opts.onExit?.(tid, rec.tsNum);
    if (this.readyTs !== undefined && rec.tsNum < this.readyTs && tag !== 'P') {
      this.stats.beforeReady++;
      return;
    }
    if (this.opts.reorderWindowNs <= 0 && this.readyTs !== undefined) this.build(rec);
    else this.push0(rec);
  }

  /**
   * Every probe has been attached since `ts` (monotonic ns): records older than that come from the
   * attaching phase, when some probes saw a syscall and others did not, and are dropped (thread
   * identities are kept). Nothing is released before this is called.
   */
  markReady(ts: number): void {
    if (this.readyTs !== undefined) return;
    this.readyTs = ts;
    const keep = this.heap.filter((r) => r.tag === 'P' || r.tsNum >= ts);
    this.stats.beforeReady += this.heap.length - keep.length;
    this.heap.length = 0;
    for (const r of keep) this.push0(r);
  }

  private part(tok: readonly string[], text: string): void {
    if (tok.length !== 4) {
      this.stats.malformed++;
      return;
    }
    const tid = Number(tok[0]);
    const ts = tok[1]!;
    let p = this.pending.get(tid);
    if (p !== undefined && p.ts !== ts) {
      this.stats.strayParts += p.parts.length;
      p = undefined;
    }
    if (p === undefined) {
      if (this.pending.size >= MAX_PENDING_THREADS) {
        for (const q of this.pending.values()) this.stats.strayParts += q.parts.length;
        this.pending.clear();
      }
      p = { ts, parts: [] };
      this.pending.set(tid, p);
    }
    if (p.parts.length < MAX_PARTS) p.parts.push({ slot: Number(tok[2]), flags: Number(tok[3]), text });
    else this.stats.strayParts++;
  }

  // ------------------------------------------------------------------------- the reorder min-heap

  private static less(a: Rec, b: Rec): boolean {
    return a.tsNum < b.tsNum || (a.tsNum === b.tsNum && a.seq < b.seq);
  }

  private push0(r: Rec): void {
    const h = this.heap;
    h.push(r);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!SensorAdapter.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Rec {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && SensorAdapter.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && SensorAdapter.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  // ------------------------------------------------------------------------------ native events

  private build(r: Rec): void {
    if (r.tsNum < this.lastReleased) this.stats.late++;
    else this.lastReleased = r.tsNum;
    if (r.tag === 'P') {
      this.identify(r);
      return;
    }
    const kind = Number(r.tok[0]);
    let id = this.identities.get(r.tid);
    if (id === undefined) {
      id = this.opts.identityFallback?.(r.tid);
      if (id !== undefined) this.remember(r.tid, id);
    }
    if (id !== undefined && this.opts.ignorePids.has(id.pid)) {
      this.stats.ignored++;
      if (r.tag === 'Q') this.identities.delete(r.tid);
      return;
    }
    switch (r.tag) {
      case 'E': this.buildE(r, kind, id); break;
      case 'X': this.buildX(r, kind, id); break;
      case 'N': this.buildN(r, kind, id); break;
      case 'F': this.buildF(r, kind, id); break;
      case 'Q':
        this.buildQ(r, id);
        this.identities.delete(r.tid);
        break;
      default: this.stats.malformed++;
    }
  }

  private identify(r: Rec): void {
    // P tid ts pid ppid uid gid cg c0 c1
    const t = r.tok;
    const cg = t[6]!;
    const key = `${t[7]} ${t[8]}`;
    let comm = this.commCache.get(key);
    if (comm === undefined) {
      comm = commFromHex(t[7]!, t[8]!);
      if (this.commCache.size >= 4096) this.commCache.clear();
      this.commCache.set(key, comm);
    }
    this.remember(r.tid, { pid: Number(t[2]), ppid: Number(t[3]), uid: Number(t[4]), gid: Number(t[5]), cg, comm });
    if (r.parts !== undefined) {
      const comps: string[] = [];
      let truncated = false;
      for (const p of r.parts) {
        if (p.slot !== 5) continue;
        if ((p.flags & 4) !== 0) truncated = true;
        else comps.push(fixHighBytes(p.text));
      }
      if (comps.length > 0 || truncated) this.opts.cgroups.learn(cg, comps, truncated);
    }
  }

  private remember(tid: number, id: Identity): void {
    if (this.identities.size >= MAX_IDENTITIES && !this.identities.has(tid)) {
      // drop the oldest entry (Map keeps insertion order); the sensor re-sends identities every 2 s
      const first = this.identities.keys().next();
      if (first.done !== true) this.identities.delete(first.value);
    }
    this.identities.set(tid, id);
  }

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
    if (id === undefined) this.stats.noIdentity++;
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
    this.stats.events++;
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

  private static partText(parts: readonly Part[] | undefined, slot: number): string | undefined {
    if (parts === undefined) return undefined;
    for (const p of parts) if (p.slot === slot) return p.text;
    return undefined;
  }

  private buildE(r: Rec, kind: number, id: Identity | undefined): void {
    const spec = E_KINDS.get(kind);
    if (spec === undefined) {
      this.stats.malformed++;
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
        const text = SensorAdapter.partText(r.parts, a.from === 'p1' ? 1 : 2);
        return text === undefined ? undefined : this.str(text, `args.${a.name}`, trunc);
      }
    }
  }

  private buildX(r: Rec, kind: number, id: Identity | undefined): void {
    const type = OTHER_KINDS.get(kind);
    if (type === undefined) {
      this.stats.malformed++;
      return;
    }
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
    const filename = SensorAdapter.partText(r.parts, 9);
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

  private buildN(r: Rec, kind: number, id: Identity | undefined): void {
    const type = OTHER_KINDS.get(kind);
    if (type === undefined) {
      this.stats.malformed++;
      return;
    }
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
      const path = SensorAdapter.partText(r.parts, 10);
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

  private buildF(r: Rec, kind: number, id: Identity | undefined): void {
    const type = OTHER_KINDS.get(kind);
    if (type === undefined) {
      this.stats.malformed++;
      return;
    }
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

  private buildQ(r: Rec, id: Identity | undefined): void {
    // Q 80 tid ts pid exit-code; the wait(2) status: exit code in bits 8-15, signal in 0-6, core 7.
    // A thread that made no reported syscall has no identity: its pid still comes with the record.
    const status = Number(r.tok[4]) | 0;
    const sig = status & 0x7f;
    const view = id === undefined ? { pid: Number(r.tok[3]), tid: r.tid, ppid: undefined } : undefined;
    this.out(`${this.head('procexit', r, id, 0, view)},"args":{"status":${status},"ret":${(status >> 8) & 0xff},"sig":${sig},"core":${(status & 0x80) !== 0}}}`);
  }
}
