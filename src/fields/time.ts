// Renders event timestamps (decimal nanoseconds since the epoch) the way Falco prints them.

function split(ts: string): { ms: number; nanos: string } | undefined {
  if (!/^[0-9]{1,20}$/.test(ts)) return undefined;
  const padded = ts.padStart(10, '0');
  const secs = padded.slice(0, -9) || '0';
  const nanos = padded.slice(-9);
  return { ms: Number(secs) * 1000, nanos };
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `%evt.time`: local wall-clock `HH:MM:SS.nnnnnnnnn`. */
export function timeText(ts: string): string | undefined {
  const s = split(ts);
  if (!s) return undefined;
  const d = new Date(s.ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${s.nanos}`;
}

/** `%evt.time.s`: local `HH:MM:SS`. */
export function timeSecondsText(ts: string): string | undefined {
  const s = split(ts);
  if (!s) return undefined;
  const d = new Date(s.ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `%evt.time.iso8601`: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (UTC). */
export function timeIsoText(ts: string): string | undefined {
  const s = split(ts);
  if (!s) return undefined;
  return `${new Date(s.ms).toISOString().slice(0, 19)}.${s.nanos}+0000`;
}

/** The JSON alert `time`: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (UTC). */
export function timeJsonText(ts: string): string | undefined {
  const s = split(ts);
  if (!s) return undefined;
  return `${new Date(s.ms).toISOString().slice(0, 19)}.${s.nanos}Z`;
}

/** `%evt.datetime`: local `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`. */
export function dateTimeText(ts: string, withNanos = true): string | undefined {
  const s = split(ts);
  if (!s) return undefined;
  const d = new Date(s.ms);
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return withNanos ? `${date} ${time}.${s.nanos}` : `${date} ${time}`;
}

/** Difference a − b of two decimal-nanosecond timestamps as a number of nanoseconds. */
export function nsDiff(a: string, b: string): number | undefined {
  if (a === '' || b === '') return undefined;
  try {
    return Number(BigInt(a) - BigInt(b));
  } catch {
    return undefined;
  }
}

/** Converts an RFC 3339 timestamp with up to nanosecond precision to decimal ns since the epoch. */
export function rfc3339ToNs(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3] === 'Z' ? 'Z' : m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return (BigInt(ms / 1000) * 1000000000n + BigInt(frac)).toString();
}

/**
 * A decimal-nanosecond timestamp as an exact JSON value: a number when it fits in 2^53, else a bigint
 * (rendered as a JSON number by the alert formatter). Undefined for "" or non-digits.
 */
export function timestampJson(ts: string): bigint | number | undefined {
  if (ts === '' || !/^[0-9]{1,20}$/.test(ts)) return undefined;
  const n = Number(ts);
  return Number.isSafeInteger(n) ? n : BigInt(ts);
}
