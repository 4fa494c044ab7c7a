// The stdout output: lines in text or JSON, backpressure, and a closed pipe (EPIPE) stopping it cleanly.
import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AlertFanout } from '../../src/output/fanout.js';
import { StdoutSink } from '../../src/output/stdout.js';
import { numbered, range } from '../helpers/alerts.js';

describe('output – stdout', () => {
  it('writes one text or JSON line per alert', async () => {
    for (const format of ['text', 'json'] as const) {
      const stream = new PassThrough();
      let out = '';
      stream.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const f = new AlertFanout([{ name: 'stdout', sink: new StdoutSink({ format, stream }), capacity: 100, policy: 'drop' }]);
      await f.open();
      const alerts = range(3).map((i) => numbered(i));
      for (const a of alerts) f.offer(a);
      await f.close();
      expect(out).toBe(alerts.map((a) => `${format === 'json' ? a.json() : a.text()}\n`).join(''));
    }
  });

  it('waits for drain when the reader is slow, so only its own queue fills', async () => {
    let got = '';
    let writes = 0;
    const stream = new Writable({
      highWaterMark: 256,
      write(chunk: Buffer, _enc, cb) {
        writes++;
        got += chunk.toString();
        setTimeout(cb, 2);
      },
    });
    const sink = new StdoutSink({ format: 'text', stream });
    const f = new AlertFanout([{ name: 'stdout', sink, capacity: 10_000, policy: 'drop', batchSize: 4 }]);
    await f.open();
    for (const i of range(200)) f.offer(numbered(i));
    await f.close();
    expect(got.split('\n').filter((l) => l !== '')).toHaveLength(200);
    expect(writes).toBe(50);
    expect(f.stats()[0]).toMatchObject({ sent: 200, failed: 0 });
  });

  it('stops cleanly with reason broken-pipe when the reader exits (`| head`)', async () => {
    const head = spawn('head', ['-n', '3'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let headOut = '';
    head.stdout.on('data', (d: Buffer) => {
      headOut += d.toString();
    });
    const exited = new Promise<number | null>((r) => head.once('exit', (c) => r(c)));
    const f = new AlertFanout([{ name: 'stdout', sink: new StdoutSink({ format: 'text', stream: head.stdin }), capacity: 1000, policy: 'block' }]);
    const stops: string[] = [];
    f.onStop((name, reason) => stops.push(`${name}:${reason}`));
    await f.open();
    let i = 0;
    // Keep producing (as a replay would) until the output reports the broken pipe.
    while (stops.length === 0 && i < 2_000_000) {
      if (!f.offer(numbered(i++))) await f.whenWritable();
      if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await exited).toBe(0);
    expect(stops).toEqual(['stdout:broken-pipe']);
    expect(headOut.split('\n').filter((l) => l !== '')).toHaveLength(3);
    await f.close(2000);
    const s = f.stats()[0]!;
    expect(s.stopped).toBe('broken-pipe');
    expect(f.live).toBe(0);
  });
});
