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
//   4. hands each released record, with its thread's identity, to the native-line writer
//      (ebpf-events.ts).
// Per-record problems (unknown kind, stray strings, a thread without identity) are counted in
// `stats`, never thrown. Message grammar: see the header of sensor/peregrine.bt.

import { NativeWriter, type Identity, type Part, type Rec, type WriterOptions } from './ebpf-events.js';
import { ReorderHeap } from './ebpf-reorder.js';
import { commFromHex, fixHighBytes, jsonEscape } from './ebpf-text.js';

export type { Identity } from './ebpf-events.js';

const PRINTF_PREFIX = '{"type": "printf", "data": "';
const PRINTF_SUFFIX = '"}';

export interface AdapterOptions extends WriterOptions {
  /** Processes whose events are dropped (Peregrine itself, the sensor). May grow after start. */
  readonly ignorePids: ReadonlySet<number>;
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

interface Pending { ts: string; parts: Part[] }

/** Numeric tokens after the tag, per record tag (grammar in sensor/peregrine.bt). */
const TOKENS: Readonly<Record<string, number>> = { P: 9, E: 8, X: 15, N: 19, F: 6, Q: 5 };

const MAX_PENDING_THREADS = 65536;
const MAX_PARTS = 256;
const MAX_BUFFERED = 200_000;
const MAX_IDENTITIES = 262_144;

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export class SensorAdapter {
  readonly stats: AdapterStats = {
    messages: 0, events: 0, lost: 0, ignored: 0, malformed: 0, strayParts: 0, noIdentity: 0, late: 0, beforeReady: 0, buffered: 0,
  };

  private readonly pending = new Map<number, Pending>();
  private readonly identities = new Map<number, Identity>();
  private readonly commCache = new Map<string, string>();
  private readonly heap = new ReorderHeap<Rec>();
  private readonly writer: NativeWriter;
  private seq = 0;
  private lastReleased = -Infinity;
  private attached = false;
  /** Since when every probe is attached (see markReady); until then nothing is released. */
  private readyTs: number | undefined;

  constructor(private readonly opts: AdapterOptions, emit: (line: string) => void) {
    this.writer = new NativeWriter(opts, emit);
  }

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
    for (let top = this.heap.peek(); top !== undefined && (top.tsNum <= limit || this.heap.size > MAX_BUFFERED); top = this.heap.peek()) {
      this.build(this.heap.pop()!);
    }
    this.stats.buffered = this.heap.size;
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
    else this.heap.push(rec);
  }

  /**
   * Every probe has been attached since `ts` (monotonic ns): records older than that come from the
   * attaching phase, when some probes saw a syscall and others did not, and are dropped (thread
   * identities are kept). Nothing is released before this is called.
   */
  markReady(ts: number): void {
    if (this.readyTs !== undefined) return;
    this.readyTs = ts;
    this.stats.beforeReady += this.heap.retain((r) => r.tag === 'P' || r.tsNum >= ts);
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

  // -------------------------------------------------------------------------------- release

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
    const w = this.writer;
    switch (r.tag) {
      case 'E': w.buildE(r, kind, id); break;
      case 'X': w.buildX(r, kind, id); break;
      case 'N': w.buildN(r, kind, id); break;
      case 'F': w.buildF(r, kind, id); break;
      case 'Q':
        w.buildQ(r, id);
        this.identities.delete(r.tid);
        break;
      default: this.stats.malformed++;
    }
    this.stats.malformed += w.unknownKinds;
    w.unknownKinds = 0;
    this.stats.events = w.events;
    this.stats.noIdentity = w.noIdentity;
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
}
