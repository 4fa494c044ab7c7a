// A single-consumer async queue: producers push items (from callbacks such as HTTP handlers), one
// consumer iterates them with `for await`. The queue itself is unbounded; producers check `size` and
// apply their own policy (the audit webhook answers 503 when it is full). When the consumer stops early
// (break/return), `onReturn` runs so the producer can shut down.

export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private ended = false;
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private iterated = false;

  constructor(private readonly onReturn?: () => void) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  push(item: T): void {
    if (this.ended) return;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w({ value: item, done: false });
      return;
    }
    this.items.push(item);
  }

  /** No more items: the consumer finishes once it has drained what is queued. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const w = this.waiter;
    if (w !== undefined && this.size === 0) {
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  private shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head++;
    // Compact once the consumed prefix dominates, keeping shift O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new Error('this event source can be iterated only once');
    this.iterated = true;
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (this.size > 0) return Promise.resolve({ value: this.shift() as T, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => { this.waiter = resolve; });
      },
      return: (): Promise<IteratorResult<T>> => {
        this.items = [];
        this.head = 0;
        this.end();
        this.onReturn?.();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
