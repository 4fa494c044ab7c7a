// Exact integers beyond 2^53 from a raw JSON line. JSON.parse rounds them (Node 20 has no source
// access in reviver), so for the few keys that carry nanosecond timestamps the digits are read back
// from the text: find `"key"` followed by `:` and an integer. A `"` that opens `"key":` in valid
// JSON can only start a member name (inside a string every quote is escaped), so the first match of
// an unescaped quote is the member; nesting does not matter for the flat records this is used on.

/** The digits of the integer value of `key` in `line` (with a leading '-' if negative), or undefined. */
export function rawInteger(line: string, key: string): string | undefined {
  const needle = `"${key}"`;
  let from = 0;
  for (;;) {
    const at = line.indexOf(needle, from);
    if (at < 0) return undefined;
    from = at + needle.length;
    if (!unescapedQuote(line, at)) continue;
    let i = from;
    while (i < line.length && isSpace(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 58 /* : */) continue;
    i++;
    while (i < line.length && isSpace(line.charCodeAt(i))) i++;
    const start = i;
    if (line.charCodeAt(i) === 45 /* - */) i++;
    const digitsStart = i;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    if (i === digitsStart) return undefined;
    const next = line.charCodeAt(i);
    // A fraction or exponent means it is not an integer: leave it to JSON.parse.
    if (next === 46 || next === 101 || next === 69) return undefined;
    return line.slice(start, i);
  }
}

function unescapedQuote(line: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && line.charCodeAt(i) === 92 /* \ */; i--) n++;
  return n % 2 === 0;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** A JSON number that may have lost precision, made exact from the line when it is an unsafe integer. */
export function exactInteger(value: number, line: string, key: string): string | undefined {
  if (Number.isSafeInteger(value)) return String(value);
  if (!Number.isInteger(value)) return undefined;
  return rawInteger(line, key);
}

/** As a value for `given`: a number when safe, else a bigint (exact). */
export function exactNumber(value: number, line: string, key: string): number | bigint {
  if (Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
  const digits = rawInteger(line, key);
  return digits === undefined ? value : BigInt(digits);
}
