// `*` wildcard matching for rule-name patterns in output filters and dedup settings ("Terminal shell*").
// Only `*` is special. The two-pointer algorithm keeps a single restart point, so a match costs at
// most O(pattern × text) steps with no recursion: no pattern can make it backtrack catastrophically.

export function compileWildcard(pattern: string): (text: string) => boolean {
  if (!pattern.includes('*')) return (t) => t === pattern;
  if (pattern === '*') return () => true;
  return (t) => wildcardMatch(pattern, t);
}

export function wildcardMatch(p: string, t: string): boolean {
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === t[ti]) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Matches when any pattern matches. */
export function compileWildcards(patterns: readonly string[]): (text: string) => boolean {
  const ms = patterns.map(compileWildcard);
  return (t) => ms.some((m) => m(t));
}
