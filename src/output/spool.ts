// Spools: where an output that can fail (NATS) parks alerts while its server is away, to deliver
// them in order when it returns. Bounded: what does not fit is refused, and the caller counts it.
//
// DiskSpool layout, in its own directory:
//   0000000000000001.seg, …  append-only segment files of records
//   cursor                    "<segment> <offset>\n": where the first undelivered record starts
// A record is [u32 LE length][u32 LE CRC-32 of the payload][payload]. Appends go to the last segment
// (a new one once it exceeds segmentBytes); delivered segments are deleted as the cursor passes them,
// and the cursor is rewritten (write to a temp file, then rename) after each delivered batch.
//
// Crash safety: a torn or corrupt record (short read, bad length or checksum) at the end of the last
// segment is cut off on open; one elsewhere ends that segment (the rest of it is skipped and
// counted as corrupt). Delivery is at-least-once: a crash between delivering a batch and saving the
// cursor delivers that batch again on restart.
//
// File operations are synchronous: the spool is touched only while its output is down, in batches,
// and page-cache writes of a batch take microseconds; fsync (optional) makes each append durable.

import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface SpoolBatch {
  readonly records: readonly Buffer[];
  /** Bytes these records occupy in the spool (headers included). */
  readonly bytes: number;
  /** Opaque position after the batch. */
  readonly next: unknown;
}

export interface SpoolStats {
  /** Records waiting. */
  readonly records: number;
  /** Bytes waiting (headers included). */
  readonly bytes: number;
  readonly maxBytes: number;
  /** Records found corrupt and skipped (disk spool only). */
  readonly corrupt: number;
}

export interface Spool {
  readonly durable: boolean;
  /** Appends records in order; returns how many (from the front) fit. The rest were refused. */
  append(records: readonly Buffer[]): number;
  /** The oldest records, without removing them; undefined when empty. */
  peek(maxRecords: number, maxBytes?: number): SpoolBatch | undefined;
  /** Removes a batch returned by the latest peek (after it was delivered). */
  commit(batch: SpoolBatch): void;
  readonly records: number;
  stats(): SpoolStats;
  close(): void;
}

const HEADER = 8;

export class MemorySpool implements Spool {
  readonly durable = false;
  #items: Buffer[] = [];
  #head = 0;
  #bytes = 0;
  readonly #max: number;

  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  get records(): number {
    return this.#items.length - this.#head;
  }

