// Bounded-rate logging: per-event problems are logged at most once per interval per key, with the
// number of occurrences since the last line, never once per event.

export class LogLimiter {
  readonly #every: number;
  readonly #last = new Map<string, { at: number; skipped: number }>();

  constructor(intervalMs = 10_000) {
    this.#every = intervalMs;
  }

  /** Undefined to stay quiet; otherwise the number of occurrences suppressed since the last line. */
  allow(key: string, now = Date.now()): number | undefined {
    const e = this.#last.get(key);
    if (e === undefined || now - e.at >= this.#every) {
      const skipped = e?.skipped ?? 0;
      this.#last.set(key, { at: now, skipped: 0 });
      return skipped;
    }
    e.skipped++;
    return undefined;
  }
}
