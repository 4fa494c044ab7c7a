// Rule-test reports – the text report (✓/✗/! per case, the expected-vs-fired table, output-field
// differences, the near-miss explanation, escaped event data), the closest-event search, and JUnit
// XML (well-formed, escaped, failures vs errors).
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../src/condition/parse.js';
import { explainCondition } from '../../src/condition/explain.js';
import { eventFromFields } from '../../src/event/types.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { ClosestEvent, conjuncts } from '../../src/ruletest/closest.js';
import { renderJunit, xmlEscape } from '../../src/ruletest/junit.js';
import { evaluateCase, type Alert } from '../../src/ruletest/outcome.js';
import { failureSummary, failureText, renderCoverage, renderResults, summaryText, totals } from '../../src/ruletest/report.js';
import type { CaseResult, FileResult } from '../../src/ruletest/result.js';
import type { Expectation, TestCase } from '../../src/ruletest/spec.js';
import { computeCoverage } from '../../src/ruletest/coverage.js';
import { ruleFrom } from '../helpers/compiled-rule.js';

const registry = syscallFields({ hostname: 'h' });
const at = (line: number) => ({ file: 't.yaml', line, column: 5 });

function tc(name: string, expect: Expectation[], line: number, noOtherRules = false): TestCase {
  return { name, where: at(line), rulesFiles: undefined, config: { priority: undefined, ruleMatching: 'all', selection: [] }, format: 'auto', events: [], expect, noOtherRules };
}

function exp(rule: string, o: Partial<Pick<Expectation, 'count' | 'atLeast' | 'outputFields'>> = {}): Expectation {
  return { rule, count: o.count, atLeast: o.atLeast, outputFields: o.outputFields, where: at(1) };
}

function result(c: TestCase, alerts: Alert[], extra: Partial<CaseResult> = {}): CaseResult {
  const outcome = evaluateCase(c, alerts);
  return { testCase: c, passed: outcome.passed, errors: [], outcome, diagnoses: [], events: 3, alerts: alerts.length, ms: 12, ...extra };
}

const shellRule = 'evt.type = execve and proc.name in (sh, bash) and proc.pname != sshd';

describe('closest event', () => {
  it('flattens the AND-ed clauses and keeps the event where most of them held', () => {
    const rule = ruleFrom('Shell', shellRule);
    expect(conjuncts(rule.ast).length).toBe(3);
    const closest = new ClosestEvent(rule, registry);
    closest.consider(eventFromFields({ 'evt.type': 'openat', 'proc.name': 'sh' }), 's', 1); // not a candidate
    closest.consider(eventFromFields({ 'evt.type': 'execve', 'proc.name': 'ls', 'proc.pname': 'sshd' }), 's', 2);
    closest.consider(eventFromFields({ 'evt.type': 'execve', 'proc.name': 'sh', 'proc.pname': 'sshd' }), 's', 3);
    closest.consider(eventFromFields({ 'evt.type': 'execve', 'proc.name': 'ls', 'proc.pname': 'bash' }), 's', 4);
    expect(closest.candidates).toBe(3);
    // line 4 holds as many clauses as line 3, but line 3 is what the rule looks for, stopped only by its last clause
    const miss = closest.result();
    expect(miss).toMatchObject({ source: 's', line: 3, eventType: 'execve', held: 2, leading: 2, total: 3 });
    expect(miss?.tree.result).toBe(false);
  });
});

