// Glob matching with POSIX fnmatch semantics minus FNM_PATHNAME (so `*` also matches '/'), as
// libsinsp's `glob` operator uses. Hostile input cannot make it backtrack catastrophically: the
// classic two-pointer algorithm keeps only the most recent `*` as a restart point, so matching takes
// at most O(pattern × text) steps and no recursion.

type Token =
  | { readonly kind: 'char'; readonly c: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negate: boolean; readonly ranges: readonly (readonly [string, string])[] };

/** Compiles a glob pattern once; `fold` folds ASCII case (iglob). */
export function compileGlob(pattern: string, fold = false): (text: string) => boolean {
  const tokens = tokenize(fold ? asciiLower(pattern) : pattern);
  // Fast paths for the common shapes: literal, prefix*, *suffix, *infix*.
  if (tokens.every((t) => t.kind === 'char')) {
    const lit = tokens.map((t) => (t as { c: string }).c).join('');
    return fold ? (s) => asciiLower(s) === lit : (s) => s === lit;
  }
  return fold ? (s) => matchTokens(tokens, asciiLower(s)) : (s) => matchTokens(tokens, s);
}

export function globMatch(pattern: string, text: string, fold = false): boolean {
  return compileGlob(pattern, fold)(text);
}

function tokenize(p: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') {
      if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
    } else if (c === '?') {
      out.push({ kind: 'any' });
    } else if (c === '\\' && i + 1 < p.length) {
      out.push({ kind: 'char', c: p[++i] as string });
    } else if (c === '[') {
      const parsed = parseClass(p, i);
      if (parsed === undefined) {
        out.push({ kind: 'char', c });
      } else {
        out.push(parsed.token);
        i = parsed.end;
      }
    } else {
      out.push({ kind: 'char', c });
    }
  }
  return out;
}

/** Parses a bracket expression starting at `start` ('['); undefined when unterminated (then '[' is literal). */
function parseClass(p: string, start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (p[i] === '!' || p[i] === '^') {
    negate = true;
    i++;
  }
  const ranges: [string, string][] = [];
  let first = true;
  while (i < p.length) {
    let c = p[i] as string;
    if (c === ']' && !first) return { token: { kind: 'class', negate, ranges }, end: i };
    first = false;
    if (c === '\\' && i + 1 < p.length) c = p[++i] as string;
    if (p[i + 1] === '-' && i + 2 < p.length && p[i + 2] !== ']') {
      let hi = p[i + 2] as string;
      i += 2;
      if (hi === '\\' && i + 1 < p.length) hi = p[++i] as string;
      ranges.push([c, hi]);
    } else {
      ranges.push([c, c]);
    }
    i++;
  }
  return undefined;
}

function matchOne(t: Token, c: string): boolean {
  switch (t.kind) {
    case 'char':
      return t.c === c;
    case 'any':
      return true;
    case 'class': {
      let hit = false;
      for (const [lo, hi] of t.ranges) {
        if (c >= lo && c <= hi) {
          hit = true;
          break;
        }
      }
      return hit !== t.negate;
    }
    case 'star':
      return false;
  }
}

function matchTokens(tokens: readonly Token[], s: string): boolean {
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < s.length) {
    const t = tokens[ti];
    if (t !== undefined && t.kind === 'star') {
      starTi = ti++;
      starSi = si;
    } else if (t !== undefined && matchOne(t, s[si] as string)) {
      ti++;
      si++;
    } else if (starTi >= 0) {
      ti = starTi + 1;
      si = ++starSi;
    } else {
      return false;
    }
  }
  while (tokens[ti]?.kind === 'star') ti++;
  return ti === tokens.length;
}

export function asciiLower(s: string): string {
  // toLowerCase() folds non-ASCII letters too; Falco folds ASCII only.
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    out += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : s[i];
  }
  return out;
}

export function asciiUpper(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    out += code >= 97 && code <= 122 ? String.fromCharCode(code - 32) : s[i];
  }
  return out;
}

export function hasGlobChars(s: string): boolean {
  return /[*?[\\]/.test(s);
}