  append(records: readonly Buffer[]): number {
    let n = 0;
    for (const r of records) {
      if (this.#bytes + HEADER + r.length > this.#max) break;
      this.#items.push(r);
      this.#bytes += HEADER + r.length;
      n++;
    }
    return n;
  }

  peek(maxRecords: number, maxBytes = Infinity): SpoolBatch | undefined {
    if (this.records === 0) return undefined;
    const out: Buffer[] = [];
    let bytes = 0;
    for (let i = this.#head; i < this.#items.length && out.length < maxRecords; i++) {
      const r = this.#items[i] as Buffer;
      if (out.length > 0 && bytes + HEADER + r.length > maxBytes) break;
      out.push(r);
      bytes += HEADER + r.length;
    }
    return { records: out, bytes, next: this.#head + out.length };
  }

  commit(batch: SpoolBatch): void {
    this.#head = batch.next as number;
    this.#bytes -= batch.bytes;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  stats(): SpoolStats {
    return { records: this.records, bytes: this.#bytes, maxBytes: this.#max, corrupt: 0 };
  }

  close(): void {}
}

export interface DiskSpoolOptions {
  readonly maxBytes: number;
  /** Roll to a new segment past this size. Default min(16 MiB, maxBytes / 4), at least 64 KiB. */
  readonly segmentBytes?: number;
  /** fsync segment appends and cursor updates. Default false. */
  readonly fsync?: boolean;
}

interface Pos {
  readonly seg: number;
  readonly off: number;
}

interface Run {
  readonly records: Buffer[];
  readonly count: number;
  /** Offset after the last record read. */
  readonly end: number;
  readonly stop: 'limit' | 'end' | 'corrupt';
}

const SEG_RE = /^(\d{16})\.seg$/;
const segName = (seq: number): string => `${String(seq).padStart(16, '0')}.seg`;
const CHUNK = 1024 * 1024;

export class DiskSpool implements Spool {
  readonly durable = true;
  readonly dir: string;
  readonly #max: number;
  readonly #segMax: number;
  readonly #fsync: boolean;
  /** Segment sequence numbers on disk, ascending; all at or after the cursor's. */
  #segs: number[] = [];
  /** Segments whose records end early (a corrupt record was found there): where they end. */
  readonly #validEnd = new Map<number, number>();
  #cursor: Pos;
  #writeFd: number | undefined;
  #writeSeg = 0;
  #writeSize = 0;
  #records = 0;
  #bytes = 0;
  #corrupt = 0;

  constructor(dir: string, options: DiskSpoolOptions) {
    this.dir = dir;
    this.#max = options.maxBytes;
    this.#segMax = options.segmentBytes ?? Math.max(64 * 1024, Math.min(16 * 1024 * 1024, Math.floor(options.maxBytes / 4)));
    this.#fsync = options.fsync ?? false;
    mkdirSync(dir, { recursive: true });
    this.#segs = readdirSync(dir).map((f) => SEG_RE.exec(f)?.[1]).filter((x): x is string => x !== undefined).map(Number).sort((a, b) => a - b);
    this.#cursor = this.readCursor();
    this.recover();
  }

  get records(): number {
    return this.#records;
  }

  append(records: readonly Buffer[]): number {
    let n = 0;
    let parts: Buffer[] = [];
    let partBytes = 0;
    const writeOut = (): void => {
      if (parts.length === 0) return;
      const fd = this.#writeFd as number;
      const buf = Buffer.concat(parts, partBytes);
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      if (this.#fsync) fsyncSync(fd);
      this.#writeSize += buf.length;
      parts = [];
      partBytes = 0;
    };
    for (const r of records) {
      const size = HEADER + r.length;
      if (this.#bytes + size > this.#max) break;
      const segBytes = this.#writeSize + partBytes;
      if (this.#writeFd === undefined || (segBytes > 0 && segBytes + size > this.#segMax)) {
        writeOut();
        this.roll();
      }
      const h = Buffer.allocUnsafe(HEADER);
      h.writeUInt32LE(r.length, 0);
      h.writeUInt32LE(crc32(r), 4);
      parts.push(h, r);
      partBytes += size;
      this.#bytes += size;
      this.#records++;
      n++;
    }
    writeOut();
    return n;
  }

  peek(maxRecords: number, maxBytes = 4 * 1024 * 1024): SpoolBatch | undefined {
    const out: Buffer[] = [];
    let bytes = 0;
    let pos = this.#cursor;
    while (out.length < maxRecords && this.#records > 0) {
      const run = this.readRun(pos, maxRecords - out.length, maxBytes - bytes, out.length === 0);
      for (const r of run.records) {
        out.push(r);
        bytes += HEADER + r.length;
      }
      pos = { seg: pos.seg, off: run.end };
      if (run.stop === 'limit') break;
      if (run.stop === 'corrupt') {
        // Nothing after a damaged record in a segment can be trusted: end the segment there.
        this.#corrupt++;
        this.#validEnd.set(pos.seg, pos.off);
        if (pos.seg === this.#writeSeg) this.closeWriter();
        this.recount();
      }
      const next = this.#segs.find((x) => x > pos.seg);
      if (next === undefined) break;
      pos = { seg: next, off: 0 };
    }
    return out.length === 0 ? undefined : { records: out, bytes, next: pos };
  }

  commit(batch: SpoolBatch): void {
    this.#records -= batch.records.length;
    this.#bytes -= batch.bytes;
    const pos = batch.next as Pos;
    if (this.#records <= 0) {
      // Empty: delete every segment; the next append starts a fresh one.
      this.closeWriter();
      for (const x of this.#segs) this.unlink(x);
      this.#segs = [];
      this.#validEnd.clear();
      this.#records = 0;
      this.#bytes = 0;
      this.saveCursor({ seg: this.#writeSeg + 1, off: 0 });
      return;
    }
    for (const x of this.#segs) if (x < pos.seg) this.unlink(x);
    this.#segs = this.#segs.filter((x) => x >= pos.seg);
    this.saveCursor(pos);
  }

  stats(): SpoolStats {
    return { records: this.#records, bytes: this.#bytes, maxBytes: this.#max, corrupt: this.#corrupt };
  }

  close(): void {
    this.closeWriter();
  }

  private readCursor(): Pos {
    try {
      const m = /^(\d+) (\d+)\s*$/.exec(readFileSync(join(this.dir, 'cursor'), 'utf8'));
      if (m !== null) return { seg: Number(m[1]), off: Number(m[2]) };
    } catch {
      // No cursor yet: start at the first segment.
    }
    return { seg: this.#segs[0] ?? 1, off: 0 };
  }

  private saveCursor(pos: Pos): void {
    this.#cursor = pos;
    const tmp = join(this.dir, 'cursor.tmp');
    writeFileSync(tmp, `${pos.seg} ${pos.off}\n`);
    if (this.#fsync) {
      const fd = openSync(tmp, 'r+');
      fsyncSync(fd);
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, 'cursor'));
  }

  /** On open: drop delivered segments, count what waits, and cut a torn tail off the last segment. */
  private recover(): void {
    for (const x of this.#segs) if (x < this.#cursor.seg) this.unlink(x);
    this.#segs = this.#segs.filter((x) => x >= this.#cursor.seg);
    const first = this.#segs[0];
    if (first !== undefined && first !== this.#cursor.seg) this.#cursor = { seg: first, off: 0 };
    const last = this.#segs[this.#segs.length - 1];
    for (const x of this.#segs) {
      const run = this.readRun({ seg: x, off: x === this.#cursor.seg ? this.#cursor.off : 0 }, Infinity, Infinity, false, false);
      if (run.stop !== 'corrupt') continue;
      this.#corrupt++;
      if (x === last) {
        const fd = openSync(join(this.dir, segName(x)), 'r+');
        ftruncateSync(fd, run.end);
        closeSync(fd);
      } else {
        this.#validEnd.set(x, run.end);
      }
    }
    this.#writeSeg = last ?? this.#cursor.seg - 1;
    this.recount();
    if (this.#records === 0) {
      for (const x of this.#segs) this.unlink(x);
      this.#segs = [];
      this.#validEnd.clear();
      this.saveCursor({ seg: this.#writeSeg + 1, off: 0 });
    }
  }

  /** Recomputes the waiting records and bytes from disk (on open and after finding damage). */
  private recount(): void {
    let records = 0;
    let bytes = 0;
    for (const x of this.#segs) {
      const start = x === this.#cursor.seg ? this.#cursor.off : 0;
      const run = this.readRun({ seg: x, off: start }, Infinity, Infinity, false, false);
      records += run.count;
      bytes += run.end - start;
    }
    this.#records = records;
    this.#bytes = bytes;
  }

  /**
   * Reads consecutive records of one segment from `pos`, through a 1 MiB window. Stops at
   * maxRecords/maxBytes ('limit'; `first` lets one oversized record through), at the segment's end
   * ('end'), or at a torn or damaged record ('corrupt', with `end` where the good prefix ends).
   */
  private readRun(pos: Pos, maxRecords: number, maxBytes: number, first: boolean, collect = true): Run {
    const records: Buffer[] = [];
    let count = 0;
    let p = pos.off;
    const limit = this.#validEnd.get(pos.seg) ?? Infinity;
    let fd: number;
    try {
      fd = openSync(join(this.dir, segName(pos.seg)), 'r');
    } catch {
      return { records, count, end: p, stop: 'end' };
    }
    let chunk = Buffer.alloc(0);
    let chunkAt = 0;
    // Makes [at, at+n) available in `chunk`; false when the file ends first.
    const have = (at: number, n: number): boolean => {
      if (at >= chunkAt && at + n <= chunkAt + chunk.length) return true;
      const size = Math.max(n, CHUNK);
      const buf = Buffer.allocUnsafe(size);
      let got = 0;
      while (got < size) {
        const k = readSync(fd, buf, got, size - got, at + got);
        if (k === 0) break;
        got += k;
      }
      chunk = buf.subarray(0, got);
      chunkAt = at;
      return got >= n;
    };
    try {
      let bytes = 0;
      for (;;) {
        if (count >= maxRecords) return { records, count, end: p, stop: 'limit' };
        if (p >= limit) return { records, count, end: p, stop: 'end' };
        if (!have(p, HEADER)) {
          return { records, count, end: p, stop: p - chunkAt >= chunk.length ? 'end' : 'corrupt' };
        }
        const len = chunk.readUInt32LE(p - chunkAt);
        const sum = chunk.readUInt32LE(p - chunkAt + 4);
        if (len > this.#max || !have(p, HEADER + len)) return { records, count, end: p, stop: 'corrupt' };
        const body = chunk.subarray(p - chunkAt + HEADER, p - chunkAt + HEADER + len);
        if (crc32(body) !== sum) return { records, count, end: p, stop: 'corrupt' };
        if (bytes + HEADER + len > maxBytes && !(first && count === 0)) return { records, count, end: p, stop: 'limit' };
        if (collect) records.push(Buffer.from(body));
        count++;
        bytes += HEADER + len;
        p += HEADER + len;
      }
    } finally {
      closeSync(fd);
    }
  }

  private roll(): void {
    this.closeWriter();
    this.#writeSeg = Math.max(this.#writeSeg, this.#cursor.seg - 1) + 1;
    this.#writeFd = openSync(join(this.dir, segName(this.#writeSeg)), 'a');
    this.#writeSize = 0;
    this.#segs.push(this.#writeSeg);
    if (this.#records === 0 && this.#cursor.seg !== this.#writeSeg) this.saveCursor({ seg: this.#writeSeg, off: 0 });
  }

  private closeWriter(): void {
    if (this.#writeFd !== undefined) closeSync(this.#writeFd);
    this.#writeFd = undefined;
  }

  private unlink(seg: number): void {
    try {
      unlinkSync(join(this.dir, segName(seg)));
    } catch {
      // Already gone.
    }
  }
}
