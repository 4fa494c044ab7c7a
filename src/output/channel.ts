// One output's lane in the fan-out: its filter, optional throttle, bounded queue and pump. The pump
// hands batches to the sink one at a time; a slow sink only ever fills its own queue.
//
// Queue-full policy:
//   drop  — the newest alert is dropped and counted (live mode: detection never waits);
//   block — the alert is still queued and offer() returns false, telling the producer to
//           `await whenRoom()` before offering more (offline replay: nothing is lost). The queue can
//           exceed its capacity only by what the producer offers after a false, i.e. by one step.

import type { Alert } from '../format/alert.js';
import type { InternalAlertSpec } from '../format/internal.js';
import type { AlertFilter } from './filter.js';
import { Ring } from './ring.js';
import type { Throttle } from './dedup.js';
import type { AlertSink, Logger, SinkHooks, SinkStats, StopReason } from './types.js';

export type QueuePolicy = 'drop' | 'block';

export interface ChannelOptions {
  readonly name: string;
  readonly capacity: number;
  readonly policy: QueuePolicy;
  /** Largest batch handed to the sink at once. */
  readonly batchSize: number;
  readonly filter?: AlertFilter | undefined;
  readonly throttle?: Throttle | undefined;
  readonly logger: Logger;
  /** Called on every queue-full drop (the fan-out rate-limits the reporting). */
  readonly onDrop: (ch: OutputChannel) => void;
  readonly onStop: (ch: OutputChannel, reason: StopReason, error?: Error) => void;
  /** A sink's notice, to be sent as an internal alert to the other outputs. */
  readonly onNotice: (ch: OutputChannel, spec: InternalAlertSpec) => void;
}

/** One output's counters; all but `queued` are monotonic. Invariant once idle:
 *  received = filtered + suppressed + dropped + discarded + (alerts written to the sink). */
export interface OutputStats {
  readonly name: string;
  readonly type: string;
  readonly policy: QueuePolicy;
  readonly capacity: number;
  /** Alerts offered to this output (internal notices included). */
  readonly received: number;
  /** Rejected by this output's filter. */
  readonly filtered: number;
  /** Held back by this output's throttle (reported later, never silently). */
  readonly suppressed: number;
  /** Dropped because the queue was full (drop policy) or the output was closed. */
  readonly dropped: number;
  /** Discarded because the sink had stopped for good (e.g. stdout's reader went away). */
  readonly discarded: number;
  /** Alerts queued or being written right now. */
  readonly queued: number;
  /** Delivered by the sink (see SinkStats.sent). */
  readonly sent: number;
  /** Lost to sink errors. */
  readonly failed: number;
  readonly stopped: StopReason | undefined;
  readonly extra: Readonly<Record<string, number>>;
}

const RESOLVED = Promise.resolve();

export class OutputChannel {
  readonly name: string;
  readonly sink: AlertSink;
  readonly capacity: number;
  readonly policy: QueuePolicy;
  received = 0;
  filtered = 0;
  dropped = 0;
  /** The part of `dropped` the fan-out has already reported. */
  droppedReported = 0;
  discarded = 0;
  writeErrors = 0;
  stopReason: StopReason | undefined;

