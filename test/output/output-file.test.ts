// The file output: append mode, one descriptor kept open, buffering with a flush interval, reopen
// for log rotation, fsync, and clear errors for unusable paths.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFanout } from '../../src/output/fanout.js';
import { FileSink } from '../../src/output/file.js';
import { numbered, range } from '../helpers/alerts.js';
import { until } from '../helpers/nats-server.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'peregrine-file-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const lines = (p: string): string[] => readFileSync(p, 'utf8').split('\n').filter((l) => l !== '');

describe('output – file', () => {
  it('appends JSON lines after existing content', async () => {
    const path = join(tmp(), 'events.json');
    writeFileSync(path, 'previous\n');
    const f = new AlertFanout([{ name: 'file', sink: new FileSink({ path, format: 'json' }), capacity: 100, policy: 'drop' }]);
    await f.open();
    const alerts = range(5).map((i) => numbered(i));
    for (const a of alerts) f.offer(a);
    await f.close();
    expect(lines(path)).toEqual(['previous', ...alerts.map((a) => a.json())]);
    expect(f.stats()[0]).toMatchObject({ sent: 5, failed: 0 });
  });

  it('buffers and writes within the flush interval', async () => {
    const path = join(tmp(), 'events.txt');
    const sink = new FileSink({ path, format: 'text', bufferBytes: 1 << 20, flushIntervalMs: 50 });
    const f = new AlertFanout([{ name: 'file', sink, capacity: 100, policy: 'drop' }]);
    await f.open();
    f.offer(numbered(1));
    await new Promise((r) => setTimeout(r, 5));
    expect(readFileSync(path, 'utf8')).toBe(''); // buffered
    expect(await until(() => readFileSync(path, 'utf8') !== '', 2000)).toBe(true);
    expect(lines(path)).toEqual([numbered(1).text()]);
    await f.close();
  });

  it('keeps one descriptor open and reopens the path on demand (log rotation)', async () => {
    const dir = tmp();
    const path = join(dir, 'events.txt');
    const f = new AlertFanout([{ name: 'file', sink: new FileSink({ path, format: 'text', fsync: true }), capacity: 100, policy: 'drop' }]);
    await f.open();
    f.offer(numbered(1));
    await f.flush();
    renameSync(path, join(dir, 'events.txt.1')); // logrotate moves the file away…
    f.offer(numbered(2));
    await f.flush();
    await f.reopen(); // …then signals us (SIGUSR1)
    f.offer(numbered(3));
    await f.close();
    expect(lines(join(dir, 'events.txt.1'))).toEqual([numbered(1).text(), numbered(2).text()]);
    expect(lines(path)).toEqual([numbered(3).text()]);
    expect(f.stats()[0]).toMatchObject({ sent: 3, extra: { reopens_total: 1 } });
  });

  it('fails at open with the path when the file cannot be created', async () => {
    const path = join(tmp(), 'missing-dir', 'events.txt');
    const f = new AlertFanout([{ name: 'audit', sink: new FileSink({ path, format: 'text' }), capacity: 1, policy: 'drop' }]);
    await expect(f.open()).rejects.toThrow(/output 'audit': ENOENT.*missing-dir/);
  });
});
