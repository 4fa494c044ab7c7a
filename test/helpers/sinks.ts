// A test sink that records what it receives and can be stalled (like a sink whose peer stopped
// reading) and released on demand.
import type { Alert } from '../../src/format/alert.js';
import type { AlertSink, SinkHooks, SinkStats } from '../../src/output/types.js';

export class MemorySink implements AlertSink {
  readonly type = 'memory';
  readonly received: Alert[] = [];
  hooks: SinkHooks | undefined;
  closed = false;
  #gate: Promise<void> | undefined;
  #release: (() => void) | undefined;

  open(hooks: SinkHooks): Promise<void> {
    this.hooks = hooks;
    return Promise.resolve();
  }

  /** From now on every write waits until release(). */
  stall(): void {
    this.#gate ??= new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  release(): void {
    this.#release?.();
    this.#gate = undefined;
    this.#release = undefined;
  }

  async write(batch: readonly Alert[]): Promise<void> {
    while (this.#gate !== undefined) await this.#gate;
    this.received.push(...batch);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  stats(): SinkStats {
    return { sent: this.received.length, failed: 0 };
  }
}
