// Opt-in alert throttling ("dedup") per rule: at most one alert per key per window, where the key is
// the rule plus chosen output_fields values. Nothing is silent (users rejected Falco's silent rate
// limiter, falco#2762): every suppressed alert is counted, and the count is reported either
//   - in the next alert for that key after its window ends: output_fields gains
//     `peregrine.suppressed: N` and the message a suffix "(peregrine: N similar alerts suppressed in 60s)", or
//   - if no such alert comes within one more window, in an internal summary alert
//     ("Peregrine internal: alerts suppressed", at the rule's priority) naming the rule, key and count.
// Memory is bounded by `maxKeys`; evicting a key with pending suppressions emits its summary first.

import type { Priority } from '../common/priority.js';
import type { Alert } from '../format/alert.js';
import { jsonValue } from '../format/json-value.js';
import { compileWildcards } from './wildcard.js';

export interface DedupSpec {
  /** Rule-name patterns (`*` wildcards) this setting applies to. */
  readonly rules: readonly string[];
  /** output_fields names whose values, with the rule name, form the key (none: one key per rule). */
  readonly key: readonly string[];
  readonly windowMs: number;
}

export interface SuppressionSummary {
  readonly rule: string;
  readonly priority: Priority;
  readonly key: Readonly<Record<string, unknown>>;
  readonly suppressed: number;
  readonly windowMs: number;
}

interface Entry {
  start: number;
  count: number;
  readonly spec: DedupSpec;
  readonly sample: Alert;
}

export function windowText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export class Throttle {
  /** Alerts suppressed so far (monotonic). */
  suppressed = 0;
  /** Suppressed alerts reported so far, inline or in summaries (monotonic). */
  reported = 0;
  readonly #specs: readonly { readonly spec: DedupSpec; readonly match: (rule: string) => boolean }[];
  readonly #specFor = new Map<string, DedupSpec | null>();
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #summary: (s: SuppressionSummary) => void;

  constructor(specs: readonly DedupSpec[], summary: (s: SuppressionSummary) => void, maxKeys = 10_000) {
    this.#specs = specs.map((spec) => ({ spec, match: compileWildcards(spec.rules) }));
    this.#summary = summary;
    this.#maxKeys = maxKeys;
  }

  /** The shortest window, so the owner can sweep often enough. */
  get minWindowMs(): number {
    return Math.min(...this.#specs.map((s) => s.spec.windowMs));
  }

  get keys(): number {
    return this.#entries.size;
  }

  /** The alert to deliver (possibly annotated with a suppressed count), or undefined to suppress it. */
  admit(alert: Alert, now: number): Alert | undefined {
    const spec = this.specFor(alert.rule);
    if (spec === null) return alert;
    let key = alert.rule;
    for (const f of spec.key) key += `\u0000${jsonValue(alert.fieldValue(f))}`;
    const e = this.#entries.get(key);
    if (e !== undefined && now - e.start < spec.windowMs) {
      e.count++;
      this.suppressed++;
      return undefined;
    }
    if (e !== undefined) this.#entries.delete(key); // re-insert below: the map stays ordered by window start
    else if (this.#entries.size >= this.#maxKeys) this.evictOldest();
    this.#entries.set(key, { start: now, count: 0, spec, sample: alert });
    if (e !== undefined && e.count > 0) {
      this.reported += e.count;
      return alert.withSuppressed(e.count, windowText(spec.windowMs));
    }
    return alert;
  }

  /** Reports and forgets keys idle for a whole window after their own window ended. */
  sweep(now: number): void {
    for (const [key, e] of this.#entries) {
      if (now - e.start < 2 * e.spec.windowMs) continue;
      this.#entries.delete(key);
      this.report(e);
    }
  }

  /** Reports every pending suppression (on close). */
  flushAll(): void {
    for (const e of this.#entries.values()) this.report(e);
    this.#entries.clear();
  }

  private specFor(rule: string): DedupSpec | null {
    let s = this.#specFor.get(rule);
    if (s === undefined) {
      s = this.#specs.find((x) => x.match(rule))?.spec ?? null;
      this.#specFor.set(rule, s);
    }
    return s;
  }

  private evictOldest(): void {
    const first = this.#entries.entries().next();
    if (first.done === true) return;
    this.#entries.delete(first.value[0]);
    this.report(first.value[1]);
  }

  private report(e: Entry): void {
    if (e.count === 0) return;
    this.reported += e.count;
    const key: Record<string, unknown> = {};
    for (const f of e.spec.key) key[f] = e.sample.fieldValue(f) ?? null;
    this.#summary({ rule: e.sample.rule, priority: e.sample.priority, key, suppressed: e.count, windowMs: e.spec.windowMs });
  }
}
