// The messages between the main thread and its detection workers (see pool.ts and worker.ts).
//
//   main → worker: open a stream (one input), batches of its lines, end of the stream, finish.
//   worker → main: ready (rules loaded), done (one per batch: its alerts and event count — also
//                  the acknowledgement that frees a batch slot), log, ended (a stream's decode
//                  counters), finished (engine counters), failed.
//
// Ordering: one port per worker, and ports are FIFO, so a worker sees a stream's lines in input
// order and the main thread sees a worker's alerts in the order they were made.

import type { DecodeStats, Format, FormatOption } from '../../decode/types.js';
import type { StateStats } from '../../state/tracker.js';
import type { WireAlert, WireForms } from '../../format/wire.js';
import type { StateOptions } from '../../state/tracker.js';
import type { RuntimeSettings } from '../runtime.js';

/** How a worker treats a line of a batch. */
export const enum LineUse {
  /** Decode, apply to the state, evaluate the rules. */
  Evaluate = 0,
  /** Decode and apply to the state only: another worker evaluates it. */
  StateOnly = 1,
  /** The line splitter rejected it (its `lines` entry is empty): count it as bad. */
  TooLong = 2,
  InvalidUtf8 = 3,
}

export interface WorkerInit {
  readonly index: number;
  /** How many workers the pool has. */
  readonly count: number;
  readonly settings: RuntimeSettings;
  readonly profile: boolean;
  readonly forms: WireForms;
  readonly state: StateOptions;
  readonly keepEnter: boolean;
}

export type ToWorker =
  | { readonly t: 'open'; readonly stream: number; readonly format: FormatOption; readonly name: string }
  | {
    readonly t: 'batch';
    readonly stream: number;
    readonly seq: number;
    /** The format, once the main thread has recognised it (null before: decode with auto-detection). */
    readonly format: Format | null;
    readonly lines: string[];
    /** 1-based line numbers in the input. */
    readonly nums: Float64Array;
    readonly uses: Uint8Array;
    /** The byte length of each rejected line, in order. */
    readonly badBytes: number[];
  }
  | { readonly t: 'end'; readonly stream: number }
  | { readonly t: 'finish' };

/** Evaluations, matches and (when profiling) nanoseconds per rule id. */
export interface RuleTotals {
  readonly evaluations: Float64Array;
  readonly matches: Float64Array;
  readonly nanos: Float64Array | null;
}

export type FromWorker =
  | { readonly t: 'ready'; readonly rules: number; readonly fingerprint: string }
  | { readonly t: 'failed'; readonly message: string; readonly report: string | null }
  | { readonly t: 'done'; readonly stream: number; readonly seq: number; readonly alerts: WireAlert[]; readonly events: number }
  | { readonly t: 'log'; readonly stream: number; readonly message: string }
  | { readonly t: 'ended'; readonly stream: number; readonly decode: DecodeStats; readonly state: StateStats }
  | { readonly t: 'finished'; readonly errors: number; readonly totals: RuleTotals };

/** A cheap identity of a rule set, so the main thread can check every worker loaded the same rules. */
export function rulesFingerprint(rules: readonly { readonly id: number; readonly name: string; readonly source: string }[]): string {
  let h = 0x811c9dc5;
  for (const r of rules) {
    const s = `${r.id}\u0000${r.source}\u0000${r.name}\u0001`;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  }
  return `${rules.length}:${h.toString(16)}`;
}

/** into += from (counters and bad reasons); returns `into`. */
export function addDecodeStats(into: DecodeStats, from: DecodeStats | undefined): DecodeStats {
  if (from === undefined) return into;
  into.lines += from.lines;
  into.events += from.events;
  into.bad += from.bad;
  into.blank += from.blank;
  into.enterDropped += from.enterDropped;
  into.skipped += from.skipped;
  into.unusedTypes += from.unusedTypes;
  for (const k of Object.keys(from.badByReason) as (keyof DecodeStats['badByReason'])[]) into.badByReason[k] += from.badByReason[k];
  return into;
}
