// String escaping for alerts. Event data is hostile: a crafted command line must not be able to start
// a new log line, move the cursor or smuggle terminal escape sequences into a text alert.

// Characters JSON.stringify would escape (or check: surrogates, escaped only when unpaired).
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A JSON string literal, quotes included — exactly JSON.stringify(s): escapes `"`, `\`, C0 controls
 * and lone surrogates. Most alert strings need no escaping, so they are scanned first and quoted as
 * they are (a char loop for short strings, one regex test for long ones: 2–3× faster than
 * JSON.stringify); anything else goes to JSON.stringify.
 */
export function jsonString(s: string): string {
  if (s.length < 32) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
    }
    return `"${s}"`;
  }
  return NEEDS_JSON_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

// Characters JSON leaves alone that a terminal or log viewer may still act on: DEL, the C1 controls
// (U+0080–U+009F, e.g. U+009B CSI) and the Unicode line/paragraph separators. One character class,
// matched without backtracking.
const EXTRA = /[\u007f-\u009f\u2028\u2029]/g;
const HAS_EXTRA = /[\u007f-\u009f\u2028\u2029]/;

const hex4 = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Falco's text-line escaping (spec §4.4): the line as a JSON string without its surrounding quotes,
 * so `\n`, `\t`, `\u0001`, `\"` and `\\` appear escaped. Beyond Falco, DEL, C1 controls and
 * U+2028/U+2029 are escaped too (`\u009b`): they are control characters by Unicode's definition.
 */
export function escapeLine(s: string): string {
  const inner = JSON.stringify(s).slice(1, -1);
  return HAS_EXTRA.test(inner) ? inner.replace(EXTRA, hex4) : inner;
}
