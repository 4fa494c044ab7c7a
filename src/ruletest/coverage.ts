// Rule-test coverage: which rules of the rules files the tests loaded have a passing positive test (a
// case that expects the rule to fire) and a passing negative test (a case that expects `count: 0`).

import { isPositive, type Expectation } from './spec.js';

export interface CoveredRule {
  readonly name: string;
  /** Where the rule is defined: file:line. */
  readonly location: string;
  readonly enabled: boolean;
}

export interface CoverageInput {
  readonly passed: boolean;
  readonly expect: readonly Expectation[];
}

export interface Coverage {
  readonly rules: readonly CoveredRule[];
  /** Rules (by name) with a passing positive / negative case. */
  readonly positive: ReadonlySet<string>;
  readonly negative: ReadonlySet<string>;
  readonly withoutPositive: readonly CoveredRule[];
  readonly withoutNegative: readonly CoveredRule[];
}

export function computeCoverage(rules: readonly CoveredRule[], cases: readonly CoverageInput[]): Coverage {
  const positive = new Set<string>();
  const negative = new Set<string>();
  for (const c of cases) {
    if (!c.passed) continue;
    for (const e of c.expect) (isPositive(e) ? positive : negative).add(e.rule);
  }
  return {
    rules,
    positive,
    negative,
    withoutPositive: rules.filter((r) => !positive.has(r.name)),
    withoutNegative: rules.filter((r) => !negative.has(r.name)),
  };
}

export function coverageJson(c: Coverage): unknown {
  return {
    rules: c.rules.length,
    positive: c.rules.length - c.withoutPositive.length,
    negative: c.rules.length - c.withoutNegative.length,
    withoutPositive: c.withoutPositive.map((r) => ({ name: r.name, location: r.location })),
    withoutNegative: c.withoutNegative.map((r) => ({ name: r.name, location: r.location })),
  };
}
