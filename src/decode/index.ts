// The decoders' public face: createDecoder(format) for a named format or 'auto', which picks the
// format from the first record that identifies one (records before it are counted as bad).

import type { SyscallEvent } from '../event/types.js';
import { FlatDecoder } from './flat.js';
import { HarnessDecoder, type RecordFn, type UnusedRecord } from './harness.js';
import { isObj } from './json.js';
import { NativeDecoder } from './native.js';
import { decodeTetragon } from './tetragon.js';
import { TraceeDecoder } from './tracee.js';
import { unusedNativeRecord } from './type-peek.js';
import {
  FORMATS, newDecodeStats,
  type BadReason, type DecodeOptions, type DecodeStats, type Decoder, type Format, type FormatOption,
} from './types.js';

export * from './types.js';
export { RateLimitedLog } from './harness.js';

const TETRAGON_KEYS = [
  'process_exec', 'process_exit', 'process_kprobe', 'process_tracepoint', 'process_connect', 'process_close',
  'process_listen', 'process_lsm', 'process_uprobe', 'process_usdt', 'process_loader', 'process_throttle',
];

/** The format of one record, or undefined when it is not JSON or not recognisable. */
export function detectFormat(line: string): Format | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObj(v)) return undefined;
  for (const k of TETRAGON_KEYS) if (v[k] !== undefined) return 'tetragon';
  if (v['eventName'] !== undefined) return 'tracee';
  if (typeof v['name'] === 'string' && (isObj(v['workload']) || isObj(v['timestamp']))) return 'tracee';
  const of = v['output_fields'];
  if (isObj(of) && typeof v['rule'] === 'string') return 'falco-json';
  if (typeof v['evt.type'] === 'string') return v['evt.info'] !== undefined ? 'sysdig' : 'falco-json';
  if (typeof v['type'] === 'string' && v['ts'] !== undefined && v['pid'] !== undefined) return 'native';
  return undefined;
}

function recordFn(format: Format): RecordFn {
  switch (format) {
    case 'native': {
      const d = new NativeDecoder();
      return (line, _lineNo, into) => d.record(line, into);
    }
    case 'tetragon': return decodeTetragon;
    case 'tracee': {
      const d = new TraceeDecoder();
      return (line) => d.record(line);
    }
    case 'falco-json':
    case 'sysdig': {
      const d = new FlatDecoder({ mergeEnter: true });
      return (line) => d.record(line);
    }
  }
}

/** How a format tells a record of an unneeded event type without parsing it, where it can. */
function unusedFn(format: Format): UnusedRecord | undefined {
  return format === 'native' ? unusedNativeRecord : undefined;
}

class AutoDecoder implements Decoder {
  readonly format: FormatOption = 'auto';
  readonly stats: DecodeStats = newDecodeStats();
  private inner: HarnessDecoder | undefined;
  private readonly probe: HarnessDecoder;

  constructor(private readonly options: DecodeOptions) {
    // Counts and logs the records seen before the format is known.
    this.probe = new HarnessDecoder('native', () => undefined, options, this.stats);
  }

  get detected(): Format | undefined {
    return this.inner?.detected;
  }

  decode(line: string, lineNo: number, into?: SyscallEvent): SyscallEvent | undefined {
    if (this.inner !== undefined) return this.inner.decode(line, lineNo, into);
    if (line.length === 0) {
      this.stats.lines++;
      this.stats.blank++;
      return undefined;
    }
    const format = detectFormat(line);
    if (format === undefined) {
      let json = true;
      try {
        JSON.parse(line);
      } catch {
        json = false;
      }
      this.probe.bad(lineNo, json ? 'unknown-format' : 'invalid-json', json ? 'cannot tell the input format from this record' : 'not JSON');
      return undefined;
    }
    this.inner = new HarnessDecoder(format, recordFn(format), this.options, this.stats, unusedFn(format));
    return this.inner.decode(line, lineNo, into);
  }

  bad(lineNo: number, reason: BadReason, detail?: string): void {
    (this.inner ?? this.probe).bad(lineNo, reason, detail);
  }
}

/** A decoder for one stream (decoders keep per-stream state: enter/exit pairing, de-duplication). */
export function createDecoder(format: FormatOption, options: DecodeOptions = {}): Decoder {
  if (format === 'auto') return new AutoDecoder(options);
  if (!FORMATS.includes(format)) throw new TypeError(`unknown input format '${String(format)}'`);
  return new HarnessDecoder(format, recordFn(format), options, newDecodeStats(), unusedFn(format));
}

export function isFormatOption(s: string): s is FormatOption {
  return s === 'auto' || (FORMATS as readonly string[]).includes(s);
}
