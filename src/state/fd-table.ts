// One process's fd table: fd number → Fd, with the eviction order of a Map (the oldest insertion
// goes first; replacing an entry keeps its place) but without a Map's costs on the hot path. Small
// numbers — nearly all of them, since the kernel hands out the lowest free fd — live in a dense
// array indexed by number: lookups are an indexed load, open/close cycles never rehash, and the
// copy a fork or exec needs is a slice. Numbers from DENSE up live in a Map.
//
// Insertion order is kept as a sequence number per entry; the oldest entry is only looked for when
// a full table must evict, from a list sorted once and consumed until stale (amortised O(log n)).

import type { Fd } from '../event/types.js';

/** Fd numbers below this are stored densely (a bounded array: at most 8 KiB per table per array). */
const DENSE = 1024;

export class FdTable {
  /** Copy-on-write holders: the fork relatives sharing this table until one of them changes it. */
  cowHolders = 0;
  private count = 0;
  private nextSeq = 0;
  private readonly dense: (Fd | undefined)[];
  /** Insertion sequence of each dense slot (meaningful where `dense` holds an fd). */
  private readonly seq: number[];
  private sparse: Map<number, Fd> | undefined;
  private sparseSeq: Map<number, number> | undefined;
  /** Pairs (number, sequence) sorted by sequence, consumed from `evictPos` by evictOldest(). */
  private evictList: number[] = [];
  private evictPos = 0;

  constructor(from?: FdTable) {
    if (from === undefined) {
      this.dense = [];
      this.seq = [];
      return;
    }
    this.dense = from.dense.slice();
    this.seq = from.seq.slice();
    this.count = from.count;
    this.nextSeq = from.nextSeq;
    if (from.sparse !== undefined && from.sparse.size > 0) {
      this.sparse = new Map(from.sparse);
      this.sparseSeq = new Map(from.sparseSeq);
    }
  }

  get size(): number {
    return this.count;
  }

  get(num: number): Fd | undefined {
    if (num < DENSE) return num >= 0 ? this.dense[num] : undefined;
    return this.sparse?.get(num);
  }

  has(num: number): boolean {
    return this.get(num) !== undefined;
  }

  /** Stores an fd under a non-negative integer; a replaced entry keeps its place in the eviction order. */
  set(num: number, fd: Fd): void {
    if (num < DENSE) {
      if (this.dense[num] === undefined) {
        this.count++;
        this.seq[num] = this.nextSeq++;
      }
      this.dense[num] = fd;
      return;
    }
    const sparse = (this.sparse ??= new Map());
    const order = (this.sparseSeq ??= new Map());
    if (!sparse.has(num)) {
      this.count++;
      order.set(num, this.nextSeq++);
    }
    sparse.set(num, fd);
  }

  delete(num: number): boolean {
    if (num < DENSE) {
      if (num < 0 || this.dense[num] === undefined) return false;
      this.dense[num] = undefined;
      this.count--;
      return true;
    }
    if (this.sparse === undefined || !this.sparse.delete(num)) return false;
    this.sparseSeq?.delete(num);
    this.count--;
    return true;
  }

  /** Removes the entry inserted longest ago; returns its number (undefined when empty). */
  evictOldest(): number | undefined {
    for (;;) {
      if (this.evictPos >= this.evictList.length) {
        this.sortForEviction();
        if (this.evictList.length === 0) return undefined;
      }
      const num = this.evictList[this.evictPos]!;
      const seq = this.evictList[this.evictPos + 1]!;
      this.evictPos += 2;
      // Entries added after the list was sorted are newer than all in it; stale pairs are skipped.
      if (this.seqOf(num) === seq) {
        this.delete(num);
        return num;
      }
    }
  }

  /** Deletes, in place, the entries `drop` selects. */
  deleteWhere(drop: (fd: Fd) => boolean): void {
    const dense = this.dense;
    for (let i = 0; i < dense.length; i++) {
      const fd = dense[i];
      if (fd !== undefined && drop(fd)) this.delete(i);
    }
    if (this.sparse !== undefined) for (const [num, fd] of this.sparse) if (drop(fd)) this.delete(num);
  }

  /** A copy without the entries `drop` selects (undefined when none remain); order is kept. */
  copyWithout(drop: (fd: Fd) => boolean): FdTable | undefined {
    const out = new FdTable(this);
    out.deleteWhere(drop);
    return out.count > 0 ? out : undefined;
  }

  private seqOf(num: number): number | undefined {
    if (num < DENSE) return this.dense[num] !== undefined ? this.seq[num] : undefined;
    return this.sparseSeq?.get(num);
  }

  private sortForEviction(): void {
    const pairs: [number, number][] = [];
    const dense = this.dense;
    for (let i = 0; i < dense.length; i++) if (dense[i] !== undefined) pairs.push([i, this.seq[i]!]);
    if (this.sparseSeq !== undefined) for (const [num, s] of this.sparseSeq) pairs.push([num, s]);
    pairs.sort((a, b) => a[1] - b[1]);
    const list: number[] = [];
    for (const [num, s] of pairs) list.push(num, s);
    this.evictList = list;
    this.evictPos = 0;
  }
}
