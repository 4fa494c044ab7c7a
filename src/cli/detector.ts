// The detection step of the pipeline: each enriched event goes through the engine; each match is
// formatted into an alert and offered to the outputs. It counts events and alerts (by rule and by
// priority) for the summary and metrics. The engine can be swapped atomically (hot reload).
//
// Backpressure: with block-policy outputs (offline replay) a full queue makes handle() return a
// promise the caller awaits before the next event, so nothing is lost; with drop-policy outputs
// (live) handle() never waits.
//
// With worker threads (cli/workers/), each worker runs its own Detector whose "outputs" collect the
// alerts for the main thread; there, offerAlert() and addEvents() fold the workers' results into
// the main Detector's counts.

import type { Engine } from '../engine/engine.js';
import type { Event } from '../event/types.js';
import type { Alert } from '../format/alert.js';
import type { AlertFormatter } from '../format/formatter.js';
import type { AlertFanout } from '../output/fanout.js';
import type { CompiledRule } from '../rules/types.js';

export interface DetectorCounts {
  /** Events evaluated, by source. */
  readonly events: Map<string, number>;
  alerts: number;
  readonly byRule: Map<string, number>;
  /** Indexed by priority (0 Emergency … 7 Debug). */
  readonly byPriority: number[];
}

export class Detector {
  readonly counts: DetectorCounts = { events: new Map(), alerts: 0, byRule: new Map(), byPriority: [0, 0, 0, 0, 0, 0, 0, 0] };
  private readonly matches: CompiledRule[] = [];
  private syscallEvents = 0;

  constructor(private engine: Engine, private readonly formatter: AlertFormatter, private readonly outputs: Pick<AlertFanout, 'offer' | 'whenWritable'>) {}

  get currentEngine(): Engine {
    return this.engine;
  }

  /** Replaces the rules; the next event is evaluated by the new engine. */
  swapEngine(engine: Engine): void {
    this.engine = engine;
  }

  totalEvents(): number {
    let n = this.syscallEvents;
    for (const [source, v] of this.counts.events) if (source !== 'syscall') n += v;
    return n;
  }

  eventsBySource(): Map<string, number> {
    const m = new Map(this.counts.events);
    m.set('syscall', this.syscallEvents);
    return m;
  }

  /** Counts events evaluated elsewhere (worker threads). */
  addEvents(source: string, n: number): void {
    if (source === 'syscall') this.syscallEvents += n;
    else this.counts.events.set(source, (this.counts.events.get(source) ?? 0) + n);
  }

  /**
   * Counts an alert made elsewhere (a worker thread) and offers it to the outputs. Returns false when
   * a block-policy output is full: await `outputs.whenWritable()` before offering more.
   */
  offerAlert(alert: Alert): boolean {
    this.count(alert.rule, alert.priority);
    return this.outputs.offer(alert);
  }

  private count(rule: string, priority: number): void {
    this.counts.alerts++;
    this.counts.byRule.set(rule, (this.counts.byRule.get(rule) ?? 0) + 1);
    this.counts.byPriority[priority] = (this.counts.byPriority[priority] ?? 0) + 1;
  }

  /** Evaluates one event; returns a promise only when a block-policy output is full. */
  readonly handle = (ev: Event): void | Promise<void> => {
    if (ev.source === 'syscall') this.syscallEvents++;
    else this.counts.events.set(ev.source, (this.counts.events.get(ev.source) ?? 0) + 1);
    const matches = this.matches;
    const n = this.engine.match(ev, matches);
    if (n === 0) return undefined;
    let wait: Promise<void> | undefined;
    for (let i = 0; i < n; i++) {
      const rule = matches[i] as CompiledRule;
      const alert = this.formatter.format(rule, ev);
      this.count(rule.name, rule.priority);
      if (!this.outputs.offer(alert)) wait = this.outputs.whenWritable();
    }
    return wait;
  };
}
