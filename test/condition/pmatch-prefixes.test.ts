// Condition – pmatch: a path matches when it equals or lies below one of the paths, component-wise
// (repeated slashes ignored, glob components allowed), checked against a direct reference
// implementation over generated paths, for tries with few children (compared in place) and many
// (looked up in a map).
import { describe, expect, it } from 'vitest';
import { compilePathPrefixes } from '../../src/condition/pmatch.js';
import { globMatch } from '../../src/condition/glob.js';

/** The definition: split both into non-empty components; every prefix component must match. */
function reference(prefixes: readonly string[], value: string): boolean {
  const parts = (p: string): string[] => p.split('/').filter((c) => c !== '');
  const v = parts(value);
  return prefixes.some((p) => {
    const ps = parts(p);
    return ps.length <= v.length && ps.every((c, i) => (/[*?[]/.test(c) ? globMatch(c, v[i] as string) : c === v[i]));
  });
}

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('pmatch – path prefixes', () => {
  it('matches equal paths and paths below, not siblings with a common text prefix', () => {
    const m = compilePathPrefixes(['/etc', '/usr/lib', '/opt/*/bin']);
    expect(m('/etc')).toBe(true);
    expect(m('/etc/passwd')).toBe(true);
    expect(m('//etc//passwd/')).toBe(true);
    expect(m('etc/passwd')).toBe(true);
    expect(m('/etcetera')).toBe(false);
    expect(m('/usr')).toBe(false);
    expect(m('/usr/lib64/x')).toBe(false);
    expect(m('/opt/app/bin/tool')).toBe(true);
    expect(m('/opt/app/sbin')).toBe(false);
    expect(m('')).toBe(false);
  });

  const words = ['etc', 'et', 'usr', 'lib', 'bin', 'a', 'ab', 'abc', 'x', 'ssh', '.ssh', 'conf.d'];
  const cases: [string, string[]][] = [
    ['few children (compared in place)', ['/etc', '/usr/lib', '/a/b*', '/x/?/bin', 'ab/abc']],
    ['many children (map lookups)', [...words.map((w) => `/${w}`), ...words.map((w) => `/usr/${w}/bin`), '/opt/*/x']],
  ];
  it.each(cases)('agrees with the definition on generated paths: %s', (_, prefixes) => {
    const m = compilePathPrefixes(prefixes);
    const r = rng(prefixes.length);
    for (let i = 0; i < 5000; i++) {
      let path = r() < 0.8 ? '/' : '';
      const depth = Math.floor(r() * 5);
      for (let d = 0; d < depth; d++) {
        path += words[Math.floor(r() * words.length)] as string;
        path += r() < 0.1 ? '//' : '/';
      }
      if (r() < 0.5) path = path.replace(/\/$/, '');
      expect(m(path), path).toBe(reference(prefixes, path));
    }
  });
});
