// k8s audit log reader – JSON lines as kube-apiserver's log backend writes them: read once (the real
// samples), odd line endings and partial/oversized lines, and follow mode across appends, split writes,
// truncation and rotation, stopping on abort or when the consumer breaks.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { K8sAuditEvent } from '../../src/event/types.js';
import { readAuditLog } from '../../src/ingest/k8s-audit-log.js';
import { DATA, describeShared } from '../helpers/shared.js';

const line = (id: string, extra: Record<string, unknown> = {}): string => `${JSON.stringify({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stage: 'ResponseComplete', verb: 'get',
  stageTimestamp: '2024-05-01T10:00:00.5Z', ...extra,
})}\n`;

let dir = '';
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'peregrine-k8s-log-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

async function all(src: AsyncIterable<K8sAuditEvent>): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of src) out.push(String(ev.doc['auditID']));
  return out;
}

/** Pulls events until `n` arrived, failing after a deadline. */
async function take(it: AsyncIterator<K8sAuditEvent>, n: number, ms = 5000): Promise<string[]> {
  const out: string[] = [];
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${out.length}/${n} events`)), ms).unref());
  while (out.length < n) {
    const r = await Promise.race([it.next(), deadline]);
    if (r.done) throw new Error('stream ended early');
    out.push(String(r.value.doc['auditID']));
  }
  return out;
}

describeShared('reading the real audit samples as one log', () => {
  it('yields every event of the 47 sample files and counts the invalid line', async () => {
    const src = join(DATA, 'falco-test-trace_files', 'k8s_audit');
    const text = readdirSync(src).sort().map((f) => readFileSync(join(src, f), 'utf8').trimEnd()).join('\n');
    const path = join(dir, 'audit.log');
    writeFileSync(path, `${text}\n`);
    const log = readAuditLog(path);
    const ids = await all(log);
    expect(ids).toHaveLength(51);
    expect(log.stats()).toMatchObject({ lines: 52, badLines: 1, longLines: 0 });
    expect(log.stats().decode).toMatchObject({ events: 51, unrecognized: 1, malformedJson: 0 });
  });
});

describe('readAuditLog', () => {
  it('handles CRLF, blank lines, EventList lines, junk lines and a last line without newline', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, [
      line('a').replace('\n', '\r\n'),
      '\n   \n',
      `${JSON.stringify({ kind: 'EventList', items: [JSON.parse(line('b')), JSON.parse(line('c'))] })}\n`,
      'this is not json\n',
      line('d').trimEnd(),
    ].join(''));
    const log = readAuditLog(path);
    expect(await all(log)).toEqual(['a', 'b', 'c', 'd']);
    expect(log.stats()).toMatchObject({ lines: 4, badLines: 1 });
    expect(log.stats().decode.malformedJson).toBe(1);
  });

  it('reads lines longer than its read chunk, and skips (and counts) lines over maxLineBytes', async () => {
    const path = join(dir, 'audit.log');
    const long = line('long', { requestObject: { data: { blob: 'x'.repeat(200_000) } } });
    const huge = line('huge', { requestObject: { data: { blob: 'y'.repeat(600_000) } } });
    writeFileSync(path, line('a') + long + huge + line('b') + huge.trimEnd());
    const log = readAuditLog(path, { maxLineBytes: 500_000 });
    expect(await all(log)).toEqual(['a', 'long', 'b']);
    expect(log.stats().longLines).toBe(2);
  });

  it('rejects when the file does not exist', async () => {
    await expect(all(readAuditLog(join(dir, 'missing.log')))).rejects.toThrow(/ENOENT/);
  });

  it('follows appends, waits for a line\'s newline, and stops on abort', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, line('a'));
    const ac = new AbortController();
    const log = readAuditLog(path, { follow: true, pollIntervalMs: 10, signal: ac.signal });
    const it = log[Symbol.asyncIterator]();
    expect(await take(it, 1)).toEqual(['a']);
    appendFileSync(path, line('b') + line('c'));
    expect(await take(it, 2)).toEqual(['b', 'c']);
    const d = line('d');
    appendFileSync(path, d.slice(0, 20));
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(path, d.slice(20));
    expect(await take(it, 1)).toEqual(['d']);
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });

  it('starts at the end of the file with fromEnd', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, line('old1') + line('old2'));
    const ac = new AbortController();
    const it = readAuditLog(path, { follow: true, fromEnd: true, pollIntervalMs: 10, signal: ac.signal })[Symbol.asyncIterator]();
    const first = take(it, 1);
    await new Promise((r) => setTimeout(r, 40));
    appendFileSync(path, line('new'));
    expect(await first).toEqual(['new']);
    ac.abort();
  });

  it('re-reads a truncated file from its start (copytruncate rotation)', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, line('a') + line('b'));
    const ac = new AbortController();
    const log = readAuditLog(path, { follow: true, pollIntervalMs: 10, signal: ac.signal });
    const it = log[Symbol.asyncIterator]();
    expect(await take(it, 2)).toEqual(['a', 'b']);
    truncateSync(path, 0);
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(path, line('c'));
    expect(await take(it, 1)).toEqual(['c']);
    expect(log.stats().truncations).toBe(1);
    ac.abort();
  });

  it('finishes a rotated file and continues with the new one (rename + create rotation)', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, line('a'));
    const ac = new AbortController();
    const log = readAuditLog(path, { follow: true, pollIntervalMs: 10, signal: ac.signal });
    const it = log[Symbol.asyncIterator]();
    expect(await take(it, 1)).toEqual(['a']);
    // The writer appends a last line to the old file, the rotator renames it, and a new file appears.
    appendFileSync(path, line('b'));
    renameSync(path, `${path}.1`);
    writeFileSync(path, line('c'));
    expect(await take(it, 2)).toEqual(['b', 'c']);
    appendFileSync(path, line('d'));
    expect(await take(it, 1)).toEqual(['d']);
    expect(log.stats().rotations).toBe(1);
    ac.abort();
  });

  it('keeps following while the file is briefly missing during rotation', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, line('a'));
    const ac = new AbortController();
    const it = readAuditLog(path, { follow: true, pollIntervalMs: 10, signal: ac.signal })[Symbol.asyncIterator]();
    expect(await take(it, 1)).toEqual(['a']);
    renameSync(path, `${path}.1`);
    await new Promise((r) => setTimeout(r, 60));
    writeFileSync(path, line('b'));
    expect(await take(it, 1)).toEqual(['b']);
    ac.abort();
  });

  it('breaking out of the loop ends following', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, line('a') + line('b'));
    const seen: string[] = [];
    for await (const ev of readAuditLog(path, { follow: true, pollIntervalMs: 10 })) {
      seen.push(String(ev.doc['auditID']));
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['a', 'b']);
  });
});
