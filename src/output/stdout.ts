// The stdout output: text or JSON lines on a writable stream (process.stdout by default).
// Backpressure is honoured (an unread pipe fills this output's queue, nothing else). A closed pipe
// (EPIPE: `peregrine … | head`) stops this output cleanly and is reported through the fan-out's
// onStop(…, 'broken-pipe'), which the CLI uses to finish and exit 0.

import type { Alert } from '../format/alert.js';
import { alertLines, type AlertFormat, type AlertSink, type SinkHooks, type SinkStats } from './types.js';

export interface StdoutSinkOptions {
  readonly format: AlertFormat;
  /** Default: process.stdout. */
  readonly stream?: NodeJS.WritableStream;
}

export class StdoutSink implements AlertSink {
  readonly type = 'stdout';
  readonly #format: AlertFormat;
  readonly #stream: NodeJS.WritableStream;
  #hooks: SinkHooks | undefined;
  #sent = 0;
  #failed = 0;
  #stopped = false;
  readonly #onError = (err: NodeJS.ErrnoException): void => {
    this.stop(err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' ? 'broken-pipe' : 'error', err);
  };
  /** Closed without an error (e.g. destroyed by its owner when the reader exited): equally final. */
  readonly #onClose = (): void => {
    this.stop('broken-pipe');
  };

  constructor(options: StdoutSinkOptions) {
    this.#format = options.format;
    this.#stream = options.stream ?? process.stdout;
  }

  open(hooks: SinkHooks): Promise<void> {
    this.#hooks = hooks;
    // Without a listener an EPIPE would be an uncaught exception.
    this.#stream.on('error', this.#onError);
    this.#stream.on('close', this.#onClose);
    return Promise.resolve();
  }

  async write(batch: readonly Alert[]): Promise<void> {
    if ((this.#stream as { destroyed?: boolean }).destroyed === true) this.stop('broken-pipe');
    if (this.#stopped) {
      this.#failed += batch.length;
      return;
    }
    const ok = this.#stream.write(alertLines(batch, this.#format));
    this.#sent += batch.length;
    if (!ok) await this.drained();
  }

  async flush(): Promise<void> {
    const s = this.#stream as NodeJS.WritableStream & { writableNeedDrain?: boolean };
    if (!this.#stopped && s.writableNeedDrain === true) await this.drained();
  }

  async close(): Promise<void> {
    await this.flush();
    this.#stream.removeListener('close', this.#onClose);
    // Keep the error listener: a late EPIPE after close must not become an uncaught exception.
  }

  private stop(reason: 'broken-pipe' | 'error', err?: Error): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#hooks?.stopped(reason, err);
  }

  stats(): SinkStats {
    return { sent: this.#sent, failed: this.#failed, extra: { stopped: this.#stopped ? 1 : 0 } };
  }

  /** Resolves on 'drain', or when the stream errors or closes (then nothing more will drain). */
  private drained(): Promise<void> {
    const st = this.#stream as NodeJS.WritableStream & { destroyed?: boolean; writableNeedDrain?: boolean };
    // A stream already destroyed (EPIPE) emits nothing more: waiting for an event would hang.
    if (this.#stopped || st.destroyed === true || st.writableNeedDrain === false) return Promise.resolve();
    return new Promise((resolve) => {
      const s = this.#stream;
      const done = (): void => {
        s.removeListener('drain', done);
        s.removeListener('error', done);
        s.removeListener('close', done);
        resolve();
      };
      s.once('drain', done);
      s.once('error', done);
      s.once('close', done);
    });
  }
}
