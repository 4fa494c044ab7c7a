// A FIFO on a growable circular array: O(1) push and shift without the O(n) Array#shift, and taking
// a batch off the front in one step. Capacity limits are the caller's business (the channel).

export class Ring<T> {
  #buf: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(initial = 64) {
    let cap = 16;
    while (cap < initial) cap *= 2;
    this.#buf = new Array<T | undefined>(cap);
  }

  get length(): number {
    return this.#size;
  }

  push(v: T): void {
    if (this.#size === this.#buf.length) this.grow();
    this.#buf[(this.#head + this.#size) & (this.#buf.length - 1)] = v;
    this.#size++;
  }

  /** Removes and returns up to `max` items from the front. */
  take(max: number): T[] {
    const n = Math.min(max, this.#size);
    const out = new Array<T>(n);
    const mask = this.#buf.length - 1;
    for (let i = 0; i < n; i++) {
      const at = (this.#head + i) & mask;
      out[i] = this.#buf[at] as T;
      this.#buf[at] = undefined;
    }
    this.#head = (this.#head + n) & mask;
    this.#size -= n;
    return out;
  }

  clear(): number {
    const n = this.#size;
    this.take(n);
    return n;
  }

  private grow(): void {
    const old = this.#buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#buf = next;
    this.#head = 0;
  }
}
