// Rule loader – exceptions (spec §3): both forms compiled to condition text exactly as Falco builds
// it, quoting, value lists, modifiers, appends and replaces, and every validation message.
import { describe, expect, it } from 'vitest';
import { exceptionClause, withExceptions } from '../../src/rules/exceptions.js';
import { MappedText } from '../../src/rules/text-map.js';
import { newSrc, Ctx } from '../../src/rules/yaml.js';
import type { ExEntry, ExceptionInfo } from '../../src/rules/infos.js';
import { errors, errorMessages, load, rule, warnings } from '../helpers/rules.js';

function withEx(condition: string, exceptions: string, extra = ''): string {
  return `- rule: r\n  desc: d\n  condition: ${condition}\n  output: "%proc.name"\n  priority: INFO\n  exceptions:\n${exceptions}${extra}`;
}

describe('the generated text (build_rule_exception_infos)', () => {
  const src = newSrc('t.yaml', 0, '');
  const scalar = (item: string): ExEntry => ({ isList: false, item, items: [], src, offset: 0 });
  const seq = (...items: ExEntry[]): ExEntry => ({ isList: true, item: '', items, src, offset: 0 });
  const ex = (fields: ExEntry, comps: ExEntry, values: ExEntry[]): ExceptionInfo => ({ name: 'e', fields, comps, values, ctx: Ctx.file(src) });

  it('tuple form: whitespace exactly as upstream produces it', () => {
    const clause = exceptionClause(ex(seq(scalar('f1'), scalar('f2')), seq(scalar('c1'), scalar('c2')),
      [seq(scalar('v11'), scalar('v12')), seq(scalar('v21'), scalar('v22'))]));
    expect(clause?.text).toBe('(( f1 c1 v11 and  f2 c2 v12) or ( f1 c1 v21 and  f2 c2 v22))');
  });

  it('scalar form: (field comp (v1, v2))', () => {
    expect(exceptionClause(ex(scalar('proc.name'), scalar('in'), [scalar('a'), scalar('b c')]))?.text).toBe('(proc.name in (a, "b c"))');
  });

  it('composition: (cond) and not clause, for each exception that has values', () => {
    const cond = MappedText.anchored('a.b = 1 or c.d = 2', { src, offset: 0 });
    const out = withExceptions(cond, [
      ex(scalar('x.y'), scalar('in'), [scalar('1')]),
      ex(scalar('x.z'), scalar('in'), []),
      ex(seq(scalar('p.q')), seq(scalar('=')), [seq(scalar('v'))]),
    ]);
    expect(out.text).toBe('(a.b = 1 or c.d = 2) and not (x.y in (1)) and not (( p.q = v))');
  });
});

