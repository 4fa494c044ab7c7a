// Routing keys read straight from a raw event line, without JSON.parse: the process id, its parent,
// the thread id, and for a fork/clone the new child's id. The shard router (router.ts) asks for the
// keys it needs, lazily — most lines cost one pid lookup and one event-type check.
//
// How a key is found: `line.indexOf('pid"')`, then a check for the quote before it (itself after '{',
// ',' or a blank) and the colon after it. Inside a JSON string a quote is always escaped, so in valid
// JSON such a match can only be a key. In a native line it is a *top-level* key when it comes before
// the first nested object (the first '{' after the line's first character: `args` comes last in
// what the sensor writes). Anything else — the key only inside `args`, a key after a nested object —
// falls back to `topLevelValue`, a one-pass scan that tracks strings and nesting. Invalid JSON may
// route anywhere: the worker that decodes it counts it as bad, exactly as one thread would.
//
// Formats: native (`pid`, `ppid`, `tid`, `type`, `res`) and flat Falco-field JSON (`proc.pid`,
// `proc.ppid`, `thread.tid`, `evt.type`, `evt.rawres`; inside `output_fields` for a Falco alert
// line). Flat records do not nest, and a Falco alert nests only `output_fields`, so for them the
// first match preceded by '{' or ',' is the key. Other formats have no cheap keys (see keysFor).

import type { Format } from '../decode/types.js';

/** What kind of event a line is, as far as routing cares. */
export const enum EventKind {
  Other = 0,
  /** clone, clone3, fork, vfork: a child id may be in the result. */
  Fork = 1,
  /** procexit: the process (or one of its threads) is gone. */
  Exit = 2,
}

/** Lazy access to one line's routing keys; -1 means absent or not a non-negative integer. */
export interface LineKeys {
  /** Points the reader at a new line. */
  reset(line: string): void;
  pid(): number;
  ppid(): number;
  tid(): number;
  kind(): EventKind;
  /** The event's result (the child id of a fork/clone in the parent). */
  res(): number;
  /** For a fork: whether it made a thread (CLONE_THREAD) rather than a process. */
  thread(): boolean;
}

const CLONE_THREAD = 0x10000;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;

/** Largest pid/tid accepted (Linux: PID_MAX_LIMIT is 2^22; anything up to 2^31 is taken as given). */
const MAX_ID = 0x7fffffff;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A non-negative integer starting at `i` (after optional blanks); -1 when the value is anything else. */
export function intAt(line: string, i: number): number {
  const n = line.length;
  while (i < n && isBlank(line.charCodeAt(i))) i++;
  if (i < n && line.charCodeAt(i) === MINUS) return -1;
  let v = 0;
  let digits = 0;
  for (; i < n; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    if (++digits > 10) return -1;
  }
  if (digits === 0 || v > MAX_ID) return -1;
  // 12.5 or 1e3 is not an integer pid.
  if (i < n) {
    const c = line.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) return -1;
  }
  return v;
}

/**
 * The index where the value of top-level key `name` starts (just after its ':'), or -1 when the
 * object has no such top-level key. One pass over the line; strings (with escapes) are skipped.
 * `name` must not need escaping. With duplicate keys the first wins.
 */
export function topLevelValue(line: string, name: string): number {
  const n = line.length;
  let i = 0;
  while (i < n && isBlank(line.charCodeAt(i))) i++;
  if (i >= n || line.charCodeAt(i) !== OPEN_BRACE) return -1;
  i++;
  let depth = 1;
  /** At depth 1, true when the next string is a key (after '{' or ','). */
  let expectKey = true;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      i = start;
      while (i < n) {
        const s = line.charCodeAt(i);
        if (s === BACKSLASH) i += 2;
        else if (s === QUOTE) break;
        else i++;
      }
      if (i >= n) return -1;
      const end = i;
      i++;
      if (depth === 1 && expectKey) {
        expectKey = false;
        if (end - start === name.length && line.startsWith(name, start)) {
          while (i < n && isBlank(line.charCodeAt(i))) i++;
          return i < n && line.charCodeAt(i) === COLON ? i + 1 : -1;
        }
      }
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return -1;
    } else if (c === COMMA && depth === 1) expectKey = true;
    i++;
  }
  return -1;
}

/**
 * Where the value of key `needle` (the key's name and closing quote, e.g. `pid"`) starts, from
 * `from` on: a match preceded by a quote that follows '{', ',' or a blank, and followed (after
 * blanks) by ':'. Searching without the opening quote matters: V8's indexOf is several times
 * slower on a pattern that starts with a character as common as '"'. -1: no such key.
 */
function keyValue(line: string, needle: string, from: number): number {
  for (;;) {
    const at = line.indexOf(needle, from);
    if (at < 0) return -1;
    from = at + 1;
    // `ppid"` while looking for `pid"`, or `\"pid"` ending a string that contains the text.
    if (at < 2 || line.charCodeAt(at - 1) !== QUOTE) continue;
    const b = line.charCodeAt(at - 2);
    if (b !== OPEN_BRACE && b !== COMMA && !isBlank(b)) continue;
    let i = at + needle.length;
    if (line.charCodeAt(i) === COLON) return i + 1;
    while (i < line.length && isBlank(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) === COLON) return i + 1;
  }
}

/**
 * Native lines: a key before the first nested object ('{' after the first character) is a
 * top-level key; arrays need no check, since only objects have keys. Otherwise, scan.
 */
