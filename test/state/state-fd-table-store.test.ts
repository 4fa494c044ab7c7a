// The fd table store (src/state/fd-table.ts): the same contents and eviction order as a Map keyed by
// fd number (oldest insertion first; a replaced entry keeps its place), over dense and sparse
// numbers, copies and filtered copies.
import { describe, expect, it } from 'vitest';
import { newFd, type Fd } from '../../src/event/types.js';
import { FdTable } from '../../src/state/fd-table.js';
import { rng } from '../helpers/rng.js';


/** What a Map would say: [number, name] in iteration (= eviction) order. */
function contents(t: FdTable, nums: Iterable<number>): [number, string | undefined][] {
  const out: [number, string | undefined][] = [];
  for (const n of nums) {
    const fd = t.get(n);
    if (fd !== undefined) out.push([n, fd.name]);
  }
  return out;
}

function fd(num: number, name: string): Fd {
  const f = newFd(num);
  f.name = name;
  return f;
}

describe('fd table store', () => {
  it('evicts the oldest insertion first, across dense and sparse numbers; replacing keeps the place', () => {
    const t = new FdTable();
    t.set(5, fd(5, 'a'));
    t.set(100000, fd(100000, 'b'));
    t.set(3, fd(3, 'c'));
    t.set(5, fd(5, 'a2'));
    expect(t.size).toBe(3);
    expect(t.evictOldest()).toBe(5);
    t.set(5, fd(5, 'd'));
    expect(t.evictOldest()).toBe(100000);
    expect(t.evictOldest()).toBe(3);
    expect(t.evictOldest()).toBe(5);
    expect(t.evictOldest()).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('answers nothing for negative, fractional, huge and non-finite numbers it never stored', () => {
    const t = new FdTable();
    t.set(0, fd(0, 'stdin'));
    for (const n of [-1, -100, 0.5, 1.5, 2 ** 40, Number.NaN, Infinity, -Infinity]) {
      expect(t.get(n)).toBeUndefined();
      expect(t.has(n)).toBe(false);
      expect(t.delete(n)).toBe(false);
    }
    expect(t.get(-0)?.name).toBe('stdin');
  });

  it('copies keep contents and order, and stay independent of the original', () => {
    const t = new FdTable();
    for (const n of [7, 2000, 3, 9]) t.set(n, fd(n, `f${n}`));
    const c = new FdTable(t);
    c.delete(3);
    c.set(4, fd(4, 'new'));
    t.set(11, fd(11, 'orig'));
    expect(contents(t, [7, 2000, 3, 9, 11, 4])).toEqual([[7, 'f7'], [2000, 'f2000'], [3, 'f3'], [9, 'f9'], [11, 'orig']]);
    expect(c.size).toBe(4);
    const order: number[] = [];
    for (let n = c.evictOldest(); n !== undefined; n = c.evictOldest()) order.push(n);
    expect(order).toEqual([7, 2000, 9, 4]);
    const kept = t.copyWithout((f) => f.name === 'f2000' || f.name === 'f3');
    expect(kept?.size).toBe(3);
    expect(kept?.evictOldest()).toBe(7);
    expect(kept?.evictOldest()).toBe(9);
    expect(t.copyWithout(() => true)).toBeUndefined();
  });

  it('behaves as a Map under 200k random operations (seeded)', () => {
    const r = rng(7);
    const t = new FdTable();
    const m = new Map<number, Fd>();
    const pick = (): number => (r() < 0.9 ? Math.floor(r() * 64) : r() < 0.5 ? 1000 + Math.floor(r() * 48) : Math.floor(r() * 1e6));
    for (let i = 0; i < 200_000; i++) {
      const op = r();
      if (op < 0.45) {
        const n = pick();
        const f = fd(n, `f${i}`);
        t.set(n, f);
        m.set(n, f);
      } else if (op < 0.8) {
        const n = pick();
        expect(t.delete(n)).toBe(m.delete(n));
      } else if (op < 0.9) {
        const want = m.keys().next().value;
        if (want !== undefined) m.delete(want);
        expect(t.evictOldest()).toBe(want);
      } else {
        const n = pick();
        expect(t.get(n)).toBe(m.get(n));
      }
      expect(t.size).toBe(m.size);
    }
    for (const [n, f] of m) expect(t.get(n)).toBe(f);
    const order: number[] = [];
    for (let n = t.evictOldest(); n !== undefined; n = t.evictOldest()) order.push(n);
    expect(order).toEqual([...m.keys()]);
  });
});
