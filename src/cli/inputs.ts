// Wires the input half of the pipeline: a path (or '-', or a capture) → an EventSource → a decoder →
// the state tracker → one callback per enriched event. Commands (events, run, replay) call this;
// it is the composition of ingest, decode and state, so it lives with the CLI.
//
// Ordering contract: each event is applied to the state and handed to the callback before the next
// line is decoded — ev.proc / ev.fd are live state records that later events update, and the event
// object itself is reused for the next line (see the lifetime contract in src/event/types.ts).

import { createDecoder, type DecodeOptions, type Decoder, type EventTypeFilter, type FormatOption } from '../decode/index.js';
import { newSyscallEvent, type SyscallEvent } from '../event/types.js';
import { fileSource, sniffFile, stdinSource } from '../ingest/file.js';
import { followSource } from '../ingest/follow.js';
import { paceByTimestamp } from '../ingest/pacing.js';
import { openScap, type ScapSource } from '../ingest/scap.js';
import type { EventSource, LineItem } from '../ingest/types.js';
import type { StateTracker } from '../state/tracker.js';

export interface InputSpec {
  /** A file path, or '-' for standard input. */
  readonly path: string;
  /** Input format (default 'auto'). Captures (.scap, detected by content) always replay through sysdig. */
  readonly format?: FormatOption;
  /** Follow the file like `tail -F`. */
  readonly follow?: boolean;
  /** For captures: the fields the loaded rules reference (sysdig prints them). */
  readonly fields?: readonly string[];
  readonly keepEnter?: boolean;
  /** The event types the pipeline uses; native records of other types are skipped unparsed. */
  readonly eventTypes?: EventTypeFilter | undefined;
  readonly maxLineBytes?: number;
  readonly signal?: AbortSignal;
  /** Warnings (bad records, rate-limited; dropped capture fields; rotations). */
  readonly log?: (message: string) => void;
}

export interface OpenedInput {
  readonly source: EventSource;
  readonly decoder: Decoder;
  /** Set when the input is a capture replayed through sysdig. */
  readonly scap: ScapSource | undefined;
}

/** Opens an input: picks the source (stdin, follow, capture, file) and its decoder. */
export async function openInput(spec: InputSpec): Promise<OpenedInput> {
  const log = spec.log;
  const decodeOptions: DecodeOptions = {
    keepEnter: spec.keepEnter, log, sourceName: spec.path === '-' ? 'stdin' : spec.path, eventTypes: spec.eventTypes,
  };
  const lineOptions = { maxLineBytes: spec.maxLineBytes };
  if (spec.path === '-') {
    return { source: stdinSource(lineOptions), decoder: createDecoder(spec.format ?? 'auto', decodeOptions), scap: undefined };
  }
  if (spec.follow) {
    const source = followSource(spec.path, { ...lineOptions, signal: spec.signal, onNotice: log });
    return { source, decoder: createDecoder(spec.format ?? 'auto', decodeOptions), scap: undefined };
  }
  const kind = await sniffFile(spec.path);
  if (kind === 'scap' || kind === 'gzip-scap') {
    const scap = await openScap(spec.path, spec.fields ?? [], {
      ...lineOptions, keepEnter: spec.keepEnter, signal: spec.signal, onWarning: log,
    });
    return { source: scap, decoder: createDecoder(scap.format, decodeOptions), scap };
  }
  return { source: fileSource(spec.path, lineOptions), decoder: createDecoder(spec.format ?? 'auto', decodeOptions), scap: undefined };
}

/** Decodes one item of a batch: a line, or a line the splitter rejected (counted as bad). */
function decodeItem(decoder: Decoder, item: LineItem, lineNo: number, into?: SyscallEvent): SyscallEvent | undefined {
  if (typeof item === 'string') return decoder.decode(item, lineNo, into);
  decoder.bad(lineNo, item.bad, item.bad === 'too-long' ? `line of ${item.bytes} bytes exceeds the limit` : 'not valid UTF-8');
  return undefined;
}

/** Decoded (not yet state-enriched) events, one array per source batch. */
export async function* decodedBatches(source: EventSource, decoder: Decoder): AsyncGenerator<SyscallEvent[]> {
  for await (const batch of source) {
    const out: SyscallEvent[] = [];
    const items = batch.items;
    for (let i = 0; i < items.length; i++) {
      const ev = decodeItem(decoder, items[i]!, batch.firstLine + i);
      if (ev !== undefined) out.push(ev);
    }
    if (out.length > 0) yield out;
  }
}

export interface RunOptions {
  /** Release events at the pace of their timestamps (offline replay). */
  readonly realtime?: boolean;
  readonly speed?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs an input to its end: decode → state → onEvent, in order. `onEvent` may return a promise (it
 * is awaited before the next event); returning synchronously keeps the loop at full speed.
 *
 * Each line is decoded, applied and handed over before the next line is decoded (one await per
 * source batch, none per line): an event's garbage dies young, which keeps collection cheap, and
 * decoders that can fill one scratch event in place do so — the event passed to `onEvent` is only
 * valid until it returns (or its promise settles): copy what must outlive it (src/event/types.ts).
 * Only `realtime` pacing decodes a batch ahead (it re-times whole batches), with fresh events.
 */
export async function forEachEvent(
  input: Pick<OpenedInput, 'source' | 'decoder'>,
  tracker: StateTracker,
  onEvent: (ev: SyscallEvent) => void | Promise<void>,
  options: RunOptions = {},
): Promise<void> {
  if (options.realtime) {
    const paced = paceByTimestamp(decodedBatches(input.source, input.decoder), (ev) => ev.ts, { speed: options.speed, signal: options.signal });
    for await (const batch of paced) {
      for (const ev of batch) {
        tracker.apply(ev);
        const r = onEvent(ev);
        if (r !== undefined) await r;
      }
      if (options.signal?.aborted) return;
    }
    return;
  }
  const decoder = input.decoder;
  const scratch = newSyscallEvent('');
  for await (const batch of input.source) {
    const items = batch.items;
    const first = batch.firstLine;
    for (let i = 0; i < items.length; i++) {
      const ev = decodeItem(decoder, items[i]!, first + i, scratch);
      if (ev === undefined) continue;
      tracker.apply(ev);
      const r = onEvent(ev);
      if (r !== undefined) await r;
    }
    if (options.signal?.aborted) return;
  }
}
