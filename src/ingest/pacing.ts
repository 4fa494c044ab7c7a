// `--realtime` replay: re-times a stream of event batches so that events are released no sooner
// than their timestamps' distance from the first event (scaled by `speed`). Without it replay runs as
// fast as the consumer pulls. Timestamps are decimal nanoseconds; events without one pass at once.

import { sleep } from './sleep.js';

export interface PacingOptions {
  /** 1 = real time, 2 = twice as fast (default 1). */
  readonly speed?: number;
  readonly signal?: AbortSignal;
  /** The clock in ms (tests inject one). */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Nanoseconds (decimal string) to milliseconds as a float, relative to `base` (both exact). */
function msSince(ts: string, base: bigint): number {
  return Number(BigInt(ts) - base) / 1e6;
}

const DIGITS = /^[0-9]{1,20}$/;

export async function* paceByTimestamp<T>(
  batches: AsyncIterable<readonly T[]>,
  tsOf: (item: T) => string,
  options: PacingOptions = {},
): AsyncGenerator<T[]> {
  const speed = options.speed ?? 1;
  const now = options.now ?? (() => performance.now());
  const wait = options.sleep ?? sleep;
  let base: bigint | undefined;
  let start = 0;
  for await (const batch of batches) {
    let out: T[] = [];
    for (const item of batch) {
      const ts = tsOf(item);
      if (!DIGITS.test(ts)) {
        out.push(item);
        continue;
      }
      if (base === undefined) {
        base = BigInt(ts);
        start = now();
      }
      const due = start + msSince(ts, base) / speed;
      const delay = due - now();
      if (delay > 1) {
        if (out.length > 0) {
          yield out;
          out = [];
        }
        await wait(delay, options.signal);
        if (options.signal?.aborted) return;
      }
      out.push(item);
    }
    if (out.length > 0) yield out;
  }
}
