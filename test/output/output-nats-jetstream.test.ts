// JetStream publishing against a real nats-server with -js: the stream is created, every message is
// acknowledged, and an outage (server stopped and restarted on the same port) loses nothing and
// duplicates nothing (re-sends carry the same Nats-Msg-Id).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFanout } from '../../src/output/fanout.js';
import { NatsSink, type NatsSinkOptions } from '../../src/output/nats.js';
import { DiskSpool, MemorySpool } from '../../src/output/spool.js';
import { numbered, range } from '../helpers/alerts.js';
import { NatsServer, until } from '../helpers/nats-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(): Promise<NatsServer> {
  const s = await NatsServer.start({ jetstream: true });
  cleanups.push(() => s.dispose());
  return s;
}

/** The seq of every message in the stream, in stream order. */
async function streamSeqs(url: string, stream: string): Promise<number[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const n = (await jsm.streams.info(stream)).state.messages;
    const out: number[] = [];
    for (let i = 1; i <= n; i++) {
      const m = await jsm.streams.getMessage(stream, { seq: i });
      out.push((m!.json() as { output_fields: { seq: number } }).output_fields.seq);
    }
    return out;
  } finally {
    await nc.close();
  }
}

async function streamCount(url: string, stream: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  } catch {
    return -1;
  } finally {
    await nc.close();
  }
}

function output(o: Partial<NatsSinkOptions> & { servers: string[] }): AlertFanout {
  const f = new AlertFanout([{ name: 'nats', sink: new NatsSink({ spool: new MemorySpool(1 << 24), reconnectWaitMs: 50, maxReconnectWaitMs: 300, ...o }), capacity: 10_000, policy: 'block' }]);
  return f;
}

describe('output – NATS JetStream', () => {
  it('creates the stream and publishes every alert with an acknowledgement', async () => {
    const srv = await server();
    const f = output({ servers: [srv.url], jetstream: { stream: 'FALCO', createStream: true } });
    await f.open();
    for (const i of range(2000)) if (!f.offer(numbered(i))) await f.whenWritable();
    await f.close();
    expect(f.stats()[0]).toMatchObject({ sent: 2000, failed: 0, extra: { spool_records: 0, duplicates_total: 0 } });
    const nc = await connect({ servers: srv.url });
    const info = await (await jetstreamManager(nc)).streams.info('FALCO');
    await nc.close();
    expect(info.config.subjects).toEqual(['falco.*.*']);
    expect(info.config.duplicate_window).toBe(120_000_000_000);
    expect(info.state.messages).toBe(2000);
    expect(await streamSeqs(srv.url, 'FALCO')).toEqual(range(2000));
  });

  it('keeps alerts spooled while the stream is missing and delivers them once it exists', async () => {
    const srv = await server();
    const f = output({ servers: [srv.url], jetstream: { stream: 'LATE', createStream: false, ackTimeoutMs: 500 } });
    await f.open();
    for (const i of range(50)) f.offer(numbered(i));
    expect(await until(() => f.stats()[0]!.extra['spool_records'] === 50, 10_000)).toBe(true);
    const nc = await connect({ servers: srv.url });
    await (await jetstreamManager(nc)).streams.add({ name: 'LATE', subjects: ['falco.>'] });
    await nc.close();
    expect(await until(() => f.stats()[0]!.sent === 50, 15_000)).toBe(true);
    for (const i of range(10, 50)) f.offer(numbered(i));
    await f.close();
    expect(await streamSeqs(srv.url, 'LATE')).toEqual(range(60));
  });

  it('survives the server stopping mid-stream: spooled to disk, delivered in order on restart, none lost or doubled', async () => {
    const srv = await server();
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-js-spool-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const f = output({ servers: [srv.url], jetstream: { stream: 'FALCO', createStream: true, ackTimeoutMs: 1000 }, spool: new DiskSpool(dir, { maxBytes: 1 << 26 }) });
    await f.open();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      if (i === 1000) await srv.stop();
      if (i === 2000) await srv.restart();
      if (!f.offer(numbered(i))) await f.whenWritable();
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 2));
    }
    expect(await until(() => f.stats()[0]!.sent >= N, 20_000)).toBe(true);
    await f.close();
    const s = f.stats()[0]!;
    expect(s.extra['spooled_total']).toBeGreaterThan(0); // the outage was spooled
    expect(s).toMatchObject({ failed: 0, extra: { spool_records: 0, spool_dropped_total: 0 } });
    expect(await streamCount(srv.url, 'FALCO')).toBe(N);
    expect(await streamSeqs(srv.url, 'FALCO')).toEqual(range(N));
  });
});
