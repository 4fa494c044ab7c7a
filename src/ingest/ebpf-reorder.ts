// A min-heap of sensor records ordered by (timestamp, arrival sequence): the reorder buffer that
// puts records from different CPUs back in time order (see ebpf-protocol.ts). Ties keep arrival
// order, so a thread's identity (P) stays ahead of the record it was sent with.

export interface Ordered {
  readonly tsNum: number;
  readonly seq: number;
}

export class ReorderHeap<T extends Ordered> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  private static less(a: Ordered, b: Ordered): boolean {
    return a.tsNum < b.tsNum || (a.tsNum === b.tsNum && a.seq < b.seq);
  }

  push(r: T): void {
    const h = this.items;
    h.push(r);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!ReorderHeap.less(h[i]!, h[parent]!)) break;
      const t = h[i]!;
      h[i] = h[parent]!;
      h[parent] = t;
      i = parent;
    }
  }

  pop(): T | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && ReorderHeap.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && ReorderHeap.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        const t = h[i]!;
        h[i] = h[m]!;
        h[m] = t;
        i = m;
      }
    }
    return top;
  }

  /** Keeps only the items `keep` accepts. */
  retain(keep: (item: T) => boolean): number {
    const kept = this.items.filter(keep);
    const dropped = this.items.length - kept.length;
    this.items = [];
    for (const k of kept) this.push(k);
    return dropped;
  }
}
