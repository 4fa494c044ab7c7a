// Detection on several cores: the main thread reads each input and routes its lines to N worker
// threads (worker.ts), which decode, track state, evaluate the rules and format the alerts; the
// alerts come back here, where the session's outputs, counters and summary live.
//
// Routing (routing/router.ts) keeps each process tree on one worker and replicates the shared roots'
// events to every worker's state, so fields such as proc.pname, proc.aname[N] and fd.name come out as
// with one thread. Routing reads the pid, ppid, tid, type and result from the raw line (routing/keys.ts);
// nothing is JSON-parsed here except the lines read to recognise the input format. Formats without
// cheap keys (sysdig -j, Tetragon, Tracee) go to one worker.
//
// Transfer: per worker, a batch is an array of line strings (cloned; measured cheaper on this thread
// than joining them into one string) plus line numbers and per-line uses in transferred typed arrays.
//
// Backpressure: at most `window` batches per worker are in flight, counted from sending until their
// alerts have been offered to the outputs. A slow worker therefore stops the reading, and so does
// a full block-policy output (replay): nothing is buffered without bound and nothing is dropped.
//
// Order: a worker's alerts are delivered in the order it made them, so the alerts of one process
// tree keep their order; alerts of different trees (different workers) may interleave differently
// from a single-threaded run.

import { Worker } from 'node:worker_threads';
import type { Logger } from '../../common/logger.js';
import { detectFormat, newDecodeStats, type DecodeStats, type Format, type FormatOption } from '../../decode/index.js';
import type { RuleProfile } from '../../engine/engine.js';
import { AlertFormatter } from '../../format/formatter.js';
import { fromWire, type WireForms } from '../../format/wire.js';
import type { EventSource } from '../../ingest/types.js';
import type { OutputsConfig } from '../../output/config.js';
import type { CompiledRule } from '../../rules/types.js';
import { keysFor, type LineKeys } from '../../routing/keys.js';
import { ShardRouter, type Route, type RouterOptions, type RouterStats } from '../../routing/router.js';
import type { StateOptions, StateStats } from '../../state/tracker.js';
import { sumStateStats } from '../source-counters.js';
import type { RuntimeSettings } from '../runtime.js';
import type { RemoteEngineCounts, Session } from '../session.js';
import { addDecodeStats, LineUse, rulesFingerprint, type FromWorker, type RuleTotals, type ToWorker, type WorkerInit } from './protocol.js';

export interface PoolOptions {
  readonly size: number;
  readonly settings: RuntimeSettings;
  readonly profile: boolean;
  readonly state: StateOptions;
  readonly keepEnter: boolean;
  readonly logger: Logger;
  /** How deep below the roots processes are replicated to every worker (see routing/router.ts; default 2). */
  readonly shareDepth?: number;
  /** Batches in flight per worker (default 4). */
  readonly window?: number;
  /** Most lines per batch (default 2048). */
  readonly batchLines?: number;
}

export interface StreamInput {
  readonly source: EventSource;
  /** The decoder format option for this input ('auto' unless given or known, e.g. captures). */
  readonly format: FormatOption;
  /** A label for logs (the path). */
  readonly name: string;
}

export interface StreamResult {
  readonly decode: DecodeStats;
  /** The state trackers' counters, summed over the workers (a process replicated to several counts once per worker). */
  readonly state: StateStats;
  readonly routing: RouterStats | undefined;
  /** Set when the input went to one worker because its format has no routing keys. */
  readonly singleWorker: Format | undefined;
}

/** The wire lines the configured outputs write: text for text stdout/file, JSON for JSON ones and NATS. */
export function wireForms(outputs: OutputsConfig): WireForms {
  let text = false;
  let json = false;
  for (const o of outputs.outputs) {
    if (o.kind === 'nats' || o.format === 'json') json = true;
    else text = true;
  }
  return { text, json };
}

class ShardBuffer {
  lines: string[] = [];
  nums: number[] = [];
  uses: number[] = [];
  badBytes: number[] = [];

  take(): { lines: string[]; nums: Float64Array; uses: Uint8Array; badBytes: number[] } {
    const r = { lines: this.lines, nums: Float64Array.from(this.nums), uses: Uint8Array.from(this.uses), badBytes: this.badBytes };
    this.lines = [];
    this.nums = [];
    this.uses = [];
    this.badBytes = [];
    return r;
  }
}

type Done = Extract<FromWorker, { t: 'done' }>;

