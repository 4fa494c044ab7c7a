// Rule loader – fuzzing: mutated upstream rule files (lines deleted, duplicated, swapped, keys
// renamed, text truncated, characters injected) either load or fail with located errors; the loader
// never throws. Deterministic (seeded), so a failure is reproducible from its seed.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadRulesFromStrings } from '../../src/rules/load.js';
import { describeShared, INCUBATING_RULES, SANDBOX_RULES, STABLE_RULES, K8S_AUDIT_RULES } from '../helpers/shared.js';
import { rng } from '../helpers/rng.js';


const KEYS = ['rule', 'macro', 'list', 'condition', 'output', 'desc', 'priority', 'items', 'tags', 'enabled', 'exceptions', 'override', 'append', 'source', 'fields', 'values', 'comps', 'name'];
const INJECT = [':', '"', "'", '[', ']', '{', '}', '(', ')', '%', ',', '\n', '\t', '#', '&', '*', '!', '|', '>', '-', '=', '\\', ' ', '\u0000', '\u00e9', '`', '?', '@'];

type Mutation = (text: string, r: () => number) => string;
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)] as T;

const MUTATIONS: Record<string, Mutation> = {
  deleteLine(text, r) {
    const lines = text.split('\n');
    lines.splice(Math.floor(r() * lines.length), 1 + Math.floor(r() * 3));
    return lines.join('\n');
  },
  duplicateLine(text, r) {
    const lines = text.split('\n');
    const i = Math.floor(r() * lines.length);
    lines.splice(i, 0, lines[i] ?? '');
    return lines.join('\n');
  },
  swapLines(text, r) {
    const lines = text.split('\n');
    const i = Math.floor(r() * (lines.length - 1));
    [lines[i], lines[i + 1]] = [lines[i + 1] ?? '', lines[i] ?? ''];
    return lines.join('\n');
  },
  swapKey(text, r) {
    const lines = text.split('\n');
    const keyed = lines.map((l, i) => (/^(-?\s*)([a-z_-]+):/.test(l) ? i : -1)).filter((i) => i >= 0);
    for (let n = 0; n < 1 + Math.floor(r() * 3); n++) {
      const i = pick(keyed, r);
      lines[i] = (lines[i] ?? '').replace(/^(-?\s*)([a-z_-]+):/, (_m, pre: string) => `${pre}${pick(KEYS, r)}:`);
    }
    return lines.join('\n');
  },
  truncate(text, r) {
    return text.slice(0, Math.floor(r() * text.length));
  },
  inject(text, r) {
    let out = text;
    for (let n = 0; n < 1 + Math.floor(r() * 4); n++) {
      const at = Math.floor(r() * out.length);
      out = out.slice(0, at) + pick(INJECT, r) + out.slice(at);
    }
    return out;
  },
  corruptCondition(text, r) {
    // Changes one character inside a condition line (a field, an operator, a parenthesis).
    const lines = text.split('\n');
    const conds = lines.map((l, i) => (/^\s+condition:/.test(l) ? i : -1)).filter((i) => i >= 0);
    const i = pick(conds, r);
    const l = lines[i] ?? '';
    const at = l.indexOf(':') + 2 + Math.floor(r() * Math.max(1, l.length - l.indexOf(':') - 2));
    lines[i] = l.slice(0, at) + pick(['(', ')', 'x', '.', ' and', ' or', '"', '=', ','], r) + l.slice(at + 1);
    return lines.join('\n');
  },
};

describeShared('fuzzing the upstream files', () => {
  const files = [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES, K8S_AUDIT_RULES].map((f) => ({ name: f.split('/').pop() as string, text: readFileSync(f, 'utf8') }));
  const kinds = Object.keys(MUTATIONS);
  const PER_KIND = 30; // 7 kinds × 30 = 210 variants

  for (const kind of kinds) {
    it(`${kind}: ${PER_KIND} variants load or fail with located errors, never throw`, () => {
      let failed = 0;
      for (let n = 0; n < PER_KIND; n++) {
        const seed = kinds.indexOf(kind) * 1000 + n;
        const r = rng(seed);
        const file = files[n % files.length] as { name: string; text: string };
        const mutated = (MUTATIONS[kind] as Mutation)(file.text, r);
        const lineCount = mutated.split('\n').length;
        let loaded;
        try {
          loaded = loadRulesFromStrings([{ name: file.name, content: mutated }]);
        } catch (err) {
          throw new Error(`seed ${seed} (${kind} of ${file.name}) threw: ${(err as Error).stack}`);
        }
        for (const res of loaded.results) {
          for (const e of [...res.errors, ...res.warnings]) {
            const where = `seed ${seed} (${kind} of ${file.name}): ${e.code} ${e.message}`;
            expect(e.at, where).toBeDefined();
            expect(e.at?.file, where).toBe(file.name);
            expect(e.at?.position.line, where).toBeGreaterThanOrEqual(1);
            expect(e.at?.position.line, where).toBeLessThanOrEqual(lineCount + 1);
            expect(e.locations.length, where).toBeGreaterThan(0);
          }
        }
        expect(loaded.successful).toBe(loaded.errorCount === 0);
        if (!loaded.successful) failed++;
      }
      // The mutations do break files (the test would prove little otherwise).
      expect(failed).toBeGreaterThan(0);
    });
  }
});
