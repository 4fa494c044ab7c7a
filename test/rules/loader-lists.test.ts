// Rule loader – lists (spec §1.4, §1.9, §2.7): Falco's textual substitution with all its quirks,
// and list-in-list expansion by definition order.
import { describe, expect, it } from 'vitest';
import { substituteLists, type CompiledList } from '../../src/rules/lists.js';
import { errors, errorMessages, load, rule, ruleYaml, warnings } from '../helpers/rules.js';

function list(name: string, items: string[]): CompiledList {
  return { name, items, joined: items.join(', '), odd: /[ \t\n\r(),=]/.test(name), used: false };
}

describe('textual substitution (resolve_list)', () => {
  const sub = (text: string, ...lists: CompiledList[]): string => substituteLists(text, lists).text;

  it('replaces a delimited name by its items joined with ", ", swallowing surrounding blanks', () => {
    expect(sub('proc.name in (shells)', list('shells', ['bash', 'sh']))).toBe('proc.name in ( bash, sh )');
    expect(sub('proc.name in (  shells\t)', list('shells', ['bash']))).toBe('proc.name in ( bash )');
    expect(sub('proc.name in (a,shells,b)', list('shells', ['x']))).toBe('proc.name in (a, x ,b)');
  });

  it('only replaces names delimited by start/end or one of " \\t\\n\\r(),="', () => {
    const l = list('log_files', ['x']);
    expect(sub('fd.name in (access_log_files)', l)).toBe('fd.name in (access_log_files)');
    expect(sub('fd.name in (log_files_2)', l)).toBe('fd.name in (log_files_2)');
    expect(sub('log_files', l)).toBe('x ');
  });

  it('quirk: substitutes inside quoted strings when the name is blank-delimited', () => {
    expect(sub('proc.cmdline = "a foo b"', list('foo', ['bar']))).toBe('proc.cmdline = "a bar b"');
  });

  it('quirk: substitutes after "="', () => {
    expect(sub('proc.name=foo', list('foo', ['bar']))).toBe('proc.name= bar ');
  });

  it('an empty list removes one adjacent comma', () => {
    expect(sub('proc.name in (a, empty)', list('empty', []))).toBe('proc.name in (a  )');
    // The blanks are swallowed before the comma is removed, so the blank after the comma stays.
    expect(sub('proc.name in (empty, a)', list('empty', []))).toBe('proc.name in (   a)');
    expect(sub('proc.name in (empty)', list('empty', []))).toBe('proc.name in (  )');
  });

  it('tracks where every output character came from (for error positions)', () => {
    const text = 'proc.name in (shells) and x';
    const origin = Array.from({ length: text.length }, (_, i) => i);
    const r = substituteLists(text, [list('shells', ['bash', 'sh'])], origin);
    expect(r.text).toBe('proc.name in ( bash, sh ) and x');
    expect(r.origin?.length).toBe(r.text.length);
    expect(r.origin?.[r.text.indexOf('bash')]).toBe(text.indexOf('shells'));
    expect(r.origin?.[r.text.indexOf(' x') + 1]).toBe(text.indexOf(' x') + 1);
  });

  it('marks the lists it used', () => {
    const a = list('a', ['1']);
    const b = list('b', ['2']);
    substituteLists('x.y in (a)', [a, b]);
    expect([a.used, b.used]).toEqual([true, false]);
  });
});

