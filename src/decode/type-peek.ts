// Reads a native record's event type without parsing the record, so records of event types nothing
// downstream uses can be skipped for the price of a few string scans instead of JSON.parse — the
// userspace counterpart of Falco's adaptive syscall selection (the kernel driver enables only the
// syscalls the rules and the state tables need: spec outputs-and-operations §3.2).

import type { EventTypeFilter } from './types.js';

/** Longest type name answered; libsinsp's longest event names are about 25 characters. */
const MAX_TYPE_LENGTH = 64;

/**
 * Where the value of the first `"type":"` member starts, when it sits in the top-level object
 * (no `{` between the opening brace and it) of a line that opens with `{` and closes with `}`; -1
 * otherwise. Cheap: it scans only up to the member. Not yet exact (see exactType).
 */
function typeStart(line: string): number {
  if (line.charCodeAt(0) !== 0x7b || line.charCodeAt(line.length - 1) !== 0x7d) return -1;
  const at = line.indexOf('"type":"');
  return at < 0 || line.lastIndexOf('{', at) !== 0 ? -1 : at + 8;
}

/** Where that value ends (its closing quote), or -1 when it is empty or too long. */
function typeEnd(line: string, start: number): number {
  const end = line.indexOf('"', start);
  return end <= start || end - start > MAX_TYPE_LENGTH ? -1 : end;
}

/**
 * Whether the value found by typeStart/typeEnd is exactly what JSON.parse(line).type would be, for
 * a valid JSON line. It is when:
 * - the line holds no backslash, so every `"` delimits a string and no key can be spelled with
 *   escapes (`"typ\u0065"` is the key "type" to JSON.parse); then `"type":"` cannot sit inside a
 *   string (after a string's closing quote only `,` `:` `}` `]` or space may follow), and with no
 *   `{` before it, it is a member of the top-level object;
 * - `"type"` occurs nowhere after it, so no later duplicate key (JSON.parse keeps the last) and no
 *   nested member can disagree.
 * These scan the whole line, so they run only for records about to be skipped.
 */
function exactType(line: string, end: number): boolean {
  return line.indexOf('"type"', end) < 0 && line.indexOf('\\') < 0;
}

/**
 * The top-level `type` of a native record, or undefined when it cannot be known for certain without
 * parsing. A line that is not valid JSON may still be answered (it must at least open with `{` and
 * close with `}`).
 */
export function peekNativeType(line: string): string | undefined {
  const start = typeStart(line);
  const end = start < 0 ? -1 : typeEnd(line, start);
  return end < 0 || !exactType(line, end) ? undefined : line.slice(start, end);
}

/**
 * Whether `line` is a native record of an event type `filter` does not need, known for certain
 * without parsing it (peekNativeType's conditions). Records of needed types cost only the scan up
 * to their type member; a record skipped on a wrong guess is impossible, a record parsed although
 * unneeded (an escape somewhere in it) only costs the parse.
 */
export function unusedNativeRecord(line: string, filter: EventTypeFilter): boolean {
  const start = typeStart(line);
  const end = start < 0 ? -1 : typeEnd(line, start);
  return end >= 0 && !filter.needs(line.slice(start, end)) && exactType(line, end);
}
