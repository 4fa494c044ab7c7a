// `--follow`: a file read like `tail -F`. After reaching the end it waits for the kernel to report a
// change to the file (inotify through fs.watch) or for the poll interval, whichever comes first — the
// watch keeps alert latency low, the poll catches what a watch can miss (rotation, network file
// systems, a watch that could not be set up). When the file grows the
// new bytes are read, when it shrinks (truncation, copytruncate rotation) reading restarts at 0, and
// when the path names a new file (rename-and-create rotation) the old file is drained first and the
// new one read from its start. A missing file is waited for. Stops when the signal aborts or the
// consumer breaks out of the loop.

import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { LineSplitter } from './lines.js';
import { sleep } from './sleep.js';
import type { EventSource, LineBatch, LineOptions } from './types.js';

export interface FollowOptions extends LineOptions {
  /** Longest wait at end of file in ms when no change is reported (default 250). */
  readonly pollMs?: number;
  /** Start at the current end of the file instead of its beginning (default false). */
  readonly fromEnd?: boolean;
  readonly signal?: AbortSignal;
  /** Told about rotations and truncations (for logs). */
  readonly onNotice?: (message: string) => void;
}

async function tryOpen(path: string): Promise<{ fh: FileHandle; ino: number; dev: number } | undefined> {
  try {
    const fh = await open(path, 'r');
    const st = await fh.stat();
    return { fh, ino: st.ino, dev: st.dev };
  } catch {
    return undefined;
  }
}

/** Waits at the end of a file: resolves on a change event for the watched file, the timeout, or abort. */
class EndOfFileWait {
  #watcher: FSWatcher | undefined;
  #wake: (() => void) | undefined;
  #changed = false;

  /** Watches the file now open at `path` (a new one after rotation); polling alone if that fails. */
  watch(path: string): void {
    this.close();
    try {
      this.#watcher = watch(path, { persistent: false }, () => {
        this.#changed = true;
        this.#wake?.();
      });
      this.#watcher.on('error', () => this.close());
    } catch {
      this.#watcher = undefined;
    }
  }

  async wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#changed) {
      this.#changed = false;
      return;
    }
    const wake = new AbortController();
    const onAbort = (): void => wake.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#wake = onAbort;
    try {
      await sleep(ms, wake.signal);
    } finally {
      this.#wake = undefined;
      this.#changed = false;
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}

export function followSource(path: string, options: FollowOptions = {}): EventSource {
  const pollMs = options.pollMs ?? 250;
  const signal = options.signal;
  const notice = options.onNotice ?? ((): void => {});
  async function* run(): AsyncGenerator<LineBatch> {
    const splitter = new LineSplitter(options.maxLineBytes);
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let cur = await tryOpen(path);
    while (cur === undefined && !signal?.aborted) {
      await sleep(pollMs, signal);
      cur = await tryOpen(path);
    }
    if (cur === undefined) return;
    const eof = new EndOfFileWait();
    eof.watch(path);
    let pos = options.fromEnd ? (await cur.fh.stat()).size : 0;
    try {
      while (!signal?.aborted) {
        const { bytesRead } = await cur.fh.read(buf, 0, buf.length, pos);
        if (bytesRead > 0) {
          pos += bytesRead;
          const batch = splitter.push(buf.subarray(0, bytesRead));
          if (batch !== undefined) yield batch;
          continue;
        }
        // At the end: has the file been truncated or replaced?
        const size = (await cur.fh.stat()).size;
        if (size < pos) {
          notice(`${path}: file truncated; reading from the start`);
          const last = splitter.end();
          if (last !== undefined) yield last;
          pos = 0;
          continue;
        }
        let st;
        try {
          st = await stat(path);
        } catch {
          st = undefined;
        }
        if (st !== undefined && (st.ino !== cur.ino || st.dev !== cur.dev)) {
          const next = await tryOpen(path);
          if (next !== undefined) {
            notice(`${path}: file replaced (rotation); following the new file`);
            const last = splitter.end();
            if (last !== undefined) yield last;
            await cur.fh.close();
            cur = next;
            eof.watch(path);
            pos = 0;
            continue;
          }
        }
        await eof.wait(pollMs, signal);
      }
      const last = splitter.end();
      if (last !== undefined) yield last;
    } finally {
      eof.close();
      await cur.fh.close().catch(() => undefined);
    }
  }
  return { name: `follow ${path}`, [Symbol.asyncIterator]: () => run() };
}
