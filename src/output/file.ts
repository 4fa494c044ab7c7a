// The file output: text or JSON lines appended to one file descriptor kept open (Falco opens and
// closes per alert unless keep_alive). Alerts are buffered and written when the buffer fills or
// the flush interval passes; optional fsync after each write. reopen() (SIGUSR1) closes and reopens
// the path, for log rotation.
//
// Every file operation goes through one promise chain, so at most one is in flight. FIFOs are opened
// non-blocking: while no reader is there (ENXIO) or the pipe is full (EAGAIN) the output waits on a
// timer and retries, so a FIFO nobody reads ties up only this output's queue — never a libuv thread
// (which would also keep the process from exiting), the event loop or another output. Opening
// happens in the background for FIFOs; a regular file is opened in open() so a bad path fails at
// startup.

import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Alert } from '../format/alert.js';
import { LogLimiter } from './rate-limit.js';
import { alertLines, type AlertFormat, type AlertSink, type SinkHooks, type SinkStats } from './types.js';

export interface FileSinkOptions {
  readonly path: string;
  readonly format: AlertFormat;
  /** Write once this many bytes are buffered. Default 64 KiB; 0 writes every batch at once. */
  readonly bufferBytes?: number;
  /** Write buffered alerts at least this often. Default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** fsync after each write. Default false. */
  readonly fsync?: boolean;
  /** File mode when creating. Default 0o640. */
  readonly mode?: number;
}

export class FileSink implements AlertSink {
  readonly type = 'file';
  readonly #o: Required<FileSinkOptions>;
  #hooks: SinkHooks | undefined;
  #fh: FileHandle | undefined;
  #chain: Promise<void> = Promise.resolve();
  #buf: string[] = [];
  #bufBytes = 0;
  #bufCount = 0;
  #timer: NodeJS.Timeout | undefined;
  #sent = 0;
  #failed = 0;
  #reopens = 0;
  #writing = 0;
  #fifo = false;
  #closing = false;
  readonly #limiter = new LogLimiter();

  constructor(options: FileSinkOptions) {
    this.#o = {
      bufferBytes: 64 * 1024,
      flushIntervalMs: 1000,
      fsync: false,
      mode: 0o640,
      ...options,
    };
  }

  async open(hooks: SinkHooks): Promise<void> {
    this.#hooks = hooks;
    let fifo = false;
    try {
      fifo = (await stat(this.#o.path)).isFIFO();
    } catch {
      // Not there yet: open() creates it.
    }
    this.#fifo = fifo;
    if (fifo) void this.enqueue(() => this.ensureOpen());
    else this.#fh = await open(this.#o.path, 'a', this.#o.mode);
  }

  async write(batch: readonly Alert[]): Promise<void> {
    const s = alertLines(batch, this.#o.format);
    this.#buf.push(s);
    this.#bufBytes += s.length;
    this.#bufCount += batch.length;
    if (this.#bufBytes >= this.#o.bufferBytes) await this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#o.flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Writes the buffer; resolves once it (and every earlier write) is done. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#bufCount === 0) return this.#chain;
    const data = this.#buf.join('');
    const count = this.#bufCount;
    this.#buf = [];
    this.#bufBytes = 0;
    this.#bufCount = 0;
    this.#writing += count;
    return this.enqueue(async () => {
      try {
        const fh = await this.ensureOpen();
        const bytes = Buffer.from(data, 'utf8');
        let off = 0;
        while (off < bytes.length) {
          try {
            off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
            await sleep(20); // a full FIFO: wait for its reader, without holding a libuv thread
          }
        }
        if (this.#o.fsync) await fh.sync();
        this.#sent += count;
      } catch (err) {
        this.#failed += count;
        this.logError(err);
        // Start afresh on the next write (the descriptor may be dead, e.g. after EBADF or EIO).
        await this.closeHandle();
      } finally {
        this.#writing -= count;
      }
    });
  }

  reopen(): Promise<void> {
    void this.flush();
    return this.enqueue(async () => {
      await this.closeHandle();
      this.#reopens++;
      try {
        await this.ensureOpen();
      } catch (err) {
        this.logError(err);
      }
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.flush();
    await this.enqueue(() => this.closeHandle());
  }

  stats(): SinkStats {
    return { sent: this.#sent, failed: this.#failed, extra: { buffered: this.#bufCount + this.#writing, reopens_total: this.#reopens } };
  }

  private enqueue(op: () => Promise<unknown>): Promise<void> {
    const next = this.#chain.then(op).then(() => undefined, () => undefined);
    this.#chain = next;
    return next;
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.#fh !== undefined) return this.#fh;
    if (!this.#fifo) {
      this.#fh = await open(this.#o.path, 'a', this.#o.mode);
      return this.#fh;
    }
    for (;;) {
      try {
        this.#fh = await open(this.#o.path, constants.O_WRONLY | constants.O_APPEND | constants.O_NONBLOCK);
        return this.#fh;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
        // No reader yet. When closing, give up: the fan-out counts what this output never delivered.
        if (this.#closing) throw new Error(`no reader on the FIFO ${this.#o.path}`);
        await sleep(200);
      }
    }
  }

  private async closeHandle(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    if (fh !== undefined) await fh.close().catch(() => undefined);
  }

  private logError(err: unknown): void {
    const skipped = this.#limiter.allow('write');
    if (skipped !== undefined) this.#hooks?.logger.error({ output: this.#hooks.name, path: this.#o.path, err, skipped }, `output ${this.#hooks.name}: write to ${this.#o.path} failed`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
