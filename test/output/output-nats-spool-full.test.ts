// NATS unavailable longer than its spool can hold: with the drop policy the overflow is counted and
// announced on the other outputs; with the block policy the producer waits and nothing is lost.
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFanout } from '../../src/output/fanout.js';
import { NatsSink } from '../../src/output/nats.js';
import { MemorySpool } from '../../src/output/spool.js';
import { numbered, range, seqs } from '../helpers/alerts.js';
import { GateProxy, NatsServer, until } from '../helpers/nats-server.js';
import { MemorySink } from '../helpers/sinks.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(policy: 'drop' | 'block'): Promise<{ out: AlertFanout; other: MemorySink; gate: GateProxy; got: number[] }> {
  const srv = await NatsServer.start();
  cleanups.push(() => srv.dispose());
  const gate = await GateProxy.start(srv.port);
  cleanups.push(() => gate.close());
  gate.shut();
  const nc = await connect({ servers: srv.url });
  cleanups.push(() => nc.close());
  const got: number[] = [];
  nc.subscribe('falco.>', { callback: (_e, m) => void got.push((m.json() as { output_fields: { seq: number } }).output_fields.seq) });
  await nc.flush();
  const one = Buffer.byteLength(numbered(0).json()) + 30;
  const sink = new NatsSink({ servers: [gate.url], spool: new MemorySpool(one * 100), blockWhenSpoolFull: policy === 'block', reconnectWaitMs: 50, maxReconnectWaitMs: 100 });
  const other = new MemorySink();
  const out = new AlertFanout([
    { name: 'bus', sink, capacity: 50, policy },
    { name: 'log', sink: other, capacity: 10_000, policy: 'drop' },
  ], { format: { hostname: 'h', timeFormatIso8601: true } });
  await out.open();
  return { out, other, gate, got };
}

describe('output – NATS spool full', () => {
  it('drop policy: counts the overflow and announces it on the other outputs', async () => {
    const { out, other, gate, got } = await setup('drop');
    for (const i of range(300)) {
      out.offer(numbered(i));
      if (i % 25 === 24) await new Promise((r) => setTimeout(r, 1));
    }
    expect(await until(() => (out.stats()[0]!.extra['spool_dropped_total'] ?? 0) > 0, 5000)).toBe(true);
    const notice = other.received.find((a) => a.rule === 'Peregrine internal: output spool full');
    expect(notice?.priority).toBe(2);
    expect(notice?.templateFields).toMatchObject({ output: 'bus' });
    gate.open();
    expect(await until(() => out.stats()[0]!.extra['spool_records'] === 0, 10_000)).toBe(true);
    await out.close();
    const s = out.stats()[0]!;
    // Every alert is accounted for: delivered, or counted as lost (spool overflow or queue full).
    expect(s.sent + s.failed + s.dropped).toBe(300);
    expect(s.failed).toBe(s.extra['spool_dropped_total']);
    expect(got).toHaveLength(s.sent);
    expect(got).toEqual([...got].sort((a, b) => a - b)); // in order
    expect(seqs(other.received)).toEqual(range(300));
  });

  it('block policy: the producer waits for the server and nothing is lost', async () => {
    const { out, gate, got } = await setup('block');
    let waited = 0;
    const producer = (async () => {
      for (const i of range(400)) {
        if (!out.offer(numbered(i))) {
          waited++;
          await out.whenWritable();
        }
      }
    })();
    expect(await until(() => waited > 0, 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(out.stats()[0]!.extra['spool_records']).toBeLessThanOrEqual(100);
    gate.open();
    await producer;
    await out.close();
    expect(got).toEqual(range(400));
    expect(out.stats()[0]).toMatchObject({ sent: 400, failed: 0, dropped: 0 });
  });
});
