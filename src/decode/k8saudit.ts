// Decodes Kubernetes audit payloads into K8sAuditEvents, as Falco's k8saudit plugin does
// (ParseAuditEventsJSON in plugins/k8saudit/pkg/k8saudit/source.go):
//
// - a JSON document is an `Event` (`kind: "Event"`), an `EventList` (its `items`, as the kube-apiserver
//   webhook backend POSTs them), or a JSON array of any of these; a log line (`--audit-log-path`) is one
//   such document;
// - each event needs `stageTimestamp` (RFC 3339, up to nanoseconds), which becomes the event time;
// - events of every stage are delivered (RequestReceived, ResponseStarted, ResponseComplete, Panic): the
//   plugin does not filter, the rules do (`kevt` selects ResponseComplete, `kevt_started` ResponseStarted).
//
// Bad input is counted and skipped, never thrown. Unlike the plugin, one unrecognised element of an
// array does not discard the rest of the payload.

import { newK8sAuditEvent, type K8sAuditEvent } from '../event/types.js';

export interface K8sAuditDecodeStats {
  /** Documents handed to the decoder (webhook bodies, log lines). */
  documents: number;
  /** Events produced. */
  events: number;
  /** Documents that are not JSON. */
  malformedJson: number;
  /** JSON values that are neither an Event, an EventList nor an array of them. */
  unrecognized: number;
  /** Events without a `stageTimestamp`, or with one that is not RFC 3339. */
  badTimestamp: number;
  /** Events larger than `maxEventSize` once serialised. */
  tooLarge: number;
}

export type K8sAuditProblem = 'malformedJson' | 'unrecognized' | 'badTimestamp' | 'tooLarge';

export interface K8sAuditDecoderOptions {
  /**
   * Drop events whose compact JSON is larger than this many bytes (the plugin's `maxEventSize`,
   * 262144 in Falco). Default 0: no per-event limit — receivers already bound the payload size.
   */
  readonly maxEventSize?: number;
  /** evt.num of the first event (default 1). */
  readonly firstNum?: number;
  /** Called for each skipped input (for rate-limited logging by the caller). Must not throw. */
  readonly onProblem?: (kind: K8sAuditProblem, message: string) => void;
}

/** Arrays nested deeper than this are not audit payloads (and must not exhaust the stack). */
const MAX_ARRAY_DEPTH = 16;

export interface DecodeResult {
  readonly events: K8sAuditEvent[];
  /** False when the document was not JSON or held nothing recognisable as audit events. */
  readonly ok: boolean;
  /** True when the document was not JSON at all. */
  readonly malformed: boolean;
}

export class K8sAuditDecoder {
  private readonly counters: K8sAuditDecodeStats = {
    documents: 0, events: 0, malformedJson: 0, unrecognized: 0, badTimestamp: 0, tooLarge: 0,
  };
  private num: number;
  private readonly maxEventSize: number;
  private readonly onProblem: ((kind: K8sAuditProblem, message: string) => void) | undefined;

  constructor(options: K8sAuditDecoderOptions = {}) {
    this.num = options.firstNum ?? 1;
    this.maxEventSize = options.maxEventSize ?? 0;
    this.onProblem = options.onProblem;
  }

  stats(): K8sAuditDecodeStats {
    return { ...this.counters };
  }

