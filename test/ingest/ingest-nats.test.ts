// The NATS source against a real nats-server: lines across messages, a queue group splitting a
// stream between two consumers, bad lines reported, close ending the iteration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { openNatsSource, type NatsEventSource } from '../../src/ingest/nats.js';
import type { LineItem } from '../../src/ingest/types.js';
import { HAS_NATS_SERVER, NATS_SERVER, startNats, type RunningNats } from '../helpers/nats-server.js';

if (!HAS_NATS_SERVER) console.warn(`\n*** ${NATS_SERVER} not found: the NATS source tests are SKIPPED ***\n`);
const describeNats = HAS_NATS_SERVER ? describe : describe.skip;

async function collect(src: NatsEventSource, n: number): Promise<LineItem[]> {
  const out: LineItem[] = [];
  for await (const b of src) {
    out.push(...b.items);
    if (out.length >= n) break;
  }
  return out;
}

describeNats('NATS source (real nats-server)', () => {
  let server: RunningNats;
  let pub: NatsConnection;
  beforeAll(async () => {
    server = await startNats();
    pub = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await pub?.close();
    await server?.stop();
  });

  it('turns messages into lines (a message end ends a line; several lines per message)', async () => {
    const src = await openNatsSource({ servers: server.url, subject: 'events.node-a' });
    const want: string[] = [];
    for (let i = 0; i < 500; i++) {
      if (i % 10 === 0) {
        pub.publish('events.node-a', `{"i":${i}}\n{"i":${i}.5}\n`);
        want.push(`{"i":${i}}`, `{"i":${i}.5}`);
      } else {
        pub.publish('events.node-a', `{"i":${i}}`);
        want.push(`{"i":${i}}`);
      }
    }
    pub.publish('events.node-a', new Uint8Array([0x7b, 0xff, 0x7d]));
    const got = await collect(src, want.length + 1);
    expect(got.slice(0, want.length)).toEqual(want);
    expect(got[want.length]).toEqual({ bad: 'invalid-utf8', bytes: 3 });
    await src.close();
  });

  it('splits a stream between two workers of one queue group, each message to exactly one', async () => {
    const a = await openNatsSource({ servers: server.url, subject: 'events.>', queue: 'peregrine' });
    const b = await openNatsSource({ servers: server.url, subject: 'events.>', queue: 'peregrine' });
    const got: string[][] = [[], []];
    const total = 2000;
    const drain = async (src: NatsEventSource, into: string[]): Promise<void> => {
      for await (const batch of src) for (const it of batch.items) if (typeof it === 'string') into.push(it);
    };
    const runs = [drain(a, got[0]!), drain(b, got[1]!)];
    for (let i = 0; i < total; i++) pub.publish(`events.node-${i % 7}`, `{"seq":${i}}`);
    await pub.flush();
    const deadline = Date.now() + 10_000;
    while (got[0]!.length + got[1]!.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await a.close();
    await b.close();
    await Promise.all(runs);
    expect(got[0]!.length + got[1]!.length).toBe(total);
    expect(got[0]!.length).toBeGreaterThan(0);
    expect(got[1]!.length).toBeGreaterThan(0);
    const seqs = new Set([...got[0]!, ...got[1]!]);
    expect(seqs.size).toBe(total);
  });

  it('fails clearly when no server listens', async () => {
    await expect(openNatsSource({ servers: 'nats://127.0.0.1:1', subject: 'x' })).rejects.toThrow(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/);
  });
});
