// Line batches from a Node readable (a file, stdin, a child's stdout), decompressing gzip when the
// first bytes carry its magic. Pull-based: the readable is consumed by async iteration, so nothing
// is read faster than the consumer asks; returning early destroys the readable.

import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LineSplitter } from './lines.js';
import type { LineBatch, LineOptions } from './types.js';

export const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** pcapng section header block type: the first four bytes of an uncompressed .scap file. */
export const SCAP_MAGIC = [0x0a, 0x0d, 0x0d, 0x0a] as const;

export function startsWith(buf: Uint8Array, magic: readonly number[]): boolean {
  if (buf.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (buf[i] !== magic[i]) return false;
  return true;
}

/** Reads the first chunk without consuming it (it is pushed back). Undefined for an empty stream. */
async function peek(readable: Readable): Promise<Buffer | undefined> {
  for (;;) {
    const chunk = readable.read() as Buffer | string | null;
    if (chunk !== null) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      readable.unshift(buf);
      return buf;
    }
    if (readable.readableEnded || readable.destroyed) return undefined;
    const which = await new Promise<'end' | 'readable'>((resolve, reject) => {
      const done = (v: 'end' | 'readable' | Error): void => {
        readable.off('end', onEnd);
        readable.off('readable', onReadable);
        readable.off('error', onError);
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      const onEnd = (): void => done('end');
      const onReadable = (): void => done('readable');
      const onError = (err: Error): void => done(err);
      readable.on('end', onEnd);
      readable.on('readable', onReadable);
      readable.on('error', onError);
    });
    if (which === 'end') return undefined;
  }
}

export interface ReadableLinesOptions extends LineOptions {
  /** Decompress when the stream starts with the gzip magic (default true). */
  readonly gunzip?: boolean;
}

export async function* linesFromReadable(readable: Readable, options: ReadableLinesOptions = {}): AsyncGenerator<LineBatch> {
  const splitter = new LineSplitter(options.maxLineBytes);
  let input: Readable = readable;
  try {
    const head = await peek(readable);
    if (head === undefined) return;
    if ((options.gunzip ?? true) && startsWith(head, GZIP_MAGIC)) {
      const gz = createGunzip();
      readable.on('error', (err) => gz.destroy(err));
      input = readable.pipe(gz);
    }
    for await (const chunk of input) {
      const batch = splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      if (batch !== undefined) yield batch;
    }
    const last = splitter.end();
    if (last !== undefined) yield last;
  } finally {
    if (input !== readable) input.destroy();
    readable.destroy();
  }
}