  /** Decodes one JSON document: a webhook request body or one line of an audit log. */
  decode(text: string): DecodeResult {
    this.counters.documents++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.problem('malformedJson', `not JSON: ${(err as Error).message}`);
      return { events: [], ok: false, malformed: true };
    }
    // Sizes are only checked per event when the whole document could hold an oversized one.
    const checkSize = this.maxEventSize > 0 && Buffer.byteLength(text, 'utf8') > this.maxEventSize;
    const events: K8sAuditEvent[] = [];
    const recognized = this.collect(value, events, checkSize, 0);
    return { events, ok: recognized, malformed: false };
  }

  /** Decodes an already parsed JSON value (e.g. from a NATS message decoded elsewhere). */
  decodeValue(value: unknown): DecodeResult {
    this.counters.documents++;
    const events: K8sAuditEvent[] = [];
    const recognized = this.collect(value, events, this.maxEventSize > 0, 0);
    return { events, ok: recognized, malformed: false };
  }

  /** Appends the events in `value` to `out`; false when `value` is not an audit payload at all. */
  private collect(value: unknown, out: K8sAuditEvent[], checkSize: boolean, depth: number): boolean {
    if (Array.isArray(value)) {
      if (depth >= MAX_ARRAY_DEPTH) {
        this.problem('unrecognized', `arrays nested deeper than ${MAX_ARRAY_DEPTH} levels`);
        return false;
      }
      let any = value.length === 0;
      for (const v of value) if (this.collect(v, out, checkSize, depth + 1)) any = true;
      return any;
    }
    if (isRecord(value)) {
      const kind = value['kind'];
      if (kind === 'EventList' && Array.isArray(value['items'])) {
        for (const item of value['items']) this.single(item, out, checkSize);
        return true;
      }
      if (kind === 'Event') {
        this.single(value, out, checkSize);
        return true;
      }
      this.problem('unrecognized', kind === 'EventList'
        ? "EventList without an 'items' array"
        : typeof kind === 'string'
          ? `kind ${JSON.stringify(kind.slice(0, 64))} is not an audit Event or EventList`
          : 'JSON object without a string "kind" is not an audit Event or EventList');
      return false;
    }
    this.problem('unrecognized', `a JSON ${value === null ? 'null' : typeof value} is not an audit Event or EventList`);
    return false;
  }

  private single(item: unknown, out: K8sAuditEvent[], checkSize: boolean): void {
    if (!isRecord(item)) {
      this.problem('unrecognized', 'EventList item is not a JSON object');
      return;
    }
    const stamp = item['stageTimestamp'];
    const ts = typeof stamp === 'string' ? stampToNs(stamp) : undefined;
    if (ts === undefined) {
      this.problem('badTimestamp', stamp === undefined
        ? "audit event without 'stageTimestamp'"
        : `audit event 'stageTimestamp' is not an RFC 3339 time: ${typeof stamp === 'string' ? JSON.stringify(stamp.slice(0, 64)) : `a JSON ${stamp === null ? 'null' : Array.isArray(stamp) ? 'array' : typeof stamp}`}`);
      return;
    }
    if (checkSize) {
      const text = compactJson(item);
      const size = text === undefined ? Infinity : Buffer.byteLength(text, 'utf8');
      if (size > this.maxEventSize) {
        this.problem('tooLarge', text === undefined
          ? 'audit event nested too deeply to serialise'
          : `audit event of ${size} bytes exceeds maxEventSize ${this.maxEventSize}`);
        return;
      }
    }
    out.push(newK8sAuditEvent(item, ts, this.num++));
    this.counters.events++;
  }

  private problem(kind: K8sAuditProblem, message: string): void {
    this.counters[kind]++;
    this.onProblem?.(kind, message);
  }
}

/** The number in `n` decimal digits of `s` at `at`, or -1. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An RFC 3339 time (Go's time.RFC3339Nano layout, as MicroTime is written) to decimal nanoseconds since
 * the epoch, exact; undefined when malformed, out of range (Go rejects Feb 30 and hour 24) or before 1970.
 * Hot — once per event — so it reads characters at fixed offsets: no regex, Date.parse or BigInt.
 */
export function stampToNs(text: string): string | undefined {
  // YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|±HH:MM)
  if (text.length < 20 || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':') return undefined;
  const t = text[10];
  if (t !== 'T' && t !== 't') return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const sec = digits(text, 17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo - 1] as number))) return undefined;
  let i = 19;
  let frac = '';
  if (text[i] === '.') {
    let j = i + 1;
    while (j < text.length && j - i <= 10) {
      const c = text.charCodeAt(j);
      if (c < 48 || c > 57) break;
      j++;
    }
    const n = j - i - 1;
    if (n < 1 || n > 9) return undefined;
    frac = text.slice(i + 1, j);
    i = j;
  }
  let offset = 0;
  const z = text[i];
  if (z === 'Z' || z === 'z') {
    if (i + 1 !== text.length) return undefined;
  } else if (z === '+' || z === '-') {
    if (i + 6 !== text.length || text[i + 3] !== ':') return undefined;
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offset = (oh * 3600 + om * 60) * (z === '+' ? 1 : -1);
  } else {
    return undefined;
  }
  const secs = Date.UTC(y, mo - 1, d, h, mi, sec) / 1000 - offset;
  if (secs < 0) return undefined;
  const nanos = frac.padEnd(9, '0');
  return secs === 0 ? String(Number(nanos)) : `${secs}${nanos}`;
}

/** The compact JSON of a parsed value; undefined when it nests too deeply for JSON.stringify's recursion. */
function compactJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
