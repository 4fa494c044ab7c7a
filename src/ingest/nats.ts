// A NATS subject as a source. Each message holds one or more lines (a message end also ends its last
// line). Workers that share a queue group split the subject's messages between them, so several
// Peregrine processes can consume one stream (partition subjects per node to keep each node's
// process state on one worker). Messages already delivered are batched up to `batchLines` lines per
// yield. Core NATS has no flow control: a consumer that falls behind is reported by the server as a
// slow consumer; use a JetStream consumer where every event must be kept.

import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { SourceError } from './errors.js';
import { LineSplitter } from './lines.js';
import type { EventSource, LineBatch, LineItem, LineOptions } from './types.js';

export interface NatsSourceOptions extends LineOptions {
  /** Server URL(s), e.g. "nats://127.0.0.1:4222". */
  readonly servers: string | readonly string[];
  readonly subject: string;
  /** Queue group: subscribers in the same group share the messages. */
  readonly queue?: string;
  /** Connection name shown by the server. */
  readonly name?: string;
  /** Most lines per yielded batch (default 1024). */
  readonly batchLines?: number;
  readonly signal?: AbortSignal;
}

export interface NatsEventSource extends EventSource {
  /** Unsubscribes and closes the connection (iteration then ends). Idempotent. */
  close(): Promise<void>;
  /** Messages received so far. */
  received(): number;
}

/** Connects and subscribes; resolves once the server has registered the subscription. */
export async function openNatsSource(options: NatsSourceOptions): Promise<NatsEventSource> {
  const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  let nc: NatsConnection;
  try {
    nc = await connect({ servers, name: options.name ?? 'peregrine', maxReconnectAttempts: -1 });
  } catch (err) {
    throw new SourceError('SOURCE_NATS', `cannot connect to NATS at ${servers.join(', ')}: ${(err as Error).message}`, { cause: err });
  }
  const sub: Subscription = nc.subscribe(options.subject, options.queue ? { queue: options.queue } : {});
  await nc.flush();
  const batchLines = options.batchLines ?? 1024;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    sub.unsubscribe();
    await nc.close();
  };
  const onAbort = (): void => void close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let iterated = false;

  async function* run(): AsyncGenerator<LineBatch> {
    if (iterated) throw new SourceError('SOURCE_NATS', 'a NATS source can be iterated only once');
    iterated = true;
    const splitter = new LineSplitter(options.maxLineBytes);
    let items: LineItem[] = [];
    let firstLine = 1;
    try {
      for await (const msg of sub) {
        const data = msg.data;
        const batch = splitter.flushRecord(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        if (batch !== undefined) {
          if (items.length === 0) firstLine = batch.firstLine;
          for (const it of batch.items) items.push(it);
        }
        if (items.length > 0 && (items.length >= batchLines || sub.getPending() <= 1)) {
          const out: LineBatch = { items, firstLine };
          items = [];
          yield out;
        }
      }
      if (items.length > 0) yield { items, firstLine };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      await close();
    }
  }

  return {
    name: `nats ${servers.join(',')} ${options.subject}${options.queue ? ` (queue ${options.queue})` : ''}`,
    [Symbol.asyncIterator]: () => run(),
    close,
    received: () => sub.getReceived(),
  };
}
