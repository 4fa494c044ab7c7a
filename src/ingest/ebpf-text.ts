// Text helpers for the sensor adapter. Strings reach Node inside bpftrace's JSON output already
// JSON-escaped, and the adapter copies that escaped text straight into the native JSON line it
// builds (no decode/encode per event). Two wrinkles of bpftrace 0.17's escaper are handled here:
// bytes >= 0x80 come out as `\uffffffXX` (a sign-extended char printed in hex) — reversed to the
// raw bytes and decoded as UTF-8 — and the adapter sometimes needs a string's length in raw bytes
// (to tell a string that filled its buffer, i.e. may be truncated, from a shorter one).

const BACKSLASH = 0x5c;

/** Length of the escape sequence starting at `i` (text[i] is a backslash). */
function escapeLength(text: string, i: number): number {
  if (text.charCodeAt(i + 1) !== 0x75 /* u */) return 2;
  // bpftrace 0.17 writes bytes >= 0x80 as \uffffffXX (10 characters).
  return text.startsWith('ffffff', i + 2) && text.length >= i + 10 ? 10 : 6;
}

/** UTF-8 length of the character at `i` and how many UTF-16 units it spans. */
function charBytes(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdbff) return 4; // high surrogate: the pair is 4 bytes
  if (code >= 0xdc00 && code <= 0xdfff) return 0; // low surrogate: counted with its pair
  return 3;
}

/** Number of raw bytes the escaped text stands for. */
export function rawLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      i += escapeLength(text, i);
      bytes++;
    } else {
      bytes += charBytes(c);
      i++;
    }
  }
  return bytes;
}

/**
 * Returns valid JSON string content: bpftrace's `\uffffffXX` escapes (raw bytes >= 0x80) are
 * collected and decoded as UTF-8 (invalid sequences become U+FFFD), everything else is kept.
 */
export function fixHighBytes(text: string): string {
  if (!text.includes('\\uffffff')) return text;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length;) {
    if (text.charCodeAt(i) !== BACKSLASH) { i++; continue; }
    const len = escapeLength(text, i);
    if (len !== 10) { i += len; continue; }
    out += text.slice(last, i);
    const bytes: number[] = [];
    while (i < text.length && text.charCodeAt(i) === BACKSLASH && escapeLength(text, i) === 10) {
      bytes.push(parseInt(text.slice(i + 8, i + 10), 16) & 0xff);
      i += 10;
    }
    out += JSON.stringify(Buffer.from(bytes).toString('utf8')).slice(1, -1);
    last = i;
  }
  return out + text.slice(last);
}

/** Escapes a string for a JSON string literal's content. */
export function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/**
 * The kernel's comm (16 bytes, NUL-terminated) from the two little-endian u64 the sensor prints in
 * hex, as escaped JSON string content.
 */
export function commFromHex(lo: string, hi: string): string {
  const bytes: number[] = [];
  for (const word of [lo, hi]) {
    for (let end = word.length, k = 0; k < 8; k++, end -= 2) {
      const b = end <= 0 ? 0 : parseInt(word.slice(Math.max(0, end - 2), end), 16);
      if (b === 0 || Number.isNaN(b)) return jsonEscape(Buffer.from(bytes).toString('utf8'));
      bytes.push(b);
    }
  }
  return jsonEscape(Buffer.from(bytes).toString('utf8'));
}

/** Dotted-quad text of an IPv4 address read from memory as a little-endian u32 (hex). */
export function ipv4FromWord(hex: string): string {
  const v = parseInt(hex, 16) >>> 0;
  return `${v & 0xff}.${(v >>> 8) & 0xff}.${(v >>> 16) & 0xff}.${v >>> 24}`;
}

/** RFC 5952 text of an IPv6 address from four little-endian u32 words (hex), as inet_ntop writes it. */
export function ipv6FromWords(words: readonly string[]): string {
  const groups: number[] = [];
  for (const w of words) {
    const v = parseInt(w, 16) >>> 0;
    // memory order: bytes b0 b1 b2 b3 = v's low byte first
    groups.push(((v & 0xff) << 8) | ((v >>> 8) & 0xff), (((v >>> 16) & 0xff) << 8) | (v >>> 24));
  }
  // IPv4-mapped ::ffff:a.b.c.d
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${groups[6]! >>> 8}.${groups[6]! & 0xff}.${groups[7]! >>> 8}.${groups[7]! & 0xff}`;
  }
  // the longest run (>= 2) of zero groups becomes "::"
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hexes = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hexes.join(':');
  return `${hexes.slice(0, bestStart).join(':')}::${hexes.slice(bestStart + bestLen).join(':')}`;
}

/** A 16-bit port read from memory in network byte order. */
export function portFromNet(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}
