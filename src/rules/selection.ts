// Rule selection after loading (spec §5.3–5.5): Falco's `rules:` list of enable/disable entries,
// applied in order once every file is loaded, by rule-name wildcard or by tag; and `rule_matching`.

import { ConfigError } from '../common/errors.js';
import type { RuleMatching } from './loaded.js';

export interface SelectionEntry {
  readonly action: 'enable' | 'disable';
  /** Rule-name pattern: only `*` is special (Falco's non-backtracking wildcard). */
  readonly rule?: string;
  /** Exact tag. */
  readonly tag?: string;
}

interface Selectable {
  readonly name: string;
  readonly tags: readonly string[];
  enabled: boolean;
}

/**
 * Falco's matches_wildcard: `*` matches any run of characters, but each literal segment after a `*`
 * binds to its FIRST occurrence and is never retried, so `*ab` does not match `abab`. Linear time.
 */
export function matchesWildcard(pattern: string, s: string): boolean {
  let p = pattern;
  let t = s;
  for (;;) {
    const star = p.indexOf('*');
    if (star < 0) return p === t;
    if (star > 0) {
      if (t.slice(0, star) !== p.slice(0, star)) return false;
      p = p.slice(star);
      t = t.slice(star);
      continue;
    }
    let k = 0;
    while (k < p.length && p[k] === '*') k++;
    if (k === p.length) return true;
    const rest = p.slice(k);
    const next = rest.indexOf('*');
    const lit = next < 0 ? rest : rest.slice(0, next);
    const at = t.indexOf(lit);
    if (at < 0) return false;
    p = rest.slice(lit.length);
    t = t.slice(at + lit.length);
  }
}

export function validateSelection(entries: readonly SelectionEntry[]): void {
  entries.forEach((e, i) => {
    if (e.action !== 'enable' && e.action !== 'disable') throw new ConfigError(`rules[${i}]: expected 'enable' or 'disable'`);
    if ((e.rule === undefined || e.rule === '') && (e.tag === undefined || e.tag === '')) {
      throw new ConfigError(`rules[${i}].${e.action}: needs at least one of 'rule' or 'tag'`);
    }
  });
}

/** Applies the entries in order; rules keep their definition order (only `enabled` changes). */
export function applySelection(rules: readonly Selectable[], entries: readonly SelectionEntry[]): void {
  for (const e of entries) {
    const on = e.action === 'enable';
    for (const r of rules) {
      if ((e.rule !== undefined && e.rule !== '' && matchesWildcard(e.rule, r.name)) || (e.tag !== undefined && e.tag !== '' && r.tags.includes(e.tag))) {
        r.enabled = on;
      }
    }
  }
}

export function parseRuleMatching(value: string | undefined): RuleMatching {
  if (value === undefined) return 'first';
  const v = value.trim().toLowerCase();
  if (v === 'first' || v === 'all') return v;
  throw new ConfigError(`rule_matching: expected 'first' or 'all', got '${value}'`);
}
