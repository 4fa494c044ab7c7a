// Rule-test verdicts – exact counts, minimums, "not at all", output fields (lenient on number vs
// text, null for missing), no_other_rules, and coverage from the cases that passed.
import { describe, expect, it } from 'vitest';
import { computeCoverage, coverageJson } from '../../src/ruletest/coverage.js';
import { evaluateCase, sameValue, type Alert } from '../../src/ruletest/outcome.js';
import type { Expectation, TestCase } from '../../src/ruletest/spec.js';

const at = { file: 't.yaml', line: 1, column: 1 };

function exp(rule: string, o: Partial<Pick<Expectation, 'count' | 'atLeast' | 'outputFields'>> = {}): Expectation {
  return { rule, count: o.count, atLeast: o.atLeast, outputFields: o.outputFields, where: at };
}

function tc(expect: Expectation[], noOtherRules = false): TestCase {
  return { name: 'c', where: at, rulesFiles: undefined, config: { priority: undefined, ruleMatching: 'all', selection: [] }, format: 'auto', events: [], expect, noOtherRules };
}

function alert(rule: string, fields: Record<string, unknown> = {}, line = 1): Alert {
  return { rule, priority: 4, source: 's.jsonl', line, eventType: 'execve', fields, output: `${rule}!` };
}

describe('rule-test verdicts', () => {
  it('checks exact counts, minimums (default at least once) and absence', () => {
    const alerts = [alert('A'), alert('A'), alert('B')];
    expect(evaluateCase(tc([exp('A', { count: 2 }), exp('B'), exp('C', { count: 0 })]), alerts).passed).toBe(true);
    const o = evaluateCase(tc([exp('A', { count: 1 }), exp('B', { atLeast: 2 }), exp('C')]), alerts);
    expect(o.passed).toBe(false);
    expect(o.checks.map((k) => [k.rule, k.expected, k.fired, k.ok])).toEqual([
      ['A', '1', 2, false], ['B', 'at least 2', 1, false], ['C', 'at least 1', 0, false],
    ]);
  });

  it('lets other rules fire unless no_other_rules is set', () => {
    const alerts = [alert('A'), alert('X'), alert('X')];
    const lenient = evaluateCase(tc([exp('A')]), alerts);
    expect(lenient.passed).toBe(true);
    expect(lenient.others).toEqual([{ rule: 'X', fired: 2 }]);
    const strict = evaluateCase(tc([exp('A')], true), alerts);
    expect(strict.passed).toBe(false);
    expect(strict.checks.at(-1)).toMatchObject({ rule: 'X', expected: '0 (no_other_rules)', fired: 2, ok: false, expectation: undefined });
    expect(evaluateCase(tc([], true), []).passed).toBe(true);
  });

  it('passes output_fields when one alert of the rule has them all, and reports the closest alert otherwise', () => {
    const alerts = [alert('A', { 'proc.name': 'bash', 'proc.tty': 0 }, 3), alert('A', { 'proc.name': 'sh', 'proc.tty': 34816, 'proc.pname': null }, 4)];
    const hit = evaluateCase(tc([exp('A', { outputFields: { 'proc.name': 'sh', 'proc.tty': '34816', 'proc.pname': null } })]), alerts);
    expect(hit.passed).toBe(true);
    expect(hit.fieldChecks[0]?.alert?.line).toBe(4);
    const miss = evaluateCase(tc([exp('A', { outputFields: { 'proc.name': 'zsh', 'proc.tty': 34816, 'no.such': 1 } })]), alerts);
    expect(miss.passed).toBe(false);
    expect(miss.fieldChecks[0]?.alert?.line).toBe(4);
    expect(miss.fieldChecks[0]?.mismatches).toEqual([
      { field: 'proc.name', expected: 'zsh', actual: 'sh', known: true },
      { field: 'no.such', expected: 1, actual: null, known: false },
    ]);
  });

  it('compares values as output fields show them', () => {
    expect(sameValue(34816, 34816)).toBe(true);
    expect(sameValue('34816', 34816)).toBe(true);
    expect(sameValue(true, true)).toBe(true);
    expect(sameValue('true', true)).toBe(true);
    expect(sameValue(null, undefined)).toBe(true);
    expect(sameValue(null, '')).toBe(false);
    expect(sameValue('1732662000123456789', 1732662000123456789n)).toBe(true);
    expect(sameValue('a,b', ['a', 'b'])).toBe(true);
  });
});

describe('rule-test coverage', () => {
  const rules = [
    { name: 'A', location: 'r.yaml:1', enabled: true },
    { name: 'B', location: 'r.yaml:9', enabled: true },
    { name: 'C', location: 'r.yaml:20', enabled: false },
  ];

  it('counts a rule as tested by passing cases only: positive (expected to fire) and negative (count 0)', () => {
    const c = computeCoverage(rules, [
      { passed: true, expect: [exp('A'), exp('B', { count: 0 })] },
      { passed: true, expect: [exp('A', { count: 0 })] },
      { passed: false, expect: [exp('B', { count: 2 })] },
      { passed: true, expect: [exp('Z', { atLeast: 1 })] },
    ]);
    expect([...c.positive].sort()).toEqual(['A', 'Z']);
    expect([...c.negative].sort()).toEqual(['A', 'B']);
    expect(c.withoutPositive.map((r) => r.name)).toEqual(['B', 'C']);
    expect(c.withoutNegative.map((r) => r.name)).toEqual(['C']);
    expect(coverageJson(c)).toEqual({
      rules: 3, positive: 1, negative: 2,
      withoutPositive: [{ name: 'B', location: 'r.yaml:9' }, { name: 'C', location: 'r.yaml:20' }],
      withoutNegative: [{ name: 'C', location: 'r.yaml:20' }],
    });
  });
});
