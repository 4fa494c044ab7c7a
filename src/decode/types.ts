// The decoder contract: one call per record, returning an event or undefined. A bad record is
// counted (by reason) and logged at a bounded rate with its line number; decode never throws on
// input, so one hostile line cannot stop a stream.

import type { SyscallEvent } from '../event/types.js';

export type Format = 'native' | 'falco-json' | 'sysdig' | 'tetragon' | 'tracee';
export const FORMATS: readonly Format[] = ['native', 'falco-json', 'sysdig', 'tetragon', 'tracee'];
export type FormatOption = Format | 'auto';

export type BadReason =
  | 'invalid-json'      // JSON.parse failed (includes truncated lines)
  | 'not-object'        // valid JSON but not an object
  | 'missing-field'     // a required field is absent
  | 'wrong-type'        // a field has the wrong type or an impossible value
  | 'too-long'          // longer than the line limit
  | 'invalid-utf8'      // not valid UTF-8
  | 'unknown-format';   // auto-detection could not tell what this is

export const BAD_REASONS: readonly BadReason[] = [
  'invalid-json', 'not-object', 'missing-field', 'wrong-type', 'too-long', 'invalid-utf8', 'unknown-format',
];

export interface DecodeStats {
  /** Records seen: events + bad + blank + dropped + skipped + unusedTypes. */
  lines: number;
  events: number;
  bad: number;
  badByReason: Record<BadReason, number>;
  /** Empty lines. */
  blank: number;
  /** Enter events ('>') dropped (the default; see keepEnter). */
  enterDropped: number;
  /** Well-formed records that map to no syscall event (e.g. Tetragon process_throttle, a Tracee duplicate). */
  skipped: number;
  /** Records of event types nothing downstream uses, skipped without parsing (DecodeOptions.eventTypes). */
  unusedTypes: number;
}

export function newDecodeStats(): DecodeStats {
  return {
    lines: 0, events: 0, bad: 0, blank: 0, enterDropped: 0, skipped: 0, unusedTypes: 0,
    badByReason: { 'invalid-json': 0, 'not-object': 0, 'missing-field': 0, 'wrong-type': 0, 'too-long': 0, 'invalid-utf8': 0, 'unknown-format': 0 },
  };
}

export interface DecodeOptions {
  /** Keep enter events (evt.dir '>'); by default they are dropped, as current Falco does. */
  readonly keepEnter?: boolean;
  /** Where bad-record warnings go (rate-limited). Default: nowhere (they are still counted). */
  readonly log?: (message: string) => void;
  /** Log the first `logBurst` bad records, then at most one line per `logIntervalMs` (defaults 10 / 1000). */
  readonly logBurst?: number;
  readonly logIntervalMs?: number;
  /** A label for log lines, e.g. the file name. */
  readonly sourceName?: string;
  /**
   * The event types the pipeline uses (rules and state tracking). Where a format can read a record's
   * type without parsing it (native), records of other types are counted in `unusedTypes` and skipped
   * unparsed. Asked per record, so the answer may change (rules reloaded).
   */
  readonly eventTypes?: EventTypeFilter | undefined;
}

export interface EventTypeFilter {
  needs(type: string): boolean;
}

export interface Decoder {
  readonly format: FormatOption;
  /** The format in use: fixed, or what auto-detection chose (undefined until it has). */
  readonly detected: Format | undefined;
  readonly stats: DecodeStats;
  /**
   * Decodes one record (a line without its newline). `into`, when given, is an event the caller is
   * done with: a decoder may reset and fill it instead of allocating (the pipeline passes one
   * scratch event per stream; see the lifetime contract in src/event/types.ts).
   */
  decode(line: string, lineNo: number, into?: SyscallEvent): SyscallEvent | undefined;
  /** Counts a record the line splitter already rejected. */
  bad(lineNo: number, reason: BadReason, detail?: string): void;
}

/** A decoder's record-level failure: thrown inside decoders, caught and counted by the harness. */
export class BadRecord extends Error {
  readonly reason: BadReason;
  constructor(reason: BadReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
