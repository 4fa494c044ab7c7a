// A one-line progress display on stderr for replays, shown only on a TTY: events, rate, alerts and,
// for plain files, the share read. Redrawn at most a few times a second, erased at the end.

import type { EventSource, LineBatch } from '../ingest/types.js';

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private label = '';
  private totalBytes = 0;
  private readBytes = 0;
  private lastEvents = 0;
  private lastTime = Date.now();
  private rate = 0;

  constructor(private readonly stream: NodeJS.WriteStream, private readonly counts: () => { events: number; alerts: number }) {}

  static for(stream: NodeJS.WritableStream, counts: () => { events: number; alerts: number }): Progress | undefined {
    const s = stream as NodeJS.WriteStream;
    return s.isTTY ? new Progress(s, counts) : undefined;
  }

  /** Starts (or moves on to) an input; `totalBytes` is 0 when unknown (compressed, stdin, capture). */
  begin(label: string, totalBytes: number): void {
    this.label = label;
    this.totalBytes = totalBytes;
    this.readBytes = 0;
    this.timer ??= setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  /** Wraps a source to count the bytes it hands over (lines + newlines). */
  count(source: EventSource): EventSource {
    const self = this;
    return {
      name: source.name,
      async *[Symbol.asyncIterator](): AsyncIterator<LineBatch> {
        for await (const batch of source) {
          let n = 0;
          for (const item of batch.items) n += (typeof item === 'string' ? item.length : item.bytes) + 1;
          self.readBytes += n;
          yield batch;
        }
      },
    };
  }

  private draw(): void {
    const { events, alerts } = this.counts();
    const now = Date.now();
    if (now > this.lastTime) {
      this.rate = ((events - this.lastEvents) * 1000) / (now - this.lastTime);
      this.lastEvents = events;
      this.lastTime = now;
    }
    const pct = this.totalBytes > 0 ? ` ${Math.min(100, (100 * this.readBytes) / this.totalBytes).toFixed(1)}%` : '';
    const bar = this.totalBytes > 0 ? ` [${'#'.repeat(Math.round((20 * Math.min(this.readBytes, this.totalBytes)) / this.totalBytes)).padEnd(20, '.')}]` : '';
    const line = `${this.label}${bar}${pct} ${events.toLocaleString('en-US')} events (${Math.round(this.rate).toLocaleString('en-US')}/s), ${alerts.toLocaleString('en-US')} alerts`;
    const width = this.stream.columns ?? 120;
    this.stream.write(`\r${line.slice(0, width - 1).padEnd(Math.min(width - 1, line.length))}\x1b[K`);
  }

  end(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[K');
  }
}