describe('lists in rule files', () => {
  it('space-quotes items, keeps pre-quoted ones, and keeps YAML numbers as written', () => {
    const r = load(`
- list: cmds
  items: [ls, "sh -c x", '"already quoted"', 010, 0x10, 1.0]
${ruleYaml('r', 'evt.type = execve and proc.cmdline in (cmds)')}`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe(
      '(evt.type = execve and proc.cmdline in (ls, "sh -c x", "already quoted", 010, 0x10, 1.0))');
  });

  it('items needing filter quotes must be pre-quoted, as upstream does (\'"10.0.0.0/8"\')', () => {
    const r = load(`
- list: nets
  items: ['"10.0.0.0/8"', '"192.168.0.0/16"']
${ruleYaml('r', 'evt.type = connect and fd.snet in (nets)')}`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = connect and fd.snet in (10.0.0.0/8, 192.168.0.0/16))');
  });

  it('list-in-list: expanded when the inner list was first defined before the outer one\'s last update', () => {
    const r = load(`
- list: inner
  items: [a, b]
- list: outer
  items: [inner, c]
${ruleYaml('r', 'evt.type = open and proc.name in (outer)')}`);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (a, b, c))');
    expect(warnings(r, 'LOAD_UNUSED_LIST')).toEqual([]);
  });

  it('list-in-list: a list defined later is not expanded inside the list, but its name is then substituted textually', () => {
    const r = load(`
- list: outer
  items: [inner, c]
- list: inner
  items: [a, b]
${ruleYaml('r', 'evt.type = open and proc.name in (outer)')}`);
    expect(errors(r)).toEqual([]);
    // `outer` keeps the word "inner" as an item; conditions are substituted list by list in
    // first-definition order, so "inner", brought in by `outer`, is replaced when `inner`'s turn comes.
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (a, b, c))');
  });

  it('list-in-list is one level deep: the inner list\'s raw items are used', () => {
    const r = load(`
- list: c3
  items: [x]
- list: b2
  items: [c3]
- list: a1
  items: [b2]
${ruleYaml('r', 'evt.type = open and proc.name in (a1)')}`);
    // a1 expands to b2's raw items ([c3]); c3 was substituted before a1 (first-definition order),
    // so the word c3 brought in by a1 stays a plain value.
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (c3))');
  });

  it('an append to the outer list after the inner one is defined makes the inner one visible', () => {
    const r = load(`
- list: outer
  items: [c]
- list: inner
  items: [a]
- list: outer
  items: [inner]
  override:
    items: append
- list: other
  items: [z]
${ruleYaml('r', 'evt.type = open and proc.name in (outer)')}`);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (c, a))');
  });

  it('lists have no ordering constraint with conditions: a rule may use a list defined later', () => {
    const r = load(`${ruleYaml('r', 'evt.type = open and proc.name in (later)')}
- list: later
  items: [cat]
`);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (cat))');
  });

  it('an unknown name in parentheses is simply a value', () => {
    const r = load(ruleYaml('r', 'evt.type = open and proc.name in (not_a_list)'));
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (not_a_list))');
  });

  it('quirk: "in mylist" without parentheses becomes "in a, b", a parse error', () => {
    const r = load(`
- list: mylist
  items: [a, b]
${ruleYaml('r', 'evt.type = open and proc.name in mylist')}`);
    expect(errors(r)[0]?.code).toBe('LOAD_ERR_COMPILE_CONDITION');
    expect(errors(r)[0]?.at?.position.line).toBe(6);
  });

  it('quirk: a list shadows a macro of the same name', () => {
    const r = load(`
- macro: dup
  condition: proc.name = x
- list: dup
  items: [a]
${ruleYaml('r', 'evt.type = open and dup')}`);
    // `dup` is rewritten to the list's items before parsing: the macro is never looked up.
    expect(errorMessages(r)[0]).toMatch(/^Undefined macro 'a' used in filter\./);
  });

  it('LOAD_INVALID_LIST_NAME for names that are not bare strings', () => {
    const r = load('- list: "bad name"\n  items: [a]\n');
    expect(warnings(r, 'LOAD_INVALID_LIST_NAME').length).toBe(1);
  });

  it('items must be a sequence of scalars', () => {
    expect(errorMessages(load('- list: l\n  items: a\n'))).toEqual(['Value is not a sequence']);
    expect(errorMessages(load('- list: l\n  items: [[a]]\n'))).toEqual(['sequence value is not scalar']);
    expect(errorMessages(load('- list: l\n'))).toEqual(["Item has no mapping for key 'items'"]);
  });

  it('duplicates are kept and order is preserved', () => {
    const r = load(`- list: l\n  items: [b, a, b]\n${ruleYaml('r', 'evt.type = open and proc.name in (l)')}`);
    expect(r.lists[0]?.items).toEqual(['b', 'a', 'b']);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (b, a, b))');
  });
});
