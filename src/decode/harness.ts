// Wraps a format's record function into a Decoder: counts every outcome, turns any failure on a
// record (a BadRecord, or anything else a hostile record provokes) into a counted bad record with
// a rate-limited log line, and drops enter events unless asked to keep them.

import type { SyscallEvent } from '../event/types.js';
import {
  BadRecord, newDecodeStats,
  type BadReason, type DecodeOptions, type DecodeStats, type Decoder, type EventTypeFilter, type Format, type FormatOption,
} from './types.js';

/** libsinsp events that only exist in the enter direction; dropping enter events keeps them. */
export const ENTER_ONLY_EVENTS: ReadonlySet<string> = new Set([
  'procexit', 'container', 'signaldeliver', 'switch', 'notification', 'infra', 'pluginevent', 'drop',
  'sysdigevent', 'page_fault', 'cpu_hotplug', 'k8s', 'mesos', 'tracer', 'scapevent', 'procinfo', 'asyncevent',
]);

/** Logs the first `burst` messages, then at most one per interval, saying how many it held back. */
export class RateLimitedLog {
  private sent = 0;
  private last = 0;
  private held = 0;
  constructor(
    private readonly sink: (message: string) => void,
    private readonly burst = 10,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  write(message: string): void {
    if (this.sent < this.burst) {
      this.sent++;
      this.last = this.now();
      this.sink(message);
      return;
    }
    const t = this.now();
    if (t - this.last >= this.intervalMs) {
      this.last = t;
      const held = this.held;
      this.held = 0;
      this.sink(held > 0 ? `${message} (${held} similar messages suppressed)` : message);
      return;
    }
    this.held++;
  }
}

/** A printable excerpt of hostile text: at most 80 characters, control characters escaped. */
export function excerpt(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}

/**
 * A record function returns an event, undefined for "nothing to emit" (counted as skipped). It may
 * fill `into` (an event the caller is done with) instead of allocating one.
 */
export type RecordFn = (line: string, lineNo: number, into: SyscallEvent | undefined) => SyscallEvent | undefined;

/** Whether a record is of an event type `filter` does not need, known without parsing it (see type-peek.ts). */
export type UnusedRecord = (line: string, filter: EventTypeFilter) => boolean;

export class HarnessDecoder implements Decoder {
  readonly format: FormatOption;
  detected: Format | undefined;
  readonly stats: DecodeStats;
  private readonly fn: RecordFn;
  private readonly keepEnter: boolean;
  private readonly log: RateLimitedLog | undefined;
  private readonly label: string;
  private readonly unused: UnusedRecord | undefined;
  private readonly eventTypes: EventTypeFilter | undefined;

  constructor(format: Format, fn: RecordFn, options: DecodeOptions, stats: DecodeStats = newDecodeStats(), unused?: UnusedRecord) {
    this.format = format;
    this.detected = format;
    this.fn = fn;
    this.stats = stats;
    this.keepEnter = options.keepEnter ?? false;
    this.log = options.log ? new RateLimitedLog(options.log, options.logBurst, options.logIntervalMs) : undefined;
    this.label = options.sourceName ? `${options.sourceName}:` : 'line ';
    // Both or neither: a format that cannot read a record's type unparsed parses every record.
    this.eventTypes = unused === undefined ? undefined : options.eventTypes;
    this.unused = this.eventTypes === undefined ? undefined : unused;
  }

  decode(line: string, lineNo: number, into?: SyscallEvent): SyscallEvent | undefined {
    const stats = this.stats;
    stats.lines++;
    if (line.length === 0) {
      stats.blank++;
      return undefined;
    }
    if (this.unused !== undefined && this.unused(line, this.eventTypes as EventTypeFilter)) {
      stats.unusedTypes++;
      return undefined;
    }
    let ev: SyscallEvent | undefined;
    try {
      ev = this.fn(line, lineNo, into);
    } catch (err) {
      const reason: BadReason = err instanceof BadRecord ? err.reason : err instanceof SyntaxError ? 'invalid-json' : 'wrong-type';
      this.count(lineNo, reason, err instanceof Error ? err.message : String(err), line);
      return undefined;
    }
    if (ev === undefined) {
      stats.skipped++;
      return undefined;
    }
    if (ev.dir === '>' && !this.keepEnter && !ENTER_ONLY_EVENTS.has(ev.type)) {
      stats.enterDropped++;
      return undefined;
    }
    stats.events++;
    return ev;
  }

  bad(lineNo: number, reason: BadReason, detail?: string): void {
    this.stats.lines++;
    this.count(lineNo, reason, detail ?? reason, undefined);
  }

  /** Counts a record the record function consumed without emitting (e.g. a merged enter event). */
  private count(lineNo: number, reason: BadReason, detail: string, line: string | undefined): void {
    this.stats.bad++;
    this.stats.badByReason[reason]++;
    this.log?.write(`${this.label}${lineNo}: bad record (${reason}): ${detail}${line !== undefined ? ` ${excerpt(line)}` : ''}`);
  }
}