describe('text report', () => {
  const pass = result(tc('passes', [exp('A', { count: 1 })], 3), [{ rule: 'A', priority: 4, source: 's.jsonl', line: 2, eventType: 'execve', fields: {}, output: '' }]);
  const evil = 'bash\n  ✓ forged line\u001b[31m';
  const fail = result(
    tc('fails', [exp('Shell', { count: 1 }), exp('B', { outputFields: { 'proc.name': 'sh' } })], 9, true),
    [
      { rule: 'B', priority: 4, source: 's.jsonl', line: 5, eventType: 'execve', fields: { 'proc.name': evil }, output: '' },
      { rule: 'X', priority: 4, source: 's.jsonl', line: 6, eventType: 'execve', fields: {}, output: '' },
    ],
    {
      diagnoses: [{
        rule: 'Shell', note: undefined, candidates: 2,
        nearMiss: { source: 's.jsonl', line: 4, eventType: 'execve', held: 2, leading: 2, total: 3, tree: explainCondition(parseCondition(shellRule), registry, eventFromFields({ 'evt.type': 'execve', 'proc.name': 'sh', 'proc.pname': 'sshd' })) },
      }],
    },
  );
  const broken: CaseResult = { testCase: tc('broken', [exp('Nope')], 20), passed: false, errors: ["t.yaml:21:9: no rule named 'Nope' in rules/"], outcome: undefined, diagnoses: [], events: 0, alerts: 0, ms: 1 };
  const files: FileResult[] = [{ path: 't.yaml', cases: [pass, fail, broken], problems: [] }, { path: 'bad.yaml', cases: [], problems: ['bad.yaml:1:1: a test file is a map'] }];

  it('prints one line per case and, for failures, the table, field differences and the near miss', () => {
    expect(renderResults(files)).toBe([
      't.yaml',
      '  ✓ passes  (3 events, 1 alert)',
      '  ✗ fails  [t.yaml:9]',
      '        rule   expected            fired',
      '      ✗ Shell  1                   0',
      '      ✓ B      at least 1          1',
      '      ✗ X      0 (no_other_rules)  1',
      '      output_fields of B (closest alert: s.jsonl:5):',
      '        proc.name: expected "sh", got "bash\\n  ✓ forged line\\u001b[31m"',
      '      Shell (expected 1): closest event s.jsonl:4 (execve), 2 of 3 clauses held, of 2 events it ran on:',
      '        ✗ and',
      '        ├── ✓ evt.type = execve    [evt.type = "execve"]',
      '        ├── ✓ proc.name in (sh, bash)    [proc.name = "sh"]',
      '        └── ✗ proc.pname != sshd    [proc.pname = "sshd"]',
      '  ! broken  [t.yaml:20]',
      "      t.yaml:21:9: no rule named 'Nope' in rules/",
      'bad.yaml',
      '  bad.yaml:1:1: a test file is a map',
      '',
    ].join('\n'));
  });

  it('prints failures only when asked, and sums up', () => {
    const quiet = renderResults(files, { passes: false });
    expect(quiet).not.toContain('passes');
    expect(quiet).toContain('✗ fails');
    expect(renderResults([{ path: 'ok.yaml', cases: [pass], problems: [] }], { passes: false })).toBe('');
    const t = totals(files);
    expect(t).toEqual({ files: 2, cases: 3, passed: 1, failed: 2, badFiles: 1 });
    expect(summaryText(t)).toBe('3 cases in 2 files: 1 passed, 2 failed; 1 test file with problems (not run)\n');
  });

  it('sums up why a case failed in one line', () => {
    expect(failureSummary(fail)).toBe('Shell: expected 1, fired 0');
    expect(failureSummary(broken)).toBe("t.yaml:21:9: no rule named 'Nope' in rules/");
  });

  it('lists rules without tests', () => {
    const c = computeCoverage([{ name: 'A', location: 'r.yaml:1', enabled: true }, { name: 'B', location: 'r.yaml:5', enabled: false }], [{ passed: true, expect: [exp('A')] }]);
    expect(renderCoverage(c)).toBe([
      'Coverage: 1 of 2 rules have a passing positive test (expected to fire), 0 of 2 a passing negative test (count: 0).',
      'Rules without a positive test:',
      '  - B  (r.yaml:5, disabled)',
      'Rules without a negative test:',
      '  - A  (r.yaml:1)',
      '  - B  (r.yaml:5, disabled)',
      '',
    ].join('\n'));
  });

  it('writes JUnit XML: a suite per file, failures, errors, escaped text', () => {
    const xml = renderJunit(files, failureSummary, failureText);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="peregrine test" tests="4" failures="1" errors="2"')).toBe(true);
    expect(xml).toContain('<testsuite name="t.yaml" tests="3" failures="1" errors="1"');
    expect(xml).toContain('<testcase name="passes" classname="t.yaml" time="0.012"/>');
    expect(xml).toContain('<failure message="Shell: expected 1, fired 0">');
    expect(xml).toContain('<error message="t.yaml:21:9: no rule named &apos;Nope&apos; in rules/">');
    expect(xml).toContain('<testcase name="(test file)" classname="bad.yaml" time="0.000">');
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    expect(xml.match(/<testcase /g)?.length).toBe(4);
    expect(xml.match(/<\/testsuite>/g)?.length).toBe(2);
  });

  it('escapes XML specials and drops characters XML cannot carry', () => {
    expect(xmlEscape('<a href="x">&\'\u0001\u0008\t')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\ufffd\ufffd\t');
  });
});
