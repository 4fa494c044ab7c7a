// --follow: appended lines arrive; truncation restarts at the beginning; rename-and-create rotation
// switches to the new file; a file that does not exist yet is waited for.
import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followSource } from '../../src/ingest/follow.js';
import type { LineItem } from '../../src/ingest/types.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Collects lines until `n` have arrived (or fails after a deadline). */
async function until(it: AsyncIterator<{ items: LineItem[] }>, out: LineItem[], n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (out.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${out.length} of ${n} lines arrived`);
    const r = await it.next();
    if (r.done) throw new Error('source ended');
    out.push(...r.value.items);
  }
}

describe('follow source', () => {
  it('follows appends, truncation and rotation, and waits for a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-follow-'));
    const path = join(dir, 'events.log');
    const notices: string[] = [];
    const abort = new AbortController();
    const src = followSource(path, { pollMs: 20, signal: abort.signal, onNotice: (m) => notices.push(m) });
    const it = src[Symbol.asyncIterator]();
    const got: LineItem[] = [];
    const first = until(it, got, 2);
    await sleep(60);
    writeFileSync(path, 'a\nb\n'); // created after the follower started
    await first;
    appendFileSync(path, 'c\npartial');
    await until(it, got, 3);
    appendFileSync(path, '-done\n');
    await until(it, got, 4);
    expect(got).toEqual(['a', 'b', 'c', 'partial-done']);

    truncateSync(path, 0);
    await sleep(60);
    appendFileSync(path, 'after-truncate\n');
    await until(it, got, 5);
    expect(got[4]).toBe('after-truncate');

    renameSync(path, `${path}.1`);
    writeFileSync(path, 'rotated\n');
    await until(it, got, 6);
    expect(got[5]).toBe('rotated');
    expect(notices.some((n) => n.includes('truncated'))).toBe(true);
    expect(notices.some((n) => n.includes('rotation'))).toBe(true);

    abort.abort();
    const end = await it.next();
    expect(end.done).toBe(true);
  });

  it('wakes on the kernel change notification, not the poll interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-follow-'));
    const path = join(dir, 'events.log');
    writeFileSync(path, 'first\n');
    const abort = new AbortController();
    // A poll interval far beyond the test's deadline: only the watch can deliver the appended lines.
    const src = followSource(path, { pollMs: 600_000, signal: abort.signal });
    const it = src[Symbol.asyncIterator]();
    const got: LineItem[] = [];
    await until(it, got, 1);
    for (const line of ['second', 'third']) {
      const pending = until(it, got, got.length + 1);
      await sleep(50); // the follower is now waiting at the end of the file
      appendFileSync(path, `${line}\n`);
      await pending;
    }
    expect(got).toEqual(['first', 'second', 'third']);
    abort.abort();
    expect((await it.next()).done).toBe(true);
  });
});
