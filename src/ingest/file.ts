// File and stdin sources. Gzip is recognised by its magic bytes, not the file name; a .scap capture
// is recognised too (sniffFile) so callers can route it to the sysdig replay source instead.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { SourceError } from './errors.js';
import { linesFromReadable, GZIP_MAGIC, SCAP_MAGIC, startsWith } from './stream.js';
import type { EventSource, LineOptions } from './types.js';

export interface FileSourceOptions extends LineOptions {
  /** Read size (default 1 MiB). */
  readonly chunkBytes?: number;
}

const DEFAULT_CHUNK = 1024 * 1024;

export function fileSource(path: string, options: FileSourceOptions = {}): EventSource {
  return {
    name: `file ${path}`,
    [Symbol.asyncIterator]() {
      const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK });
      return linesFromReadable(stream, options)[Symbol.asyncIterator]();
    },
  };
}

/** Standard input (or any readable given), gzip-aware. Iterate it once. */
export function stdinSource(options: LineOptions & { readonly input?: NodeJS.ReadableStream } = {}): EventSource {
  return {
    name: 'stdin',
    [Symbol.asyncIterator]() {
      const input = (options.input ?? process.stdin) as import('node:stream').Readable;
      return linesFromReadable(input, options)[Symbol.asyncIterator]();
    },
  };
}

export type FileKind = 'text' | 'gzip' | 'scap' | 'gzip-scap' | 'empty';

/** What a file holds, from its first bytes (decompressing a gzip header's worth when needed). */
export async function sniffFile(path: string): Promise<FileKind> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new SourceError('SOURCE_OPEN', `cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const buf = head.subarray(0, bytesRead);
    if (bytesRead === 0) return 'empty';
    if (startsWith(buf, SCAP_MAGIC)) return 'scap';
    if (!startsWith(buf, GZIP_MAGIC)) return 'text';
    const inner = await firstInflated(path);
    return inner !== undefined && startsWith(inner, SCAP_MAGIC) ? 'gzip-scap' : 'gzip';
  } finally {
    await fh.close();
  }
}

async function firstInflated(path: string): Promise<Buffer | undefined> {
  const stream = createReadStream(path, { start: 0, end: 65535 });
  const gz = createGunzip();
  stream.pipe(gz);
  try {
    for await (const chunk of gz) {
      const b = chunk as Buffer;
      if (b.length >= 4) return b;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    gz.destroy();
    stream.destroy();
  }
}