describe('exceptions in rules', () => {
  it('worked example: a value with a space is quoted', () => {
    const r = load(withEx('proc.cmdline contains curl or proc.cmdline contains wget',
      '    - name: allow_local\n      fields: [proc.cmdline]\n      comps: [contains]\n      values:\n        - [curl 127.0.0.1]\n'));
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe(
      '((proc.cmdline contains curl or proc.cmdline contains wget) and not proc.cmdline contains "curl 127.0.0.1")');
    expect(rule(r, 'r').exceptionFields).toEqual(['proc.cmdline']);
  });

  it('worked example: a field name as a value is a string (with a warning); toupper() is a real comparison', () => {
    const r = load(withEx('evt.type = execve',
      '    - name: same\n      fields: [proc.name]\n      comps: [=]\n      values:\n        - [proc.pname]\n'));
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = execve and not proc.name = proc.pname)');
    expect(warnings(r, 'LOAD_COMPILE_CONDITION')[0]?.message).toBe("'proc.pname' may be a valid field misused as a const string value");
    const t = load(withEx('evt.type = execve',
      '    - name: same\n      fields: [proc.name]\n      comps: [=]\n      values:\n        - [toupper(proc.pname)]\n'));
    expect(errors(t)).toEqual([]);
    expect(rule(t, 'r').expandedCondition).toBe('(evt.type = execve and not proc.name = toupper(proc.pname))');
  });

  it('worked example: a modifier comp takes a list; a bare scalar is parenthesised', () => {
    const r = load(withEx('evt.type = execve',
      '    - name: m\n      fields: [proc.name]\n      comps: [startswith oneof]\n      values:\n        - [[sshd, sudo]]\n        - [sshd]\n'));
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe(
      '(evt.type = execve and not (proc.name startswith oneof (sshd, sudo) or proc.name startswith oneof (sshd)))');
  });

  it('tuple form with several fields and the default comps (=)', () => {
    const r = load(withEx('evt.type = open',
      '    - name: pairs\n      fields: [proc.name, fd.name]\n      values:\n        - [a, /x y]\n        - [b, c]\n'));
    expect(rule(r, 'r').expandedCondition).toBe(
      '(evt.type = open and not ((proc.name = a and fd.name = "/x y") or (proc.name = b and fd.name = c)))');
    expect(rule(r, 'r').exceptionFields).toEqual(['fd.name', 'proc.name']);
  });

  it('an in comp with a scalar value wraps it in parentheses, so a list name gets substituted', () => {
    const r = load(`- list: trusted\n  items: [a, b]\n${withEx('evt.type = open',
      '    - name: l\n      fields: [proc.name, fd.name]\n      comps: [in, pmatch]\n      values:\n        - [trusted, [/etc, /usr/lib]]\n')}`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe(
      '(evt.type = open and not (proc.name in (a, b) and fd.name pmatch (/etc, /usr/lib)))');
    expect(warnings(r, 'LOAD_UNUSED_LIST')).toEqual([]);
  });

  it('scalar form: comps default to in; values are quoted like list items; pmatch and intersects allowed', () => {
    const r = load(withEx('evt.type = open',
      '    - name: s\n      fields: proc.name\n      values: [a, b c, \'"d e"\']\n    - name: p\n      fields: fd.name\n      comps: pmatch\n      values: [/tmp]\n'));
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and not proc.name in (a, "b c", "d e") and not fd.name pmatch (/tmp))');
  });

  it('exceptions with no values add nothing (but still parenthesise the condition)', () => {
    const r = load(withEx('evt.type = open or evt.type = close', '    - name: none\n      fields: [proc.name]\n'));
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open or evt.type = close)');
  });

  it('a bad value is located at the value in the YAML', () => {
    const r = load(withEx('evt.type = open',
      '    - name: n\n      fields: [fd.num]\n      values:\n        - [abc]\n'));
    const e = errors(r)[0];
    expect(e?.code).toBe('LOAD_ERR_COMPILE_CONDITION');
    expect(e?.message).toContain("'abc' is not a valid number");
    expect(e?.at?.position).toMatchObject({ line: 10, column: 12 });
  });

  it('duplicate exception names warn (LOAD_EXCEPTION_NAME_NOT_UNIQUE)', () => {
    const r = load(withEx('evt.type = open',
      '    - name: n\n      fields: [proc.name]\n      values: [[a]]\n    - name: n\n      fields: [proc.name]\n      values: [[b]]\n'));
    expect(warnings(r, 'LOAD_EXCEPTION_NAME_NOT_UNIQUE').map((w) => w.message)).toEqual(["Multiple definitions of exception 'n' in the same rule"]);
  });
});

