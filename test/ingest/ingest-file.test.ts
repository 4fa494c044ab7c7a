// File and stdin sources: plain and gzip (by magic bytes, not name), early close, capture sniffing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fileSource, sniffFile, stdinSource } from '../../src/ingest/file.js';
import type { EventSource, LineItem } from '../../src/ingest/types.js';
import { describeShared, DATA } from '../helpers/shared.js';

async function collect(src: EventSource, limit = Infinity): Promise<LineItem[]> {
  const out: LineItem[] = [];
  for await (const b of src) {
    for (const it of b.items) {
      out.push(it);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'peregrine-ingest-'));
const lines = Array.from({ length: 20000 }, (_, i) => `{"n":${i}}`);

describe('file source', () => {
  it('reads a plain file and a gzip file (detected by magic, whatever the name)', async () => {
    const plain = join(dir, 'a.json');
    const gz = join(dir, 'b.json'); // no .gz suffix on purpose
    writeFileSync(plain, `${lines.join('\n')}\n`);
    writeFileSync(gz, gzipSync(`${lines.join('\n')}\n`));
    expect(await collect(fileSource(plain, { chunkBytes: 4096 }))).toEqual(lines);
    expect(await collect(fileSource(gz))).toEqual(lines);
    expect(await sniffFile(plain)).toBe('text');
    expect(await sniffFile(gz)).toBe('gzip');
  });

  it('stops reading when the consumer breaks out', async () => {
    const p = join(dir, 'c.json');
    writeFileSync(p, `${lines.join('\n')}\n`);
    expect(await collect(fileSource(p, { chunkBytes: 1024 }), 5)).toEqual(lines.slice(0, 5));
  });

  it('a missing file fails with its name', async () => {
    await expect(collect(fileSource(join(dir, 'nope.json')))).rejects.toThrow(/nope\.json/);
    await expect(sniffFile(join(dir, 'nope.json'))).rejects.toThrow(/cannot open .*nope\.json/);
  });

  it('reads stdin (any readable), gzip too', async () => {
    const input = new PassThrough();
    input.end(gzipSync('x\ny\n'));
    expect(await collect(stdinSource({ input }))).toEqual(['x', 'y']);
    const empty = new PassThrough();
    empty.end();
    expect(await collect(stdinSource({ input: empty }))).toEqual([]);
  });
});

describeShared('file source – captures', () => {
  it('recognises .scap captures, gzip-compressed or not', async () => {
    expect(await sniffFile(join(DATA, 'falco-test-trace_files', 'cat_write.scap'))).toBe('gzip-scap');
    expect(await sniffFile(join(DATA, 'falcosecurity-libs-captures', 'sample.scap'))).toBe('scap');
    expect(await sniffFile(join(DATA, 'tetragon', 'testdata-events.jsonl'))).toBe('text');
  });
});
