// Exact integers beyond 2^53 from a raw JSON line. JSON.parse rounds them (Node 20 has no source
// access in reviver), so for the few keys that carry nanosecond timestamps the digits are read back
// from the text: find `"key"` followed by `:` and an integer. A `"` that opens `"key":` in valid
// JSON can only start a member name (inside a string every quote is escaped), so the first match of
// an unescaped quote is the member; nesting does not matter for the flat records this is used on.

/** `"key"` for the few keys looked up, built once each. */
const needles = new Map<string, string>();

/** The digits of the integer value of `key` in `line` (with a leading '-' if negative), or undefined. */
export function rawInteger(line: string, key: string): string | undefined {
  let needle = needles.get(key);
  if (needle === undefined) {
    needle = `"${key}"`;
    if (needles.size < 64) needles.set(key, needle);
  }
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

/**
 * ts - d as decimal digits, exact (ts: decimal nanoseconds, beyond 2^53; d: an integer), when the
 * result is positive; undefined otherwise. Without BigInt in the common case (a 16-24 digit ts).
 */
export function nsMinus(ts: string, d: number): string | undefined {
  const len = ts.length;
  if (len < 16 || len > 24 || !Number.isSafeInteger(d)) return bigMinus(ts, d);
  // Base-1e9 limbs read straight from the digits: every intermediate stays a safe integer.
  let hi = 0;
  for (let i = 0; i < len - 9; i++) {
    const c = ts.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return bigMinus(ts, d);
    hi = hi * 10 + c;
  }
  let lo = 0;
  for (let i = len - 9; i < len; i++) {
    const c = ts.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return bigMinus(ts, d);
    lo = lo * 10 + c;
  }
  let dHi = Math.floor(d / 1e9);
  let dLo = d - dHi * 1e9;
  if (dLo < 0) {
    dHi--;
    dLo += 1e9;
  } else if (dLo >= 1e9) {
    dHi++;
    dLo -= 1e9;
  }
  lo -= dLo;
  hi -= dHi;
  if (lo < 0) {
    lo += 1e9;
    hi--;
  }
  if (hi < 0) return undefined;
  if (hi === 0) return lo > 0 ? String(lo) : undefined;
  // The same start times recur (one per process): reuse their text rather than format it again.
  const hit = recent.get(lo);
  if (hit !== undefined && hit.hi === hi) return hit.text;
  const low = String(lo);
  const text = String(hi) + (low.length === 9 ? low : '000000000'.slice(low.length) + low);
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(lo, { hi, text });
  return text;
}

/** Recent nsMinus results by their low limb (the high limb checked on a hit). */
const recent = new Map<number, { hi: number; text: string }>();
const RECENT_MAX = 4096;

function bigMinus(ts: string, d: number): string | undefined {
  const start = BigInt(ts) - BigInt(d);
  return start > 0n ? start.toString() : undefined;
}
