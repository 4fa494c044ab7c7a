// The fan-out: one bounded queue per output, drop/block policies, isolation, close/drain, stops.
import { describe, expect, it } from 'vitest';
import { AlertFanout } from '../../src/output/fanout.js';
import type { Logger } from '../../src/output/types.js';
import { MemorySink } from '../helpers/sinks.js';
import { numbered, range, seqs } from '../helpers/alerts.js';
import { until } from '../helpers/nats-server.js';

function recordingLogger(): Logger & { lines: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('output – fan-out queues', () => {
  it('drop policy drops the newest alerts and counts them exactly', async () => {
    const slow = new MemorySink();
    const other = new MemorySink();
    const logger = recordingLogger();
    const f = new AlertFanout([
      { name: 'slow', sink: slow, capacity: 10, policy: 'drop' },
      { name: 'other', sink: other, capacity: 1000, policy: 'drop' },
    ], { logger });
    await f.open();
    slow.stall();
    for (const i of range(100)) expect(f.offer(numbered(i))).toBe(true);
    // Nothing was pumped yet (the pump runs after the producer yields): exactly 90 dropped.
    expect(f.stats()[0]).toMatchObject({ received: 100, dropped: 90, queued: 10 });
    slow.release();
    await f.close();
    expect(seqs(slow.received)).toEqual(range(10));
    expect(seqs(other.received)).toEqual(range(100));
    const [s, o] = f.stats();
    expect(s).toMatchObject({ received: 100, dropped: 90, sent: 10, queued: 0 });
    expect(o).toMatchObject({ received: 100 + 2, dropped: 0, sent: 100 + 2, queued: 0 }); // + 2 drop notices
    // Reported, never silent: a log line and an internal alert per report, adding up to 90.
    const warned = logger.lines.filter((l) => l.level === 'warn' && l.obj['output'] === 'slow');
    expect(warned.reduce((n, l) => n + (l.obj['dropped'] as number), 0)).toBe(90);
    const notices = other.received.filter((a) => a.source === 'internal');
    expect(notices.map((a) => a.rule)).toEqual(['Peregrine internal: output queue drops', 'Peregrine internal: output queue drops']);
    expect(notices.reduce((n, a) => n + (a.templateFields['dropped'] as number), 0)).toBe(90);
  });

  it('block policy makes the producer wait and loses nothing', async () => {
    const sink = new MemorySink();
    const slowWrite = sink.write.bind(sink);
    let maxQueued = 0;
    const f = new AlertFanout([{ name: 'replay', sink, capacity: 8, policy: 'block', batchSize: 3 }]);
    sink.write = async (b) => {
      maxQueued = Math.max(maxQueued, f.stats()[0]!.queued);
      await new Promise((r) => setTimeout(r, 1));
      await slowWrite(b);
    };
    await f.open();
    let waits = 0;
    for (const i of range(2000)) {
      if (!f.offer(numbered(i))) {
        waits++;
        await f.whenWritable();
      }
    }
    await f.close();
    expect(waits).toBeGreaterThan(100);
    expect(maxQueued).toBeLessThanOrEqual(8 + 3 + 1);
    expect(seqs(sink.received)).toEqual(range(2000));
    expect(f.stats()[0]).toMatchObject({ received: 2000, dropped: 0, sent: 2000 });
  });

  it('a stalled output does not slow the others', async () => {
    const dead = new MemorySink();
    const live = new MemorySink();
    const f = new AlertFanout([
      { name: 'dead', sink: dead, capacity: 50, policy: 'drop', batchSize: 20 },
      { name: 'live', sink: live, capacity: 50, policy: 'drop' },
    ]);
    await f.open();
    dead.stall();
    for (let i = 0; i < 5000; i++) {
      f.offer(numbered(i));
      if (i % 25 === 24) await new Promise((r) => setImmediate(r)); // a live producer yields now and then
    }
    expect(await until(() => live.received.length >= 5000 + 1, 5000)).toBe(true);
    expect(seqs(live.received)).toEqual(range(5000));
    const d = f.stats()[0]!;
    expect(d.sent).toBe(0);
    expect(d.dropped + d.queued).toBe(5000);
    dead.release();
    await f.close(2000);
  });

  it('close delivers every queued alert to every output', async () => {
    const sinks = [new MemorySink(), new MemorySink(), new MemorySink()];
    sinks.forEach((s, k) => {
      const w = s.write.bind(s);
      s.write = async (b) => {
        await new Promise((r) => setTimeout(r, k));
        await w(b);
      };
    });
    const f = new AlertFanout(sinks.map((sink, k) => ({ name: `o${k}`, sink, capacity: 100_000, policy: 'drop' as const, batchSize: 64 })));
    await f.open();
    for (const i of range(3000)) f.offer(numbered(i));
    await f.close();
    for (const s of sinks) {
      expect(seqs(s.received)).toEqual(range(3000));
      expect(s.closed).toBe(true);
    }
  });

  it('close gives up on an output that never drains, counts what it discards, and says so', async () => {
    const stuck = new MemorySink();
    const logger = recordingLogger();
    const f = new AlertFanout([{ name: 'stuck', sink: stuck, capacity: 100, policy: 'drop', batchSize: 10 }], { logger });
    await f.open();
    stuck.stall();
    for (const i of range(50)) f.offer(numbered(i));
    await new Promise((r) => setImmediate(r));
    const t0 = Date.now();
    await f.close(200);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(f.stats()[0]).toMatchObject({ dropped: 40 });
    expect(logger.lines.some((l) => l.level === 'error' && l.obj['discarded'] === 40)).toBe(true);
    stuck.release();
  });

  it('a stopped output discards its alerts, tells the listener, and never blocks the producer', async () => {
    const pipe = new MemorySink();
    const other = new MemorySink();
    const f = new AlertFanout([
      { name: 'stdout', sink: pipe, capacity: 4, policy: 'block' },
      { name: 'other', sink: other, capacity: 10_000, policy: 'drop' },
    ]);
    const stops: string[] = [];
    f.onStop((name, reason) => stops.push(`${name}:${reason}`));
    await f.open();
    pipe.stall();
    for (const i of range(4)) f.offer(numbered(i));
    expect(f.offer(numbered(4))).toBe(false);
    const waiting = f.whenWritable();
    pipe.hooks!.stopped('broken-pipe', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await waiting;
    expect(stops).toEqual(['stdout:broken-pipe']);
    expect(f.live).toBe(1);
    for (const i of range(10, 5)) expect(f.offer(numbered(i))).toBe(true);
    pipe.release();
    await f.close();
    expect(f.stats()[0]).toMatchObject({ stopped: 'broken-pipe', discarded: 15 });
    expect(seqs(other.received)).toEqual(range(15));
  });

  it('rejects duplicate output names', () => {
    expect(() => new AlertFanout([
      { name: 'x', sink: new MemorySink(), capacity: 1, policy: 'drop' },
      { name: 'x', sink: new MemorySink(), capacity: 1, policy: 'drop' },
    ])).toThrow(/duplicate output name 'x'/);
  });

  it('names the output whose open() fails and closes the others', async () => {
    const good = new MemorySink();
    const bad = new MemorySink();
    bad.open = () => Promise.reject(new Error('EACCES: permission denied'));
    const f = new AlertFanout([
      { name: 'good', sink: good, capacity: 1, policy: 'drop' },
      { name: 'audit-file', sink: bad, capacity: 1, policy: 'drop' },
    ]);
    await expect(f.open()).rejects.toThrow("output 'audit-file': EACCES: permission denied");
    expect(good.closed).toBe(true);
  });
});