  readonly #o: ChannelOptions;
  readonly #ring: Ring<Alert>;
  #inFlight = 0;
  #scheduled = false;
  #busy = false;
  #accepting = true;
  #roomWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #sweep: NodeJS.Timeout | undefined;
  readonly #pump = (): void => {
    void this.pump();
  };

  constructor(sink: AlertSink, options: ChannelOptions) {
    this.sink = sink;
    this.#o = options;
    this.name = options.name;
    this.capacity = options.capacity;
    this.policy = options.policy;
    this.#ring = new Ring<Alert>(Math.min(options.capacity, 1024));
  }

  async open(): Promise<void> {
    const hooks: SinkHooks = {
      name: this.name,
      logger: this.#o.logger,
      stopped: (reason, error) => this.stop(reason, error),
      notice: (spec) => this.#o.onNotice(this, spec),
    };
    await this.sink.open(hooks);
    const t = this.#o.throttle;
    if (t !== undefined) {
      const every = Math.min(10_000, Math.max(100, Math.floor(t.minWindowMs / 2)));
      this.#sweep = setInterval(() => t.sweep(Date.now()), every);
      this.#sweep.unref();
    }
  }

  /** True when a block-policy producer must wait before offering more. */
  get full(): boolean {
    return this.#ring.length >= this.capacity && this.stopReason === undefined;
  }

  /**
   * Offers an alert. Returns false only under the block policy when the queue is at capacity (the
   * alert was queued anyway): the producer must await whenRoom() before offering again.
   */
  offer(alert: Alert): boolean {
    this.received++;
    const f = this.#o.filter;
    if (f !== undefined && !f(alert)) {
      this.filtered++;
      return true;
    }
    const t = this.#o.throttle;
    if (t !== undefined) {
      const admitted = t.admit(alert, Date.now());
      if (admitted === undefined) return true;
      alert = admitted;
    }
    return this.enqueue(alert);
  }

  /** Queues an internal notice if there is room; skipped (not counted as a drop) otherwise. */
  offerInternal(alert: Alert): void {
    if (!this.#accepting || this.stopReason !== undefined || this.#ring.length >= this.capacity) return;
    this.received++;
    const f = this.#o.filter;
    if (f !== undefined && !f(alert)) {
      this.filtered++;
      return;
    }
    this.enqueue(alert);
  }

  private enqueue(alert: Alert): boolean {
    if (this.stopReason !== undefined) {
      this.discarded++;
      return true;
    }
    if (!this.#accepting) {
      this.dropped++;
      return true;
    }
    if (this.#ring.length >= this.capacity) {
      if (this.policy === 'drop') {
        this.dropped++;
        this.#o.onDrop(this);
        return true;
      }
      this.#ring.push(alert);
      this.schedule();
      return false;
    }
    this.#ring.push(alert);
    this.schedule();
    return true;
  }

  /** Resolves when the queue is below capacity (or the output stopped or closed). */
  whenRoom(): Promise<void> {
    if (!this.full) return RESOLVED;
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Resolves when everything queued so far has been handed to the sink. */
  idle(): Promise<void> {
    if (this.#ring.length === 0 && !this.#busy && !this.#scheduled) return RESOLVED;
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async flush(): Promise<void> {
    await this.idle();
    await this.sink.flush();
  }

  /** Reports pending throttle counts, stops accepting, then waits (bounded) for the queue to drain. */
  async close(timeoutMs: number): Promise<void> {
    this.#o.throttle?.flushAll();
    this.#accepting = false;
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    const deadline = Date.now() + timeoutMs;
    const drained = await within(this.flush(), timeoutMs);
    if (!drained) {
      const n = this.#ring.clear();
      this.dropped += n;
      this.#o.logger.error({ output: this.name, discarded: n, inFlight: this.#inFlight, timeoutMs },
        'output did not drain before the close timeout; queued alerts discarded');
    }
    const closed = await within(this.sink.close(), Math.max(0, deadline - Date.now()));
    if (!closed) this.#o.logger.error({ output: this.name, timeoutMs }, 'output did not close before the close timeout');
    this.wake();
  }

  stats(): OutputStats {
    const s: SinkStats = this.sink.stats();
    return {
      name: this.name,
      type: this.sink.type,
      policy: this.policy,
      capacity: this.capacity,
      received: this.received,
      filtered: this.filtered,
      suppressed: this.#o.throttle?.suppressed ?? 0,
      dropped: this.dropped,
      discarded: this.discarded,
      queued: this.#ring.length + this.#inFlight,
      sent: s.sent,
      failed: s.failed + this.writeErrors,
      stopped: this.stopReason,
      extra: { ...s.extra, ...(this.#o.throttle !== undefined ? { dedup_keys: this.#o.throttle.keys } : {}) },
    };
  }

  private stop(reason: StopReason, error?: Error): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.discarded += this.#ring.clear();
    this.#o.onStop(this, reason, error);
    this.wake();
  }

  private schedule(): void {
    if (this.#scheduled || this.#busy) return;
    this.#scheduled = true;
    setImmediate(this.#pump);
  }

  private async pump(): Promise<void> {
    this.#scheduled = false;
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#ring.length > 0) {
        const batch = this.#ring.take(this.#o.batchSize);
        this.#inFlight = batch.length;
        this.wakeRoom();
        if (this.stopReason !== undefined) {
          this.discarded += batch.length;
          continue;
        }
        try {
          await this.sink.write(batch);
        } catch (err) {
          this.writeErrors += batch.length;
          this.#o.logger.error({ output: this.name, err, alerts: batch.length }, 'output write failed');
        }
        this.#inFlight = 0;
      }
    } finally {
      this.#inFlight = 0;
      this.#busy = false;
      this.wake();
    }
  }

  private wakeRoom(): void {
    if (this.#roomWaiters.length > 0 && !this.full) {
      const ws = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const w of ws) w();
    }
  }

  private wake(): void {
    this.wakeRoom();
    if (this.#ring.length === 0 && !this.#busy && !this.#scheduled && this.#idleWaiters.length > 0) {
      const ws = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of ws) w();
    }
    // A closed or stopped output never blocks a producer.
    if ((!this.#accepting || this.stopReason !== undefined) && this.#roomWaiters.length > 0) {
      const ws = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const w of ws) w();
    }
  }
}

/** Waits for `p` at most `ms`; true when it settled in time. Never rejects. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
