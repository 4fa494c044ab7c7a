// Reads a native record's event type without parsing the record, so records of event types nothing
// downstream uses can be skipped for the price of a few string scans instead of JSON.parse — the
// userspace counterpart of Falco's adaptive syscall selection (the kernel driver enables only the
// syscalls the rules and the state tables need: spec outputs-and-operations §3.2).

/** Longest type name answered; libsinsp's longest event names are about 25 characters. */
const MAX_TYPE_LENGTH = 64;

/**
 * The top-level `type` member of a native record, or undefined when it cannot be known for certain
 * this way (the record is then parsed as usual).
 *
 * For a valid JSON line the answer is exactly what JSON.parse(line).type would be. It answers only
 * when:
 * - the line holds no backslash, so every `"` delimits a string and no key can be spelled with
 *   escapes (`"typ\u0065"` is the key "type" to JSON.parse);
 * - `"type":"` occurs, with no `{` between the opening brace and it, so it is a member of the
 *   top-level object (with no escapes, `"type":"` cannot sit inside a string: after a string's
 *   closing quote only `,` `:` `}` `]` or space may follow);
 * - `"type"` occurs nowhere after it, so no later duplicate key (JSON.parse keeps the last) and no
 *   nested member can disagree.
 * A line that is not valid JSON may still be answered, and is then skipped as a record of its type
 * rather than counted bad; it must at least open with `{` and close with `}`.
 */
export function peekNativeType(line: string): string | undefined {
  if (line.charCodeAt(0) !== 0x7b || line.charCodeAt(line.length - 1) !== 0x7d) return undefined;
  const at = line.indexOf('"type":"');
  if (at < 0) return undefined;
  const brace = line.indexOf('{', 1);
  if (brace >= 0 && brace < at) return undefined;
  if (line.indexOf('"type"', at + 6) >= 0) return undefined;
  if (line.indexOf('\\') >= 0) return undefined;
  const start = at + 8;
  const end = line.indexOf('"', start);
  if (end <= start || end - start > MAX_TYPE_LENGTH) return undefined;
  return line.slice(start, end);
}
