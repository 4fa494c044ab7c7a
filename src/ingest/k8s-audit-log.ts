// The Kubernetes audit log reader: a file written by kube-apiserver's log backend
// (`--audit-log-path`, one JSON Event per line; a line may also hold an EventList or an array, as the
// k8saudit plugin accepts), read once or followed like `tail -F`.
//
// Follow mode polls (default every 250 ms): new bytes are read as they appear; a file replaced by log
// rotation (new inode) is finished and the new one read from its start; a truncated file is re-read
// from its start. A partial last line waits for its newline while following and is decoded at EOF
// otherwise. Lines longer than `maxLineBytes` are skipped and counted, so memory stays bounded.
//
// NOTE for the integrator: this is a minimal line reader private to the k8s audit source; merge it with
// the generic file/follow source (src/ingest) when that lands, keeping the rotation/truncation
// behaviour and the tests in test/ingest/k8s-audit-log.test.ts.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { K8sAuditEvent } from '../event/types.js';
import { K8sAuditDecoder, type K8sAuditDecodeStats, type K8sAuditDecoderOptions } from '../decode/k8saudit.js';

export interface AuditLogOptions {
  /** Keep reading as the file grows, across rotation and truncation, until aborted or the consumer stops. */
  readonly follow?: boolean;
  /** With `follow`, start at the current end of the file instead of its beginning. */
  readonly fromEnd?: boolean;
  /** Poll interval while following (default 250 ms). */
  readonly pollIntervalMs?: number;
  /** Longest accepted line (default 12 MiB, the webhook's body limit). */
  readonly maxLineBytes?: number;
  readonly decoder?: K8sAuditDecoderOptions;
  /** Stops following (the iteration ends normally). */
  readonly signal?: AbortSignal;
}

export interface AuditLogStats {
  lines: number;
  bytes: number;
  /** Lines over `maxLineBytes`, skipped. */
  longLines: number;
  /** Lines that held no audit event (not JSON, or not an Event/EventList). */
  badLines: number;
  rotations: number;
  truncations: number;
  decode: K8sAuditDecodeStats;
}

export interface AuditLogSource extends AsyncIterable<K8sAuditEvent> {
  stats(): AuditLogStats;
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/** Reads (and optionally follows) a kube-apiserver audit log. Errors opening the file reject the first `next()`. */
export function readAuditLog(path: string, options: AuditLogOptions = {}): AuditLogSource {
  const decoder = new K8sAuditDecoder(options.decoder);
  const maxLine = options.maxLineBytes ?? 12 * 1024 * 1024;
  const pollMs = options.pollIntervalMs ?? 250;
  const counts = { lines: 0, bytes: 0, longLines: 0, badLines: 0, rotations: 0, truncations: 0 };

  /** Splits chunks into lines; keeps a bounded partial line between chunks. */
  class Lines {
    private carry: Buffer[] = [];
    private carryLen = 0;
    private skipping = false;

    /** Complete lines in `chunk` (after any carried partial line). */
    *feed(chunk: Buffer): Generator<Buffer> {
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        if (this.skipping) {
          this.skipping = false;
          continue;
        }
        if (this.carryLen + piece.length > maxLine) {
          this.reset();
          counts.longLines++;
          continue;
        }
        if (this.carryLen === 0) {
          yield piece;
        } else {
          this.carry.push(piece);
          const line = Buffer.concat(this.carry, this.carryLen + piece.length);
          this.reset();
          yield line;
        }
      }
      const rest = chunk.subarray(start);
      if (rest.length === 0 || this.skipping) return;
      if (this.carryLen + rest.length > maxLine) {
        this.reset();
        this.skipping = true;
        counts.longLines++;
        return;
      }
      // Copy: the chunk buffer is reused for the next read.
      this.carry.push(Buffer.from(rest));
      this.carryLen += rest.length;
    }

    /** The partial last line, if any (at EOF when not following, or before switching files). */
    flush(): Buffer | undefined {
      if (this.carryLen === 0 || this.skipping) {
        this.reset();
        return undefined;
      }
      const line = Buffer.concat(this.carry, this.carryLen);
      this.reset();
      return line;
    }

    reset(): void {
      this.carry = [];
      this.carryLen = 0;
      this.skipping = false;
    }
  }

  function* decodeLine(line: Buffer): Generator<K8sAuditEvent> {
    let end = line.length;
    if (end > 0 && line[end - 1] === 0x0d) end--;
    let blank = true;
    for (let i = 0; i < end; i++) {
      const c = line[i];
      if (c !== 0x20 && c !== 0x09) { blank = false; break; }
    }
    if (blank) return;
    counts.lines++;
    const { events, ok } = decoder.decode(line.toString('utf8', 0, end));
    if (!ok) counts.badLines++;
    yield* events;
  }

  async function* run(): AsyncGenerator<K8sAuditEvent> {
    const follow = options.follow ?? false;
    const signal = options.signal;
    let fh: FileHandle = await open(path, 'r');
    try {
      let ino = (await fh.stat()).ino;
      let pos = follow && options.fromEnd ? (await fh.stat()).size : 0;
      const buf = Buffer.allocUnsafe(CHUNK);
      const lines = new Lines();
      /** Reads from `pos` to the current end of `fh`, yielding events. */
      async function* drain(): AsyncGenerator<K8sAuditEvent> {
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
          if (bytesRead === 0) return;
          pos += bytesRead;
          counts.bytes += bytesRead;
          for (const line of lines.feed(buf.subarray(0, bytesRead))) yield* decodeLine(line);
        }
      }
      for (;;) {
        yield* drain();
        if (!follow || signal?.aborted) break;
        try {
          await sleep(pollMs, undefined, signal ? { signal } : undefined);
        } catch {
          break; // aborted
        }
        let st;
        try {
          st = await stat(path);
        } catch {
          continue; // between rotation's rename and create: keep the old file and look again
        }
        if (st.ino !== ino) {
          // Rotated: finish what the writer appended to the old file, then switch to the new one.
          yield* drain();
          const last = lines.flush();
          if (last !== undefined) yield* decodeLine(last);
          let next: FileHandle;
          try {
            next = await open(path, 'r');
          } catch {
            continue;
          }
          await fh.close();
          fh = next;
          ino = (await fh.stat()).ino;
          pos = 0;
          counts.rotations++;
        } else if (st.size < pos) {
          counts.truncations++;
          lines.reset();
          pos = 0;
        }
      }
      const last = lines.flush();
      if (last !== undefined) yield* decodeLine(last);
    } finally {
      await fh.close();
    }
  }

  return {
    [Symbol.asyncIterator]: () => run(),
    stats: () => ({ ...counts, decode: decoder.stats() }),
  };
}
