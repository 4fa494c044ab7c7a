// Per-output alert filters: minimum priority, tags (any / all), rule names with `*` wildcards, and
// rule names to exclude. Everything a filter looks at is constant per rule, so the decision is cached
// per alert layout (one per rule) and an alert costs one WeakMap lookup.

import { atLeast, type Priority } from '../common/priority.js';
import type { Alert, AlertLayout } from '../format/alert.js';
import { compileWildcards } from './wildcard.js';

export interface FilterSpec {
  /** Deliver alerts at least this severe (Falcosidekick's `minimumpriority`). */
  readonly minPriority?: Priority | undefined;
  /** Deliver only alerts of rules carrying at least one of these tags. */
  readonly tagsAny?: readonly string[] | undefined;
  /** Deliver only alerts of rules carrying all of these tags. */
  readonly tagsAll?: readonly string[] | undefined;
  /** Deliver only alerts of rules whose name matches one of these patterns (`*` wildcards). */
  readonly rules?: readonly string[] | undefined;
  /** Never deliver alerts of rules whose name matches one of these patterns. */
  readonly excludeRules?: readonly string[] | undefined;
}

export type AlertFilter = (alert: Alert) => boolean;

/** Compiles a filter; undefined when the spec lets everything through. */
export function compileFilter(spec: FilterSpec): AlertFilter | undefined {
  const { minPriority, tagsAny, tagsAll, rules, excludeRules } = spec;
  const checks: ((a: Alert) => boolean)[] = [];
  if (minPriority !== undefined && minPriority < 7) checks.push((a) => atLeast(a.priority, minPriority));
  if (tagsAny !== undefined && tagsAny.length > 0) checks.push((a) => tagsAny.some((t) => a.tags.includes(t)));
  if (tagsAll !== undefined && tagsAll.length > 0) checks.push((a) => tagsAll.every((t) => a.tags.includes(t)));
  if (rules !== undefined && rules.length > 0) {
    const m = compileWildcards(rules);
    checks.push((a) => m(a.rule));
  }
  if (excludeRules !== undefined && excludeRules.length > 0) {
    const m = compileWildcards(excludeRules);
    checks.push((a) => !m(a.rule));
  }
  if (checks.length === 0) return undefined;
  const cache = new WeakMap<AlertLayout, boolean>();
  return (a) => {
    let v = cache.get(a.layout);
    if (v === undefined) {
      v = checks.every((c) => c(a));
      cache.set(a.layout, v);
    }
    return v;
  };
}