describe('exception appends and replaces', () => {
  const base = withEx('evt.type = open', '    - name: n\n      fields: [proc.name, fd.name]\n      values:\n        - [a, /x]\n');

  it('appending values to an existing exception (override)', () => {
    const r = load(`${base}- rule: r\n  exceptions:\n    - name: n\n      values:\n        - [b, /y]\n  override:\n    exceptions: append\n`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe(
      '(evt.type = open and not ((proc.name = a and fd.name = /x) or (proc.name = b and fd.name = /y)))');
  });

  it('appending values with the legacy append: true', () => {
    const r = load(`${base}- rule: r\n  append: true\n  exceptions:\n    - name: n\n      values:\n        - [b, /y]\n`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toContain('(proc.name = b and fd.name = /y)');
  });

  it('appending a new exception needs fields and values', () => {
    const ok = load(`${base}- rule: r\n  exceptions:\n    - name: m\n      fields: proc.pname\n      values: [bash]\n  override:\n    exceptions: append\n`);
    expect(rule(ok, 'r').expandedCondition).toBe('(evt.type = open and not (proc.name = a and fd.name = /x) and not proc.pname in (bash))');
    const noFields = load(`${base}- rule: r\n  exceptions:\n    - name: m\n      values: [bash]\n  override:\n    exceptions: append\n`);
    expect(errorMessages(noFields)).toEqual(['Rule exception must have fields property with a list of fields']);
  });

  it('fields or comps cannot be appended to an existing exception', () => {
    const f = load(`${base}- rule: r\n  exceptions:\n    - name: n\n      fields: [proc.name, fd.name]\n      values: [[b, c]]\n  override:\n    exceptions: append\n`);
    expect(errorMessages(f)).toEqual(['Can not append exception fields to existing exception, only values']);
    const c = load(`${base}- rule: r\n  exceptions:\n    - name: n\n      comps: [=, =]\n      values: [[b, c]]\n  override:\n    exceptions: append\n`);
    expect(errorMessages(c)).toEqual(['Can not append exception comps to existing exception, only values']);
  });

  it('appending with no values warns (LOAD_APPEND_NO_VALUES)', () => {
    const r = load(`${base}- rule: r\n  exceptions:\n    - name: n\n  override:\n    exceptions: append\n`);
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_APPEND_NO_VALUES').map((w) => w.message)).toEqual(['Overriding/appending exception with no values']);
  });

  it('replace replaces the whole list; each entry must be complete', () => {
    const r = load(`${base}- rule: r\n  exceptions:\n    - name: other\n      fields: proc.pname\n      values: [sh]\n  override:\n    exceptions: replace\n`);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and not proc.pname in (sh))');
    const bad = load(`${base}- rule: r\n  exceptions:\n    - name: other\n      values: [sh]\n  override:\n    exceptions: replace\n`);
    expect(errorMessages(bad)).toEqual(['Rule exception item must have fields property with a list of fields']);
  });
});

describe('exception validation messages', () => {
  const cases: Array<[string, string, string]> = [
    ['fields and comps of different lengths', '    - name: n\n      fields: [proc.name, fd.name]\n      comps: [=]\n      values: [[a, b]]\n', 'Fields and comps lists must have equal length'],
    ['an unsupported operator', '    - name: n\n      fields: [proc.name]\n      comps: [like]\n      values: [[a]]\n', "'like' is not a supported comparison operator"],
    ['an unknown field', '    - name: n\n      fields: [proc.nme]\n      values: [[a]]\n', "'proc.nme' is not a supported filter field (did you mean 'proc.name'?)"],
    ['values of the wrong length', '    - name: n\n      fields: [proc.name, fd.name]\n      values: [[a]]\n', 'Fields and values lists must have equal length'],
    ['a scalar-form comp that is not a list operator', '    - name: n\n      fields: proc.name\n      comps: =\n      values: [a]\n', 'When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator'],
    ['a scalar field with list comps', '    - name: n\n      fields: proc.name\n      comps: [in]\n      values: [a]\n', 'Fields and comps must both be strings'],
    ['a scalar field with tuple values', '    - name: n\n      fields: proc.name\n      values: [[a]]\n', 'Expected values array to contain a list of strings'],
    ['no fields', '    - name: n\n      values: [[a]]\n', "Item has no mapping for key 'fields'"],
    ['no name', '    - fields: [proc.name]\n      values: [[a]]\n', "Item has no mapping for key 'name'"],
    ['values not a sequence', '    - name: n\n      fields: [proc.name]\n      values: a\n', 'Rule exception values must be a sequence'],
    ['an exception that is not a mapping', '    - just a string\n', 'Rule exception must be a mapping'],
  ];
  for (const [name, yaml, message] of cases) {
    it(name, () => {
      const r = load(withEx('evt.type = open', yaml));
      expect(errorMessages(r)).toEqual([message]);
      expect(errors(r)[0]?.at?.position.line).toBeGreaterThan(6);
    });
  }

  it('exceptions that are not a sequence', () => {
    const r = load('- rule: r\n  desc: d\n  condition: evt.type = open\n  output: x\n  priority: INFO\n  exceptions: {name: n}\n');
    expect(errorMessages(r)).toEqual(['Rule exceptions must be a sequence']);
  });

  it('a null exceptions key is allowed', () => {
    const r = load('- rule: r\n  desc: d\n  condition: evt.type = open\n  output: x\n  priority: INFO\n  exceptions:\n');
    expect(errors(r)).toEqual([]);
  });
});
