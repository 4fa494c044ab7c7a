// Alert time strings from decimal-nanosecond timestamps, fast: consecutive alerts almost always fall
// in the same second, so the date-and-seconds part is computed once per second and reused (one
// cache entry per form); only the 9 nanosecond digits are cut per alert. Same output as
// src/fields/time.ts (timeText, timeIsoText, timeJsonText), which validates its input; callers here
// pass timestamps already known to be 1–20 decimal digits.

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

function parts(ts: string): { secs: string; nanos: string } {
  return ts.length > 9
    ? { secs: ts.slice(0, ts.length - 9), nanos: ts.slice(ts.length - 9) }
    : { secs: '0', nanos: ts.padStart(9, '0') };
}

let utcSecs = '';
let utcPrefix = '';
let localSecs = '';
let localPrefix = '';

function utc(secs: string): string {
  if (secs !== utcSecs) {
    utcPrefix = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
    utcSecs = secs;
  }
  return utcPrefix;
}

/** `%evt.time.iso8601`: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`. */
export function isoTime(ts: string): string {
  const p = parts(ts);
  return `${utc(p.secs)}.${p.nanos}+0000`;
}

/** The JSON alert `time`: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`. */
export function jsonTime(ts: string): string {
  const p = parts(ts);
  return `${utc(p.secs)}.${p.nanos}Z`;
}

/** `%evt.time`: local `HH:MM:SS.nnnnnnnnn`. The cache is per second, so a TZ change shows at the next second. */
export function localTime(ts: string): string {
  const p = parts(ts);
  if (p.secs !== localSecs) {
    const d = new Date(Number(p.secs) * 1000);
    localPrefix = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    localSecs = p.secs;
  }
  return `${localPrefix}.${p.nanos}`;
}

/** The timestamp as JSON number digits (leading zeros removed), exact at any size. */
export function nsDigits(ts: string): string {
  let i = 0;
  while (i < ts.length - 1 && ts.charCodeAt(i) === 48) i++;
  return i === 0 ? ts : ts.slice(i);
}
