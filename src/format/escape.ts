// String escaping for alerts. Event data is hostile: a crafted command line must not be able to start
// a new log line, move the cursor or smuggle terminal escape sequences into a text alert.

/** A JSON string literal, quotes included: escapes `"`, `\`, C0 controls and lone surrogates. */
export function jsonString(s: string): string {
  return JSON.stringify(s);
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
