// The logging interface modules receive (pino satisfies it; tests can pass a recorder), and a rate
// limiter for per-event problems so a flood of bad input cannot flood the log.

export interface Logger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Allows at most `burst` events per `intervalMs`; counts what it refuses so the next allowed log
 * line can say how many were suppressed.
 */
export class RateLimiter {
  private windowStart = 0;
  private used = 0;
  private suppressedCount = 0;

  constructor(private readonly burst = 10, private readonly intervalMs = 10_000, private readonly now: () => number = Date.now) {}

  /** True when this occurrence may be logged. */
  allow(): boolean {
    const t = this.now();
    if (t - this.windowStart >= this.intervalMs) {
      this.windowStart = t;
      this.used = 0;
    }
    if (this.used < this.burst) {
      this.used++;
      return true;
    }
    this.suppressedCount++;
    return false;
  }

  /** Occurrences refused since the last call (then resets). */
  takeSuppressed(): number {
    const n = this.suppressedCount;
    this.suppressedCount = 0;
    return n;
  }
}