function nativeValue(line: string, needle: string, name: string, nest: number): number {
  const v = keyValue(line, needle, 1);
  if (v < 0) return -1; // not anywhere, so not at the top level either
  if (nest < 0 || v < nest) return v;
  return topLevelValue(line, name);
}

/** Flat lines: no nesting but `output_fields`, so the first key match is the key. */
function flatValue(line: string, needle: string): number {
  return keyValue(line, needle, 1);
}

/** Whether the quoted string at `i` (just after its opening quote) is exactly `word`. */
function isWord(line: string, i: number, word: string): boolean {
  return line.charCodeAt(i + word.length) === QUOTE && line.startsWith(word, i);
}

function kindOf(line: string, valueAt: number): EventKind {
  if (valueAt < 0) return EventKind.Other;
  let i = valueAt;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== QUOTE) return EventKind.Other;
  i++;
  // The names routing cares about have no escapes, so an exact match up to the quote is enough.
  // Dispatch on the first letter: most events are none of these and cost one comparison.
  switch (line.charCodeAt(i)) {
    case 0x63: // c
      return isWord(line, i, 'clone') || isWord(line, i, 'clone3') ? EventKind.Fork : EventKind.Other;
    case 0x66: // f
      return isWord(line, i, 'fork') ? EventKind.Fork : EventKind.Other;
    case 0x76: // v
      return isWord(line, i, 'vfork') ? EventKind.Fork : EventKind.Other;
    case 0x70: // p
      return isWord(line, i, 'procexit') ? EventKind.Exit : EventKind.Other;
    default:
      return EventKind.Other;
  }
}

const UNSET = -2;

/** Memoised per line: each key is looked up at most once. */
abstract class BaseKeys implements LineKeys {
  protected line = '';
  private cPid = UNSET;
  private cPpid = UNSET;
  private cTid = UNSET;
  private cRes = UNSET;
  private cKind: EventKind | undefined;

  reset(line: string): void {
    this.line = line;
    this.cPid = UNSET;
    this.cPpid = UNSET;
    this.cTid = UNSET;
    this.cRes = UNSET;
    this.cKind = undefined;
  }

  protected abstract value(key: 'pid' | 'ppid' | 'tid' | 'res' | 'type'): number;

  private int(key: 'pid' | 'ppid' | 'tid' | 'res'): number {
    const at = this.value(key);
    return at < 0 ? -1 : intAt(this.line, at);
  }

  pid(): number {
    return this.cPid === UNSET ? (this.cPid = this.int('pid')) : this.cPid;
  }

  ppid(): number {
    return this.cPpid === UNSET ? (this.cPpid = this.int('ppid')) : this.cPpid;
  }

  tid(): number {
    return this.cTid === UNSET ? (this.cTid = this.int('tid')) : this.cTid;
  }

  res(): number {
    return this.cRes === UNSET ? (this.cRes = this.int('res')) : this.cRes;
  }

  kind(): EventKind {
    return (this.cKind ??= kindOf(this.line, this.value('type')));
  }

  /** The clone flags: a number (native `args.flags`) or Falco's text (`CLONE_FILES|CLONE_THREAD|…`). */
  thread(): boolean {
    const at = this.flagsValue();
    if (at < 0) return false;
    const n = intAt(this.line, at);
    if (n >= 0) return (n & CLONE_THREAD) !== 0;
    return this.line.indexOf('CLONE_THREAD', at) >= 0;
  }

  protected abstract flagsValue(): number;
}

const NATIVE_NAMES = { pid: 'pid"', ppid: 'ppid"', tid: 'tid"', res: 'res"', type: 'type"' } as const;

class NativeKeys extends BaseKeys {
  /** The first '{' after the line's first character (-1: none), or UNSET. */
  private nest = UNSET;

  override reset(line: string): void {
    super.reset(line);
    this.nest = UNSET;
  }

  protected value(key: 'pid' | 'ppid' | 'tid' | 'res' | 'type'): number {
    if (this.nest === UNSET) this.nest = this.line.indexOf('{', 1);
    return nativeValue(this.line, NATIVE_NAMES[key], key, this.nest);
  }

  /** `args.flags`: the first `flags` key anywhere (clone's only one is in args). */
  protected flagsValue(): number {
    return keyValue(this.line, 'flags"', 1);
  }
}

const FLAT_NAMES = { pid: 'proc.pid"', ppid: 'proc.ppid"', tid: 'thread.tid"', res: 'evt.rawres"', type: 'evt.type"' } as const;

class FlatKeys extends BaseKeys {
  protected value(key: 'pid' | 'ppid' | 'tid' | 'res' | 'type'): number {
    return flatValue(this.line, FLAT_NAMES[key]);
  }

  /** `evt.arg.flags` (text), else `evt.args`/`evt.info` (text holding `flags=…(CLONE_…)`). */
  protected flagsValue(): number {
    const v = keyValue(this.line, 'evt.arg.flags"', 1);
    if (v >= 0 && this.line.charCodeAt(v) !== 0x6e /* null */) return v;
    const a = keyValue(this.line, 'evt.args"', 1);
    return a >= 0 ? a : keyValue(this.line, 'evt.info"', 1);
  }
}

/**
 * A key reader for a format, or undefined when the format has no keys that are cheap to find
 * (sysdig's default -j names only the thread; Tetragon and Tracee nest the process and parent in
 * objects whose key order varies) — such inputs are routed to a single worker.
 */
export function keysFor(format: Format): LineKeys | undefined {
  switch (format) {
    case 'native': return new NativeKeys();
    case 'falco-json': return new FlatKeys();
    default: return undefined;
  }
}
