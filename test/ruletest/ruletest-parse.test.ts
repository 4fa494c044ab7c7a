// Rule-test files – parsing: defaults and overrides, inline events (maps with exact big integers,
// JSON strings) and sample line ranges, expectations; every problem reported with file:line:col.
import { describe, expect, it } from 'vitest';
import { parseRange, parseTestFile } from '../../src/ruletest/parse.js';
import type { TestFile } from '../../src/ruletest/spec.js';

const SAMPLES: Record<string, string> = {
  '/t/s.jsonl': 'a\nb\nc\nd\n',
};

function parse(text: string) {
  return parseTestFile('t.yaml', text, {
    cwd: '/t',
    readSample: (p) => {
      const s = SAMPLES[p];
      if (s === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return s;
    },
  });
}

function ok(text: string): TestFile {
  const r = parse(text);
  expect(r.problems.map((p) => `${p.where.line}:${p.where.column} ${p.message}`)).toEqual([]);
  return r.file as TestFile;
}

function problems(text: string): string[] {
  const r = parse(text);
  expect(r.file).toBeUndefined();
  return r.problems.map((p) => `${p.where.file}:${p.where.line}:${p.where.column} ${p.message}`);
}

describe('rule-test files: accepted', () => {
  it('reads cases with defaults: all-matching, auto format, the runner\'s rules', () => {
    const f = ok(`cases:
  - name: one
    events:
      - {type: execve, ts: 1732662000123456789, pid: 7, argv: [sh, -c, "x y"], ok: true, n: null}
    expect:
      - rule: R
`);
    const c = f.cases[0]!;
    expect(c.name).toBe('one');
    expect(c.where).toEqual({ file: 't.yaml', line: 2, column: 5 });
    expect(c.rulesFiles).toBeUndefined();
    expect(c.config).toEqual({ priority: undefined, ruleMatching: 'all', selection: [] });
    expect(c.format).toBe('auto');
    expect(c.noOtherRules).toBe(false);
    // the nanosecond timestamp survives exactly, unquoted
    expect(c.events[0]!.lines[0]!.text).toBe('{"type":"execve","ts":1732662000123456789,"pid":7,"argv":["sh","-c","x y"],"ok":true,"n":null}');
    expect(c.events[0]!.kind).toBe('inline');
    expect(c.events[0]!.label).toBe('t.yaml:4:9');
    expect(c.expect).toEqual([{ rule: 'R', count: undefined, atLeast: undefined, outputFields: undefined, where: { file: 't.yaml', line: 6, column: 9 } }]);
  });

  it('applies file defaults and lets a case override them key by key', () => {
    const f = ok(`rules_files: [rules/a.yaml, /abs/b.yaml]
config:
  priority: warning
  rules:
    - disable: {rule: "*"}
    - enable: {tag: network}
format: native
cases:
  - name: inherits
    events: ['{"type":"x"}']
    expect: [{rule: R, count: 0}]
  - name: overrides
    rules_files: own.yaml
    config: {rule_matching: First}
    format: falco-json
    no_other_rules: true
    events: ['{"type":"x"}']
    expect: []
`);
    const [a, b] = f.cases;
    expect(a!.rulesFiles).toEqual(['/t/rules/a.yaml', '/abs/b.yaml']);
    expect(a!.config).toEqual({ priority: 'warning', ruleMatching: 'all', selection: [{ action: 'disable', rule: '*', tag: undefined }, { action: 'enable', rule: undefined, tag: 'network' }] });
    expect(a!.format).toBe('native');
    expect(b!.rulesFiles).toEqual(['/t/own.yaml']);
    expect(b!.config.ruleMatching).toBe('first');
    expect(b!.config.priority).toBe('warning');
    expect(b!.format).toBe('falco-json');
    expect(b!.noOtherRules).toBe(true);
    expect(b!.expect).toEqual([]);
  });

  it('takes sample lines: a range, one line, from a line to the end, or the whole file', () => {
    const f = ok(`cases:
  - name: s
    events:
      - {sample: s.jsonl, lines: 2-3}
      - {sample: s.jsonl, lines: 4}
      - {sample: s.jsonl, lines: 3-}
      - sample: s.jsonl
    expect: [{rule: R, at_least: 2, output_fields: {proc.name: sh, proc.tty: 34816, x: null, big: 1732662000123456789}}]
`);
    const e = f.cases[0]!.events;
    // shown relative to the working directory (/t)
    expect(e.map((x) => x.label)).toEqual(['s.jsonl:2-3', 's.jsonl:4', 's.jsonl:3-4', 's.jsonl']);
    expect(e[0]!.lines).toEqual([{ text: 'b', source: 's.jsonl', line: 2 }, { text: 'c', source: 's.jsonl', line: 3 }]);
    expect(e[3]!.lines.map((l) => l.text)).toEqual(['a', 'b', 'c', 'd']);
    expect(f.cases[0]!.expect[0]!.atLeast).toBe(2);
    expect(f.cases[0]!.expect[0]!.outputFields).toEqual({ 'proc.name': 'sh', 'proc.tty': '34816', x: null, big: '1732662000123456789' });
  });

  it('parses line ranges', () => {
    expect(parseRange('3-7', 10)).toEqual([3, 7]);
    expect(parseRange(5n, 10)).toEqual([5, 5]);
    expect(parseRange('3-', 10)).toEqual([3, 10]);
    expect(parseRange(' 2 - 4 ', 10)).toEqual([2, 4]);
    expect(parseRange('7-3', 10)).toMatch(/reversed/);
    expect(parseRange('0', 10)).toMatch(/numbered from 1/);
    expect(parseRange('3-11', 10)).toMatch(/past the end of the sample \(10 lines\)/);
    expect(parseRange('x', 10)).toMatch(/line number or a range/);
  });
});

describe('rule-test files: rejected, with file:line:col', () => {
  it.each([
    ['- rule: x\n', 't.yaml:1:1 a test file is a map with a `cases:` list (this looks like something else, e.g. a rules file)'],
    ['cases: [\n', 't.yaml:2:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['cases: []\n', 't.yaml:1:8 `cases:` must be a non-empty list of test cases'],
    ['description: x\n', 't.yaml:1:1 missing `cases:` (the list of test cases)'],
    ['cases: [{name: a, events: [1], expect: [{rule: R}]}]\n', 't.yaml:1:28 an event is a map (an inline event), a JSON string, or `{sample: FILE, lines: N-M}`'],
    ['cases: [{name: a, events: [x], expect: [{rule: R}]}]\n', `t.yaml:1:28 an inline event given as a string must be JSON: ${jsonError('x')}`],
  ])('%j', (text, problem) => {
    expect(problems(text)).toContain(problem);
  });

  it('reports every problem of a file at once, with suggestions for misspelt keys', () => {
    const p = problems(`format: scap
config:
  priority: warn
  rule_matching: some
  rules:
    - disable: {rules: x}
    - {enable: {rule: a}, disable: {rule: b}}
cases:
  - name: a
    evnts: []
    expect:
      - rule: X
        count: 1
        at_least: 2
  - name: b
    events:
      - sample: nope.jsonl
      - {sample: s.jsonl, lines: 3-9}
      - '{"type": bad'
      - '[1]'
    expect:
      - rule: Y
        count: -1
      - rule: Z
        count: 0
        output_fields: {proc.name: sh}
      - rule: Y
  - name: c
    events: ['{}']
    expect: []
  - name: c
    events: ['{}']
    expect: [{rule: R}]
    no_other_rules: yes
`);
    expect(p).toEqual([
      "t.yaml:3:13 invalid priority 'warn': use emergency, alert, critical, error, warning, notice, informational (info) or debug",
      "t.yaml:4:18 rule_matching must be 'first' or 'all', not 'some'",
      "t.yaml:6:17 unknown key 'rules' in `disable` (did you mean 'rule'?); known keys: rule, tag",
      't.yaml:6:16 `disable` needs `rule` or `tag`',
      't.yaml:7:7 each `rules` entry is a map with one key, `enable` or `disable`',
      "t.yaml:1:9 unknown format 'scap': use one of auto, native, falco-json, sysdig, tetragon, tracee, k8s_audit",
      "t.yaml:10:5 unknown key 'evnts' in case (did you mean 'events'?); known keys: name, description, rules_files, config, format, events, expect, no_other_rules",
      "t.yaml:9:5 case 'a' needs `events`",
      't.yaml:14:19 give `count` (exactly) or `at_least`, not both',
      "t.yaml:17:17 cannot read sample 'nope.jsonl' (/t/nope.jsonl): no such file",
      't.yaml:18:34 line range 3-9 is past the end of the sample (4 lines)',
      `t.yaml:19:9 an inline event given as a string must be JSON: ${jsonError('{"type": bad')}`,
      't.yaml:20:9 an inline event given as a string must be a JSON object',
      't.yaml:23:16 `count` must be an integer >= 0',
      't.yaml:26:24 `output_fields` needs an alert to check: not with `count: 0`',
      "t.yaml:27:9 rule 'Y' is expected twice in case 'b': merge the two entries",
      't.yaml:30:13 an empty `expect` checks nothing: list the rules to check, or add `no_other_rules: true` to assert that no rule fires',
      't.yaml:34:21 `no_other_rules` must be true or false',
      "t.yaml:31:5 duplicate case name 'c' (first at line 28): names identify cases in reports",
    ]);
  });

  it('rejects duplicate case names and duplicate keys', () => {
    expect(problems(`cases:
  - {name: a, events: ['{}'], expect: [{rule: R}]}
  - {name: a, events: ['{}'], expect: [{rule: R}]}
`)).toEqual(["t.yaml:3:5 duplicate case name 'a' (first at line 2): names identify cases in reports"]);
    expect(problems('cases: []\ncases: []\n')[0]).toMatch(/^t\.yaml:2:1 invalid YAML: Map keys must be unique/);
  });

  it('points at the source line with a caret', () => {
    const r = parse('cases:\n  - name: a\n    events: [1]\n    expect: [{rule: R}]\n');
    expect(r.problems[0]!.snippet).toBe('    events: [1]\n             ^');
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
