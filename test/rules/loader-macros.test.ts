// Rule loader – macros (spec §1.5, §1.9, §2.10): AST expansion, visibility by the global
// index/visibility counter, loops, undefined macros, and Falco's per-file compile across files.
import { describe, expect, it } from 'vitest';
import { errors, errorMessages, load, loadFiles, rule, ruleYaml, warnings } from '../helpers/rules.js';

describe('macro expansion', () => {
  it('substitutes the macro AST for the identifier, negated or not, without flattening', () => {
    const r = load(`
- macro: a
  condition: proc.name = a or proc.name = b
- macro: b
  condition: (fd.num = 1)
${ruleYaml('r', 'evt.type = open and not a and b')}`);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and not (proc.name = a or proc.name = b) and fd.num = 1)');
  });

  it('expands nested macros', () => {
    const r = load(`
- macro: inner
  condition: proc.name = x
- macro: outer
  condition: inner and fd.num = 2
${ruleYaml('r', 'evt.type = open and outer')}`);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and (proc.name = x and fd.num = 2))');
    expect(r.macros.find((m) => m.name === 'outer')?.expanded).toBe('(proc.name = x and fd.num = 2)');
  });

  it('rules see every macro, including macros defined after them in the same file', () => {
    const r = load(`${ruleYaml('r', 'evt.type = open and later')}
- macro: later
  condition: proc.name = x
`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name = x)');
  });

  it('a macro sees only macros first defined before its own last update', () => {
    const r = load(`
- macro: a
  condition: b
- macro: b
  condition: proc.name = x
${ruleYaml('r', 'evt.type = open and a')}`);
    const m = errorMessages(r);
    expect(m.length).toBe(1);
    expect(m[0]).toMatch(/^Undefined macro 'b' used in filter\. Macro 'b' is first defined at rules\.yaml:4:3, after macro 'a'/);
    expect(errors(r)[0]?.code).toBe('LOAD_ERR_VALIDATE');
    expect(errors(r)[0]?.at?.position).toMatchObject({ line: 3, column: 14 });
    // The rule using the broken macro is not compiled, and not reported a second time.
    expect(r.rules).toEqual([]);
  });

  it('redefining a macro after its dependency is defined makes the dependency visible (visibility = id)', () => {
    const r = load(`
- macro: a
  condition: b
- macro: b
  condition: proc.name = x
- macro: a
  condition: b and fd.num = 1
${ruleYaml('r', 'evt.type = open and a')}`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and (proc.name = x and fd.num = 1))');
  });

  it('an append bumps visibility too', () => {
    const r = load(`
- macro: a
  condition: proc.name = y
- macro: b
  condition: proc.name = x
- macro: a
  condition: or b
  override:
    condition: append
${ruleYaml('r', 'evt.type = open and a')}`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and (proc.name = y or proc.name = x))');
  });

  it('a reference loop is an error: "reference loop in macro"', () => {
    const r = load(`
- macro: a
  condition: evt.type = open
- macro: b
  condition: a
- macro: a
  condition: or b
  override:
    condition: append
${ruleYaml('r', 'a')}`);
    expect(errorMessages(r)).toEqual(["reference loop in macro 'b'"]);
    expect(errors(r)[0]?.code).toBe('LOAD_ERR_VALIDATE');
  });

  it('an undefined macro in a rule: "Undefined macro \'x\' used in filter." with a suggestion', () => {
    const r = load(`
- macro: spawned_process
  condition: evt.type = execve
${ruleYaml('r', 'spawned_proces and proc.name = x')}`);
    expect(errorMessages(r)).toEqual(["Undefined macro 'spawned_proces' used in filter. Did you mean 'spawned_process'?"]);
    const e = errors(r)[0];
    expect(e?.at?.position).toMatchObject({ line: 6, column: 14 });
    expect(e?.locations.map((l) => l.itemType)).toEqual(['rules content', 'rule', 'rule condition', 'condition expression']);
  });

  it('an invalid macro name warns (such a macro can never be referenced)', () => {
    const r = load('- macro: my-macro\n  condition: proc.name = x\n');
    expect(warnings(r, 'LOAD_INVALID_MACRO_NAME').length).toBe(1);
  });

  it('unused macros and lists warn; items used only through other macros count as used', () => {
    const r = load(`
- list: used_list
  items: [a]
- list: unused_list
  items: [b]
- macro: leaf
  condition: proc.name in (used_list)
- macro: middle
  condition: leaf
- macro: lonely
  condition: proc.name = z
${ruleYaml('r', 'evt.type = open and middle')}`);
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_UNUSED_MACRO').map((w) => w.locations[1]?.itemName)).toEqual(['lonely']);
    expect(warnings(r, 'LOAD_UNUSED_LIST').map((w) => w.locations[1]?.itemName)).toEqual(['unused_list']);
    expect(r.macros.find((m) => m.name === 'lonely')?.used).toBe(false);
    expect(r.lists.find((l) => l.name === 'used_list')?.used).toBe(true);
  });

  it('a macro referenced only by an unused macro still counts as used (as in Falco)', () => {
    const r = load(`
- macro: base
  condition: proc.name = z
- macro: unused
  condition: base
`);
    expect(warnings(r, 'LOAD_UNUSED_MACRO').map((w) => w.locations[1]?.itemName)).toEqual(['unused']);
  });

  it('a compile error inside a macro is located in the macro, through the rule that uses it, once', () => {
    const r = load(`
- macro: bad
  condition: proc.nme = x
${ruleYaml('r1', 'evt.type = open and bad')}
${ruleYaml('r2', 'evt.type = close and bad')}`);
    const e = errors(r);
    expect(e.length).toBe(1);
    expect(e[0]?.message).toBe("filter_check called with nonexistent field proc.nme (did you mean 'proc.name'?)");
    expect(e[0]?.at?.position).toMatchObject({ line: 3, column: 14 });
    expect(e[0]?.locations.map((l) => `${l.itemType}:${l.itemName}`)).toEqual([
      'rules content:', 'rule:r1', 'macro:bad', 'macro condition:', 'condition expression:',
    ]);
    expect(r.rules).toEqual([]);
  });
});

