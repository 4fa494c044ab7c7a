// Isolation: a dead output never slows detection or the other outputs. NATS stopped mid-stream (and
// restarted on the same port) and a file output on a FIFO nobody reads: stdout and the rest keep
// receiving every alert promptly, and NATS gets its spooled alerts in order, none lost.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOutputsConfig } from '../../src/output/config.js';
import { createOutputs } from '../../src/output/create.js';
import type { AlertFanout } from '../../src/output/fanout.js';
import { numbered, range } from '../helpers/alerts.js';
import { GateProxy, NatsServer, until } from '../helpers/nats-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'peregrine-iso-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** stdout captured as the seq numbers of its JSON lines. */
interface Wire {
  source: string;
  rule: string;
  output_fields: { seq?: number; output?: string; dropped?: number };
}

/** stdout captured: rule alerts as their seq numbers, internal alerts apart. */
function capture(): { stream: PassThrough; seqs: number[]; internal: Wire[] } {
  const stream = new PassThrough();
  const seqs: number[] = [];
  const internal: Wire[] = [];
  let rest = '';
  stream.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      const w = JSON.parse(l) as Wire;
      if (w.source === 'internal') internal.push(w);
      else seqs.push(w.output_fields.seq as number);
    }
  });
  return { stream, seqs, internal };
}

async function subscriber(url: string): Promise<{ nc: NatsConnection; seqs: number[]; internal: Wire[] }> {
  const nc = await connect({ servers: url, reconnectTimeWait: 20, maxReconnectAttempts: -1 });
  cleanups.push(() => nc.close());
  const seqs: number[] = [];
  const internal: Wire[] = [];
  nc.subscribe('falco.>', {
    callback: (_e, m) => {
      const w = m.json<Wire>();
      if (w.source === 'internal') internal.push(w);
      else seqs.push(w.output_fields.seq as number);
    },
  });
  await nc.flush();
  return { nc, seqs, internal };
}


const lastIs = (seqs: number[], i: number): boolean => seqs.length > 0 && seqs[seqs.length - 1] === i;

