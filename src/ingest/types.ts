// The contract between byte sources and decoders: a source is an async iterable of line batches.
// Batching keeps the per-line cost at a plain array read instead of one promise per line; a batch
// holds consecutive lines, so `firstLine + index` is each item's 1-based line (or message) number.

/** A line the splitter could not hand over as text; the decoder counts and logs it. */
export interface BadLine {
  readonly bad: 'too-long' | 'invalid-utf8';
  /** Its length in bytes (for too-long lines: at least the limit). */
  readonly bytes: number;
}

export type LineItem = string | BadLine;

export interface LineBatch {
  readonly items: LineItem[];
  /** Line number of items[0] (1-based, counted over the whole stream). */
  readonly firstLine: number;
}

/**
 * A source of line batches. Iteration pulls (backpressure: nothing is read ahead of the consumer
 * beyond one chunk); breaking out of `for await` closes the underlying file, process or subscription.
 */
export interface EventSource extends AsyncIterable<LineBatch> {
  /** A short description for logs ("file /var/log/x.json", "nats nats://…/events"). */
  readonly name: string;
}

export interface LineOptions {
  /** Longest accepted line in bytes (default 1 MiB); longer lines become BadLine 'too-long'. */
  readonly maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