describe('several files (spec §1.10)', () => {
  it('later files override and append to earlier ones', () => {
    const r = loadFiles({
      'a.yaml': `- list: l\n  items: [a]\n${ruleYaml('r', 'evt.type = open and proc.name in (l)')}`,
      'b.yaml': '- list: l\n  items: [b]\n  override:\n    items: append\n- rule: r\n  priority: ERROR\n  override:\n    priority: replace\n',
    });
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (a, b))');
    expect(rule(r, 'r').priority).toBe(3);
    expect(r.results.map((x) => x.name)).toEqual(['a.yaml', 'b.yaml']);
  });

  it('a rule in file 1 using a macro first defined in file 2 fails, as it does in Falco', () => {
    const r = loadFiles({
      'a.yaml': ruleYaml('r', 'evt.type = open and later_macro'),
      'b.yaml': '- macro: later_macro\n  condition: proc.name = x\n',
    });
    const e = errors(r);
    expect(e.length).toBe(1);
    expect(e[0]?.message).toMatch(/^Undefined macro 'later_macro' used in filter\. Falco compiles the rules after loading each file/);
    expect(e[0]?.message).toContain('b.yaml:1:3');
    expect(e[0]?.at).toMatchObject({ file: 'a.yaml', position: { line: 3, column: 34 } });
    expect(r.rules).toEqual([]);
  });

  it('but a condition appended in file 2 may use macros of file 2', () => {
    const r = loadFiles({
      'a.yaml': ruleYaml('r', 'evt.type = open'),
      'b.yaml': '- macro: m2\n  condition: proc.name = x\n- rule: r\n  condition: and m2\n  override:\n    condition: append\n',
    });
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name = x)');
  });

  it('a macro used in file 1 but later replaced in file 2 checks the condition as it stood at each file', () => {
    const r = loadFiles({
      'a.yaml': ruleYaml('r', 'evt.type = open and m3'),
      'b.yaml': '- macro: m3\n  condition: proc.name = x\n- rule: r\n  condition: evt.type = open and m3\n  override:\n    condition: replace\n',
    });
    // At the end of a.yaml the rule named m3, which did not exist yet: Falco fails there.
    expect(errorMessages(r)[0]).toMatch(/^Undefined macro 'm3'/);
  });

  it('every problem of every file is reported in one run', () => {
    const r = loadFiles({
      'a.yaml': ruleYaml('r1', 'evt.type = open and proc.nam = x'),
      'b.yaml': '- rule: r2\n  desc: d\n',
      'c.yaml': '- macro: m\n  condition: (unbalanced\n',
    });
    expect(r.results.map((x) => [x.name, x.errors.length])).toEqual([['a.yaml', 1], ['b.yaml', 3], ['c.yaml', 1]]);
  });
});