describe('output – isolation', () => {
  it('NATS stopped mid-stream: stdout and file stay prompt; on restart the spool arrives in order, nothing lost', async () => {
    const srv = await NatsServer.start();
    cleanups.push(() => srv.dispose());
    const gate = await GateProxy.start(srv.port); // decides when the output may reconnect
    cleanups.push(() => gate.close());
    const sub = await subscriber(srv.url);
    const dir = tmp();
    const std = capture();
    const out = createOutputs(parseOutputsConfig({
      format: 'json',
      file: { path: join(dir, 'events.json'), flush_interval: '10ms' },
      nats: { servers: [gate.url], reconnect_wait: '50ms', max_reconnect_wait: '200ms', spool: { dir: join(dir, 'spool') } },
    }), { format: { hostname: 'test-host', timeFormatIso8601: true }, stdout: std.stream });
    await out.open();
    // The file is read while the output writes it: only complete (newline-terminated) lines count.
    const completeLines = (text: string): string[] => text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '');
    const fileSeqs = (): number[] => completeLines(readFileSync(join(dir, 'events.json'), 'utf8'))
      .map((l) => (JSON.parse(l) as { output_fields: { seq: number } }).output_fields.seq);

    let last = -1;
    const prompt = (): boolean => lastIs(std.seqs, last) && lastIs(fileSeqs(), last);
    const offer = async (from: number, to: number): Promise<number> => {
      let worst = 0;
      for (let i = from; i < to; i++) {
        out.offer(numbered(i));
        last = i;
        if (i % 50 === 49) {
          const t0 = Date.now();
          expect(await until(prompt, 3000, 2)).toBe(true);
          worst = Math.max(worst, Date.now() - t0);
        }
      }
      return worst;
    };

    await offer(0, 1000);
    expect(await until(() => sub.seqs.length === 1000)).toBe(true);
    await srv.stop(); // the NATS server goes away mid-stream
    gate.shut();
    const worstDuringOutage = await offer(1000, 2000);
    expect(await until(() => (out.stats()[2]!.extra['spool_records'] ?? 0) > 0, 5000)).toBe(true);
    await srv.restart(); // same port, fresh server
    expect(await until(async () => {
      try {
        await sub.nc.flush(); // the subscriber is back and its subscription re-registered
        return true;
      } catch {
        return false;
      }
    }, 10_000)).toBe(true);
    gate.open();
    await offer(2000, 3000);
    expect(await until(() => new Set(sub.seqs).size === 3000, 15_000)).toBe(true);
    await out.close();

    expect(std.seqs).toEqual(range(3000));
    expect(fileSeqs()).toEqual(range(3000));
    // In order with nothing lost; a batch in flight when the server died may arrive twice (at-least-once).
    const firsts = sub.seqs.filter((s, i) => sub.seqs.indexOf(s) === i);
    expect(firsts).toEqual(range(3000));
    expect(sub.seqs.length - 3000).toBeLessThanOrEqual(512);
    const nats = out.stats()[2]!;
    expect(nats).toMatchObject({ name: 'nats', dropped: 0, failed: 0, extra: { spool_records: 0, spool_dropped_total: 0 } });
    expect(nats.extra['spooled_total']).toBeGreaterThanOrEqual(1000);
    expect(worstDuringOutage).toBeLessThan(1000);
  });

  it('a file output on a FIFO nobody reads: stdout and NATS still get every alert promptly', async () => {
    const srv = await NatsServer.start();
    cleanups.push(() => srv.dispose());
    const sub = await subscriber(srv.url);
    const dir = tmp();
    const fifo = join(dir, 'alerts.fifo');
    execFileSync('mkfifo', [fifo]);
    const std = capture();
    const out = createOutputs(parseOutputsConfig({
      format: 'json',
      queue_capacity: 100,
      file: { path: fifo, buffer_size: 0 },
      nats: { servers: [srv.url] },
    }), { format: { hostname: 'test-host', timeFormatIso8601: true }, stdout: std.stream });
    await out.open(); // must not hang on the FIFO's open()
    let last = -1;
    let worst = 0;
    for (let i = 0; i < 3000; i++) {
      out.offer(numbered(i));
      last = i;
      if (i % 50 === 49) {
        const t0 = Date.now();
        expect(await until(() => lastIs(std.seqs, last) && lastIs(sub.seqs, last), 3000, 2)).toBe(true);
        worst = Math.max(worst, Date.now() - t0);
      }
    }
    expect(worst).toBeLessThan(1000);
    const file = out.stats()[1]!;
    expect(file.name).toBe('file');
    expect(file.sent).toBe(0);
    expect(file.dropped).toBeGreaterThan(2000); // its own queue overflowed, counted
    expect(file.dropped + file.queued).toBe(3000);

    // Someone finally reads the FIFO: the file output drains what it still holds, and closes.
    let readBack = '';
    const reader = createReadStream(fifo);
    reader.on('data', (d) => {
      readBack += d.toString();
    });
    await out.close(5000);
    await until(() => reader.closed, 5000);
    expect(std.seqs).toEqual(range(3000));
    expect(sub.seqs).toEqual(range(3000));
    // The file output's drops were announced on the outputs that work, and add up.
    for (const seen of [std.internal, sub.internal]) {
      const notices = seen.filter((w) => w.rule === 'Peregrine internal: output queue drops' && w.output_fields.output === 'file');
      expect(notices.length).toBeGreaterThan(0);
      expect(notices.reduce((n, w) => n + (w.output_fields.dropped ?? 0), 0)).toBe(out.stats()[1]!.dropped);
    }
    const drained = readBack.split('\n').filter((l) => l !== '').length;
    expect(drained).toBe(out.stats()[1]!.sent);
    expect(drained).toBe(3000 - out.stats()[1]!.dropped);
  });
});