export class WorkerPool {
  readonly size: number;
  private readonly workers: Worker[];
  private readonly window: number;
  private readonly batchLines: number;
  private readonly logger: Logger;
  private readonly routerOptions: RouterOptions;
  private readonly readyInfo: Promise<{ rules: number; fingerprint: string }[]>;
  private failure: Error | undefined;
  private readonly inFlight: number[];
  private slotWaiters: (() => void)[] = [];
  private readonly pending: { shard: number; msg: Done }[] = [];
  private delivering = false;
  private idleWaiters: (() => void)[] = [];
  private readonly ended = new Map<number, { count: number; decode: DecodeStats; state: StateStats[]; resolve: () => void; reject: (e: Error) => void }>();
  private readonly finished: ({ errors: number; totals: RuleTotals } | undefined)[];
  private finishWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private streams = 0;
  private seq = 0;
  private closed = false;
  private session: Session | undefined;
  private rulesById: CompiledRule[] = [];
  private formatter: AlertFormatter | undefined;
  private logFor = new Map<number, (message: string) => void>();

  private constructor(o: PoolOptions, forms: WireForms) {
    this.size = o.size;
    this.window = Math.max(1, o.window ?? 4);
    this.batchLines = Math.max(1, o.batchLines ?? 2048);
    this.logger = o.logger;
    // The router remembers at least as many processes as the workers' state tables hold together.
    this.routerOptions = {
      maxPids: Math.max(65_536, (o.state.maxProcesses ?? 65_536) * o.size),
      ...(o.shareDepth !== undefined ? { shareDepth: o.shareDepth } : {}),
    };
    this.inFlight = new Array<number>(o.size).fill(0);
    this.finished = new Array<undefined>(o.size).fill(undefined);
    const url = new URL('./worker.js', import.meta.url);
    this.workers = [];
    const readies: Promise<{ rules: number; fingerprint: string }>[] = [];
    for (let i = 0; i < o.size; i++) {
      const init: WorkerInit = { index: i, count: o.size, settings: o.settings, profile: o.profile, forms, state: o.state, keepEnter: o.keepEnter };
      const w = new Worker(url, { workerData: init, name: `peregrine-detect-${i}` });
      this.workers.push(w);
      readies.push(new Promise((resolve, reject) => {
        const onReady = (m: FromWorker): void => {
          if (m.t === 'ready') {
            w.off('message', onReady);
            w.on('message', (x: FromWorker) => this.onMessage(i, x));
            resolve({ rules: m.rules, fingerprint: m.fingerprint });
          } else if (m.t === 'failed') {
            w.off('message', onReady);
            reject(new WorkerStartError(m.message, m.report));
          }
        };
        w.on('message', onReady);
        w.once('error', reject);
      }));
      w.on('error', (err) => this.fail(new Error(`detection worker ${i} failed: ${err.message}`, { cause: err })));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`detection worker ${i} exited unexpectedly (code ${code})`));
      });
    }
    this.readyInfo = Promise.all(readies);
    this.readyInfo.catch(() => undefined);
  }

  /** Starts the workers; they load the rules in parallel with the caller. */
  static start(o: PoolOptions): WorkerPool {
    if (!Number.isInteger(o.size) || o.size < 1) throw new RangeError(`worker count must be a positive integer, got ${o.size}`);
    return new WorkerPool(o, wireForms(o.settings.outputs));
  }

  /**
   * Waits for every worker to load its rules, checks they match the session's, and binds the pool to
   * the session: alerts go to its outputs and counters, engine counters to its summary and metrics.
   */
  async bind(session: Session): Promise<void> {
    const infos = await this.readyInfo;
    const want = rulesFingerprint(session.rules.rules);
    if (infos.some((x) => x.fingerprint !== want)) {
      throw new Error('the detection workers loaded different rules than the main thread (did a rules file change while starting?)');
    }
    this.session = session;
    for (const r of session.rules.rules) this.rulesById[r.id] = r;
    this.formatter = new AlertFormatter(session.options.settings.format);
    session.addRemoteEngines(() => this.engineCounts());
  }

  /**
   * Replays one input through the workers, to its end (or until `signal` aborts): every alert is
   * offered to the outputs before this resolves. Returns the input's decode counters, summed.
   */
  async replay(input: StreamInput, options: { signal?: AbortSignal; log?: (message: string) => void } = {}): Promise<StreamResult> {
    if (this.session === undefined) throw new Error('WorkerPool.replay before bind()');
    const stream = ++this.streams;
    const log = options.log ?? ((m: string) => this.logger.warn({ input: input.name }, m));
    this.logFor.set(stream, log);
    const n = this.size;
    const buffers = Array.from({ length: n }, () => new ShardBuffer());
    for (const w of this.workers) w.postMessage({ t: 'open', stream, format: input.format, name: input.name } satisfies ToWorker);
    const endedAll = new Promise<void>((resolve, reject) => {
      this.ended.set(stream, { count: 0, decode: newDecodeStats(), state: [], resolve, reject });
    });
    endedAll.catch(() => undefined);

    let format: Format | null = input.format === 'auto' ? null : input.format;
    let keys: LineKeys | undefined;
    let router: ShardRouter | undefined;
    let singleWorker: Format | undefined;
    const useFormat = (f: Format): void => {
      format = f;
      if (n === 1) return;
      keys = keysFor(f);
      if (keys === undefined) {
        singleWorker = f;
        this.logger.info({ input: input.name, format: f, workers: n },
          `--workers: the ${f} format has no routing keys that are cheap to read; ${input.name} is replayed by one worker`);
      } else {
        router = new ShardRouter(n, this.routerOptions);
      }
    };
    if (format !== null) useFormat(format);
    const route: Route = { shard: 0, broadcast: false };
    const flush = async (shard: number): Promise<void> => {
      const b = buffers[shard] as ShardBuffer;
      if (b.lines.length === 0) return;
      await this.slot(shard);
      const { lines, nums, uses, badBytes } = b.take();
      this.inFlight[shard]!++;
      const msg: ToWorker = { t: 'batch', stream, seq: ++this.seq, format, lines, nums, uses, badBytes };
      (this.workers[shard] as Worker).postMessage(msg, [nums.buffer as ArrayBuffer, uses.buffer as ArrayBuffer]);
    };
    /** Appends a line; true when that shard's buffer is full (flush it before pushing more). */
    const push = (shard: number, line: string, lineNo: number, use: LineUse): boolean => {
      const b = buffers[shard] as ShardBuffer;
      b.lines.push(line);
      b.nums.push(lineNo);
      b.uses.push(use);
      return b.lines.length >= this.batchLines;
    };
    const max = this.batchLines;

    try {
      for await (const batch of input.source) {
        this.check();
        const items = batch.items;
        for (let i = 0; i < items.length; i++) {
          const item = items[i]!;
          const lineNo = batch.firstLine + i;
          let full = false;
          if (typeof item !== 'string') {
            buffers[0]!.badBytes.push(item.bytes);
            full = push(0, '', lineNo, item.bad === 'too-long' ? LineUse.TooLong : LineUse.InvalidUtf8);
          } else if (keys !== undefined && router !== undefined) {
            keys.reset(item);
            router.route(keys, route);
            if (!route.broadcast) full = push(route.shard, item, lineNo, LineUse.Evaluate);
            else for (let s = 0; s < n; s++) full = push(s, item, lineNo, s === route.shard ? LineUse.Evaluate : LineUse.StateOnly) || full;
          } else {
            // Recognising the format is the only JSON.parse on this thread (until one record identifies it).
            if (format === null) {
              const f = detectFormat(item);
              if (f !== undefined) {
                // The lines before this one go out as still unrecognised: shard 0's auto-detecting
                // decoder counts them exactly as a single-threaded replay's does.
                await flush(0);
                useFormat(f);
              }
            }
            if (keys !== undefined && router !== undefined) {
              i--; // route it now that the format is known
              continue;
            }
            full = push(0, item, lineNo, LineUse.Evaluate);
          }
          if (full) for (let s = 0; s < n; s++) if (buffers[s]!.lines.length >= max) await flush(s);
        }
        for (let s = 0; s < n; s++) await flush(s);
        if (options.signal?.aborted) break;
      }
      for (let s = 0; s < n; s++) await flush(s);
      for (const w of this.workers) w.postMessage({ t: 'end', stream } satisfies ToWorker);
      await endedAll;
      await this.idle();
      this.check();
      const ended = this.ended.get(stream);
      return { decode: ended?.decode ?? newDecodeStats(), state: sumStateStats(ended?.state ?? []), routing: router?.stats(), singleWorker };
    } finally {
      this.ended.delete(stream);
      this.logFor.delete(stream);
    }
  }

  /** Why the pool stopped working (a worker failed or exited), if it did: no further input can be replayed. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Stops the workers after collecting their engine counters. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === undefined && this.session !== undefined) {
      const done = new Promise<void>((resolve, reject) => {
        this.finishWaiter = { resolve, reject };
      });
      for (const w of this.workers) w.postMessage({ t: 'finish' } satisfies ToWorker);
      try {
        await done;
      } catch {
        // the failure is reported by whoever awaited the work
      }
    }
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Ends the workers at once (start-up failed elsewhere). */
  async terminate(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Engine counters summed over the workers (after close(); zeros before). */
  engineCounts(): RemoteEngineCounts {
    let errors = 0;
    const rules = new Map<number, { evaluations: number; matches: number }>();
    for (const f of this.finished) {
      if (f === undefined) continue;
      errors += f.errors;
      const { evaluations, matches } = f.totals;
      for (let id = 0; id < evaluations.length; id++) {
        const e = evaluations[id] ?? 0;
        const m = matches[id] ?? 0;
        if (e === 0 && m === 0) continue;
        const r = rules.get(id);
        if (r === undefined) rules.set(id, { evaluations: e, matches: m });
        else {
          r.evaluations += e;
          r.matches += m;
        }
      }
    }
    return { errors, rules };
  }

  /** The per-rule profile summed over the workers and `local` (the main thread's engine), most expensive first. */
  profile(local: readonly RuleProfile[] | undefined): RuleProfile[] {
    const byId = new Map<number, RuleProfile>();
    for (const p of local ?? []) byId.set(p.rule.id, { rule: p.rule, evaluations: p.evaluations, matches: p.matches, nanos: p.nanos });
    for (const f of this.finished) {
      if (f === undefined || f.totals.nanos === null) continue;
      const { evaluations, matches, nanos } = f.totals;
      for (let id = 0; id < evaluations.length; id++) {
        const rule = this.rulesById[id];
        if (rule === undefined) continue;
        let p = byId.get(id);
        if (p === undefined) byId.set(id, (p = { rule, evaluations: 0, matches: 0, nanos: 0 }));
        p.evaluations += evaluations[id] ?? 0;
        p.matches += matches[id] ?? 0;
        p.nanos += nanos[id] ?? 0;
      }
    }
    return [...byId.values()].sort((a, b) => b.nanos - a.nanos || b.evaluations - a.evaluations);
  }

  // ------------------------------------------------------------------------------------ internals

  private onMessage(shard: number, m: FromWorker): void {
    switch (m.t) {
      case 'done':
        this.pending.push({ shard, msg: m });
        if (!this.delivering) void this.deliver();
        return;
      case 'log':
        this.logFor.get(m.stream)?.(m.message);
        return;
      case 'ended': {
        const e = this.ended.get(m.stream);
        if (e === undefined) return;
        addDecodeStats(e.decode, m.decode);
        e.state.push(m.state);
        if (++e.count === this.size) e.resolve();
        return;
      }
      case 'finished':
        this.finished[shard] = { errors: m.errors, totals: m.totals };
        if (this.finished.every((f) => f !== undefined)) this.finishWaiter?.resolve();
        return;
      default:
        return;
    }
  }

  /** Offers the workers' alerts to the outputs in arrival order, waiting while a block-policy output is full. */
  private async deliver(): Promise<void> {
    const session = this.session as Session;
    const formatter = this.formatter as AlertFormatter;
    const detector = session.detector;
    const outputs = session.outputs;
    const hostname = formatter.options.hostname;
    this.delivering = true;
    try {
      while (this.pending.length > 0) {
        const { shard, msg } = this.pending.shift()!;
        const alerts = msg.alerts;
        for (let i = 0; i < alerts.length; i++) {
          const w = alerts[i]!;
          const rule = this.rulesById[w[0]];
          if (rule === undefined) continue; // cannot happen: the rule sets were checked equal
          if (!detector.offerAlert(fromWire(w, rule, hostname, formatter.layoutOf(rule)))) await outputs.whenWritable();
        }
        detector.addEvents('syscall', msg.events);
        this.inFlight[shard]!--;
        this.wakeSlots();
      }
    } finally {
      this.delivering = false;
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  private idle(): Promise<void> {
    if (!this.delivering && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when `shard` may take another batch. */
  private async slot(shard: number): Promise<void> {
    while ((this.inFlight[shard] as number) >= this.window) {
      this.check();
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    this.check();
  }

  private wakeSlots(): void {
    const ws = this.slotWaiters;
    this.slotWaiters = [];
    for (const w of ws) w();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(err: Error): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.wakeSlots();
    for (const e of this.ended.values()) e.reject(err);
    this.finishWaiter?.reject(err);
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }
}

/** A worker could not load the rules (the main thread normally reports the same problem first). */
export class WorkerStartError extends Error {
  constructor(message: string, readonly report: string | null) {
    super(message);
    this.name = 'WorkerStartError';
  }
}
