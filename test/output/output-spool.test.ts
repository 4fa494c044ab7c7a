// Spools: bounded, ordered, and (on disk) surviving restarts and torn writes.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskSpool, MemorySpool, type Spool } from '../../src/output/spool.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'peregrine-spool-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const recs = (from: number, n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`record-${from + i}`));
const drain = (s: Spool, chunk = 7): string[] => {
  const out: string[] = [];
  for (let b = s.peek(chunk); b !== undefined; b = s.peek(chunk)) {
    out.push(...b.records.map((r) => r.toString()));
    s.commit(b);
  }
  return out;
};
const names = (from: number, n: number): string[] => recs(from, n).map((r) => r.toString());

describe.each([
  ['memory', (max: number) => new MemorySpool(max)],
  ['disk', (max: number) => new DiskSpool(tmp(), { maxBytes: max, segmentBytes: 256 })],
] as const)('output – %s spool', (_, make) => {
  it('delivers in order across segments', () => {
    const s = make(1 << 20);
    expect(s.append(recs(0, 100))).toBe(100);
    expect(s.records).toBe(100);
    expect(drain(s)).toEqual(names(0, 100));
    expect(s.records).toBe(0);
    expect(s.stats().bytes).toBe(0);
  });

  it('peek without commit returns the same records again', () => {
    const s = make(1 << 20);
    s.append(recs(0, 5));
    const a = s.peek(3);
    const b = s.peek(3);
    expect(b?.records.map(String)).toEqual(a?.records.map(String));
    s.commit(b!);
    expect(s.peek(10)?.records.map(String)).toEqual(names(3, 2));
  });

  it('refuses what exceeds its size and says how much fit', () => {
    const s = make(8 * 3 + 3 * 8 + 1); // room for 3 records of 8 bytes plus headers
    expect(s.append(recs(0, 5).map(() => Buffer.from('12345678')))).toBe(3);
    expect(s.append([Buffer.from('12345678')])).toBe(0);
    const b = s.peek(1)!;
    s.commit(b);
    expect(s.append([Buffer.from('12345678')])).toBe(1);
  });

  it('interleaves appends and deliveries', () => {
    const s = make(1 << 20);
    const got: string[] = [];
    for (let i = 0; i < 20; i++) {
      s.append(recs(i * 10, 10));
      const b = s.peek(6);
      if (b) {
        got.push(...b.records.map(String));
        s.commit(b);
      }
    }
    got.push(...drain(s));
    expect(got).toEqual(names(0, 200));
  });
});

describe('output – disk spool durability', () => {
  it('survives a restart: undelivered records come back in order, delivered ones do not', () => {
    const dir = tmp();
    const a = new DiskSpool(dir, { maxBytes: 1 << 20, segmentBytes: 300 });
    a.append(recs(0, 50));
    const b = a.peek(20)!;
    a.commit(b);
    a.close();
    const c = new DiskSpool(dir, { maxBytes: 1 << 20, segmentBytes: 300 });
    expect(c.records).toBe(30);
    c.append(recs(50, 5));
    expect(drain(c)).toEqual(names(20, 35));
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual([]);
  });

  it('cuts a torn record off the end and keeps everything before it', () => {
    const dir = tmp();
    const a = new DiskSpool(dir, { maxBytes: 1 << 20 });
    a.append(recs(0, 10));
    a.close();
    const seg = join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!);
    const size = statSync(seg).size;
    appendFileSync(seg, Buffer.from([200, 0, 0, 0, 1, 2])); // half a header and garbage: a crash mid-append
    const b = new DiskSpool(dir, { maxBytes: 1 << 20 });
    expect(b.records).toBe(10);
    expect(b.stats().corrupt).toBe(1);
    expect(statSync(seg).size).toBe(size);
    b.append(recs(10, 2));
    expect(drain(b)).toEqual(names(0, 12));
  });

  it('detects a damaged record by its checksum and skips the rest of that segment', () => {
    const dir = tmp();
    const a = new DiskSpool(dir, { maxBytes: 1 << 20, segmentBytes: 150 });
    a.append(recs(0, 30));
    a.close();
    const segs = readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();
    expect(segs.length).toBeGreaterThan(2);
    // Flip a byte in the second record of the first segment.
    const first = join(dir, segs[0]!);
    const buf = readFileSync(first);
    const recLen = 8 + 'record-0'.length;
    buf.writeUInt8(buf.readUInt8(recLen + 8 + 2) ^ 0xff, recLen + 8 + 2);
    writeFileSync(first, buf);
    const b = new DiskSpool(dir, { maxBytes: 1 << 20, segmentBytes: 150 });
    expect(b.stats().corrupt).toBe(1);
    const got = drain(b);
    expect(got[0]).toBe('record-0');
    const perSeg = Math.floor(150 / recLen); // records 0..8 fill the first 150-byte segment
    expect(got.slice(1)).toEqual(names(perSeg, 30 - perSeg));
  });
});
