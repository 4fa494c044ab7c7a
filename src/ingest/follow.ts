// `--follow`: a file read like `tail -F`. After reaching the end it polls; when the file grows the
// new bytes are read, when it shrinks (truncation, copytruncate rotation) reading restarts at 0, and
// when the path names a new file (rename-and-create rotation) the old file is drained first and the
// new one read from its start. A missing file is waited for. Stops when the signal aborts or the
// consumer breaks out of the loop.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { LineSplitter } from './lines.js';
import { sleep } from './sleep.js';
import type { EventSource, LineBatch, LineOptions } from './types.js';

export interface FollowOptions extends LineOptions {
  /** Poll interval at end of file in ms (default 250). */
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
            pos = 0;
            continue;
          }
        }
        await sleep(pollMs, signal);
      }
      const last = splitter.end();
      if (last !== undefined) yield last;
    } finally {
      await cur.fh.close().catch(() => undefined);
    }
  }
  return { name: `follow ${path}`, [Symbol.asyncIterator]: () => run() };
}
