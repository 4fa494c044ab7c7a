// The line splitter: any chunking gives the same lines; CRLF, a partial final line, overlong lines
// (discarded while streaming, reported once) and invalid UTF-8 (only the bad line is rejected).
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/ingest/lines.js';
import type { LineItem } from '../../src/ingest/types.js';

function split(input: Buffer, chunk: number | ((i: number) => number), max = 1024): { items: LineItem[]; firsts: number[] } {
  const s = new LineSplitter(max);
  const items: LineItem[] = [];
  const firsts: number[] = [];
  let pos = 0;
  let i = 0;
  while (pos < input.length) {
    const n = typeof chunk === 'number' ? chunk : chunk(i++);
    const b = s.push(input.subarray(pos, pos + n));
    pos += n;
    if (b) {
      expect(b.firstLine).toBe(items.length + 1);
      firsts.push(b.firstLine);
      items.push(...b.items);
    }
  }
  const last = s.end();
  if (last) items.push(...last.items);
  return { items, firsts };
}

describe('line splitter', () => {
  const text = 'alpha\nbeta\r\n\ngamma δ\n{"x":"ünïcødé 🦅"}\nlast-without-newline';
  const want = ['alpha', 'beta', '', 'gamma δ', '{"x":"ünïcødé 🦅"}', 'last-without-newline'];

  it.each([1, 2, 3, 5, 7, 64, 100000])('chunks of %d bytes give the same lines (multi-byte chars split too)', (n) => {
    expect(split(Buffer.from(text), n).items).toEqual(want);
  });

  it('numbers lines across batches', () => {
    const input = Buffer.from(Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    const { items } = split(input, (i) => 1 + ((i * 7919) % 300));
    expect(items.length).toBe(1000);
    expect(items[999]).toBe('line 1000');
  });

  it('an overlong line becomes one too-long item, whether it arrives whole or in pieces', () => {
    const long = 'x'.repeat(5000);
    const input = Buffer.from(`ok1\n${long}\nok2\n${long}`);
    for (const n of [7, 1000, 100000]) {
      const { items } = split(input, n, 1024);
      expect(items).toEqual(['ok1', { bad: 'too-long', bytes: 5000 }, 'ok2', { bad: 'too-long', bytes: 5000 }]);
    }
  });

  it('a line of exactly the limit is kept; multi-byte text is measured in bytes', () => {
    const { items } = split(Buffer.from(`${'a'.repeat(1024)}\n${'é'.repeat(513)}\n`), 4096, 1024);
    expect(items[0]).toBe('a'.repeat(1024));
    expect(items[1]).toEqual({ bad: 'too-long', bytes: 1026 });
  });

  it('invalid UTF-8 rejects only the line it is in', () => {
    const input = Buffer.concat([Buffer.from('good\nba'), Buffer.from([0xff, 0xc3]), Buffer.from('d\nalso good\n'), Buffer.from([0xe2, 0x82])]);
    for (const n of [1, 3, 1000]) {
      expect(split(input, n).items).toEqual(['good', { bad: 'invalid-utf8', bytes: 5 }, 'also good', { bad: 'invalid-utf8', bytes: 2 }]);
    }
  });

  it('a record (NATS message) ends its last line without a newline', () => {
    const s = new LineSplitter();
    expect(s.flushRecord(Buffer.from('a\nb'))?.items).toEqual(['a', 'b']);
    expect(s.flushRecord(Buffer.from('c\n'))).toEqual({ items: ['c'], firstLine: 3 });
  });
});
