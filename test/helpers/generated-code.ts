// Assertions on generated condition code (src/condition/codegen.ts): it must be made only of the
// code generator's fixed fragments and numbered names, so that no rule text can have reached it.

import { expect } from 'vitest';

/** The only string literals generated source may hold: fixed fragments of src/condition/codegen.ts. */
const FIXED_LITERALS = new Set(["'use strict'", "'string'", "'number'", "'boolean'"]);
/** The only words it may hold: keywords, the fixed property names it reads, and numbered names. */
const FIXED_WORDS = new Set([
  'use', 'strict', 'const', 'let', 'function', 'return', 'if', 'else', 'for', 'typeof', 'undefined', 'K', 'ev', 't', 'x', 'r',
  'vs', 'i', 'm', 'v', 'given', 'length', 'has', 'includes', 'startsWith', 'endsWith', 'true', 'false', 'string', 'number', 'boolean',
]);
/** What generated bucket dispatchers (src/engine/dispatch.ts) may hold besides: their parameters, the frame, Map lookups. */
const DISPATCH_WORDS = new Set(['F', 'out', 'first', 'evals', 'hits', 'push', 'get']);

/**
 * Asserts that generated source is made only of fixed fragments. A dispatcher has more numbered
 * names (rule functions, cells of its frame) and its own parameters.
 */
export function expectOnlyFixedCode(source: string | undefined, kind: 'predicate' | 'dispatcher' = 'predicate'): void {
  expect(source).toBeDefined();
  const src = source as string;
  for (const lit of src.match(/'[^']*'|"[^"]*"|`[^`]*`/g) ?? []) expect(FIXED_LITERALS).toContain(lit);
  const code = src.replace(/'[^']*'/g, '');
  expect(code).not.toMatch(/["`\\$/]/);
  const numbered = kind === 'dispatcher' ? /^[kvnqpdrabm][0-9]+$/ : /^[kvnqp][0-9]+$/;
  for (const word of code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    if (numbered.test(word) || (kind === 'dispatcher' && DISPATCH_WORDS.has(word))) continue;
    expect(FIXED_WORDS).toContain(word);
  }
}
