// stdout, file and NATS enabled together from one configuration receive the same alerts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOutputsConfig } from '../../src/output/config.js';
import { createOutputs } from '../../src/output/create.js';
import { numbered, range } from '../helpers/alerts.js';
import { NatsServer, until } from '../helpers/nats-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('output – stdout, file and NATS at once', () => {
  it('deliver the same alerts to every output, in order, with equal counts', async () => {
    const srv = await NatsServer.start();
    cleanups.push(() => srv.dispose());
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-all-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sub = await connect({ servers: srv.url });
    cleanups.push(() => sub.close());
    const fromNats: string[] = [];
    sub.subscribe('falco.>', { callback: (_e, m) => void fromNats.push(m.string()) });
    await sub.flush();

    const stdout = new PassThrough();
    let fromStdout = '';
    stdout.on('data', (d: Buffer) => {
      fromStdout += d.toString();
    });
    const config = parseOutputsConfig({
      format: 'json',
      stdout: { enabled: true },
      file: { path: join(dir, 'events.json'), flush_interval: '50ms' },
      nats: { servers: [srv.url] },
    });
    const outputs = createOutputs(config, { format: { hostname: 'test-host', timeFormatIso8601: true }, stdout });
    await outputs.open();
    const N = 5000;
    const alerts = range(N).map((i) => numbered(i));
    for (const a of alerts) outputs.offer(a);
    expect(await until(() => fromNats.length === N, 15_000)).toBe(true);
    await outputs.close();

    const expected = alerts.map((a) => a.json());
    expect(fromStdout.split('\n').filter((l) => l !== '')).toEqual(expected);
    expect(readFileSync(join(dir, 'events.json'), 'utf8').split('\n').filter((l) => l !== '')).toEqual(expected);
    expect(fromNats).toEqual(expected);
    const stats = outputs.stats();
    expect(stats.map((s) => s.name)).toEqual(['stdout', 'file', 'nats']);
    for (const s of stats) expect(s).toMatchObject({ received: N, sent: N, dropped: 0, failed: 0, queued: 0 });
  });
});
