// Output templates (spec §4.1–4.2): token scanning (longest valid field, width, transformers),
// rendering with <NA>, typed output_fields, extra fields, and Falco's errors.
import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateError } from '../../src/fields/template.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { eventFromFields, newSyscallEvent } from '../../src/event/types.js';
import { errors, load, rule } from '../helpers/rules.js';

const registry = syscallFields();
const compile = (text: string, extraFields?: Parameters<typeof compileTemplate>[2]) => compileTemplate(text, registry, extraFields);
const render = (text: string, fields: Record<string, unknown>): string => compile(text).template.render(eventFromFields(fields));

describe('token scanning', () => {
  it('takes the longest prefix that is a valid field', () => {
    expect(render('file=%fd.name,x', { 'fd.name': '/a' })).toBe('file=/a,x');
    expect(render('%fd.name.', { 'fd.name': '/a' })).toBe('/a.');
    expect(render('%proc.name123', { 'proc.name': 'cat' })).toBe('cat123');
    expect(render('(%proc.name)', { 'proc.name': 'cat' })).toBe('(cat)');
  });

  it('field arguments: [index], [key], dotted, quoted', () => {
    expect(render('aname[4]=%proc.aname[4]', { 'proc.aname[4]': 'init' })).toBe('aname[4]=init');
    expect(render('%evt.arg.flags', { 'evt.arg.flags': 'O_RDONLY' })).toBe('O_RDONLY');
    expect(render('%proc.env[HOME]', { 'proc.env[HOME]': '/root' })).toBe('/root');
    expect(compile('%proc.env["HOME"]').template.fieldNames).toEqual(['proc.env["HOME"]']);
  });

  it('a field that takes no argument leaves the brackets as text', () => {
    expect(render('%proc.name[x]', { 'proc.name': 'cat' })).toBe('cat[x]');
  });

  it('transformers', () => {
    expect(render('%tolower(proc.name)', { 'proc.name': 'CaT' })).toBe('cat');
    expect(render('%toupper(proc.name)!', { 'proc.name': 'cat' })).toBe('CAT!');
  });

  it('a width pads or truncates to exactly N characters', () => {
    expect(render('[%10proc.name]', { 'proc.name': 'cat' })).toBe('[cat       ]');
    expect(render('[%2proc.name]', { 'proc.name': 'cat' })).toBe('[ca]');
  });

  it('missing values render as <NA>; control characters are left for the formatter', () => {
    expect(render('%proc.name %fd.name', { 'proc.name': 'a\nb' })).toBe('a\nb <NA>');
  });
});

describe('errors (LOAD_ERR_COMPILE_OUTPUT)', () => {
  const fail = (text: string): TemplateError => {
    try {
      compile(text);
    } catch (err) {
      if (err instanceof TemplateError) return err;
      throw err;
    }
    throw new Error(`'${text}' compiled`);
  };

  it('a % not followed by a field: "unknown filter", at the %', () => {
    expect(fail('50% done').message).toMatch(/^unknown filter: '% done'/);
    expect(fail('50% done').offset).toBe(2);
    expect(fail('%(proc.name)').message).toMatch(/^unknown filter/);
    expect(fail('%%proc.name').message).toMatch(/^unknown filter/);
  });

  it('a trailing %, an empty format', () => {
    expect(fail('abc %').message).toBe('formatting cannot end with a %');
    expect(fail('%10').message).toBe('formatting cannot end with a %');
    expect(fail('').message).toBe('empty formatting token');
  });

  it('an unknown field, with a suggestion', () => {
    expect(fail('x %proc.nme').message).toBe("invalid formatting token %proc.nme: filter_check called with nonexistent field proc.nme (did you mean 'proc.name'?)");
  });

  it('filter-only fields cannot be printed', () => {
    expect(fail('%fd.ip').message).toMatch(/can only be used in conditions/);
  });

  it('a bad transformer', () => {
    expect(fail('%tolower(proc.pid)').message).toMatch(/^invalid formatting token %tolower\(proc.pid\)/);
    expect(fail('%tolower(proc.name').message).toMatch(/missing '\)'/);
  });
});

describe('output_fields', () => {
  it('token text → typed value; null when missing; transformers omitted but their fields listed', () => {
    const { template } = compile('%proc.name %proc.pid %evt.is_open_read %tolower(proc.exe) %proc.aname[2] %fd.name');
    expect(template.fieldNames).toEqual(['proc.name', 'proc.pid', 'evt.is_open_read', 'proc.exe', 'proc.aname[2]', 'fd.name']);
    const f = template.fields(eventFromFields({ 'proc.name': 'cat', 'proc.pid': '42', 'evt.is_open_read': 'true', 'proc.exe': 'CAT', 'proc.aname[2]': 'init' }));
    expect(f).toEqual({ 'proc.name': 'cat', 'proc.pid': 42, 'evt.is_open_read': true, 'proc.exe': 'CAT', 'proc.aname[2]': 'init', 'fd.name': null });
  });

  it('time fields are integer nanoseconds, exact (bigint beyond 2^53)', () => {
    const ev = newSyscallEvent('open');
    ev.ts = '1700000000123456789';
    const { template } = compile('%evt.time %evt.rawtime');
    const f = template.fields(ev);
    expect(f['evt.time']).toBe(1700000000123456789n);
    expect(f['evt.rawtime']).toBe(1700000000123456789n);
    expect(template.render(ev)).toMatch(/^\d\d:\d\d:\d\d\.123456789 1700000000123456789$/);
  });

  it('extra fields: a bare field, or key → format (rendered); they do not change the text', () => {
    const { template } = compile('%proc.name', { extraFields: ['fd.name', { where: 'on %proc.name in %fd.name' }] });
    expect(template.fieldNames).toEqual(['proc.name', 'fd.name', 'where']);
    expect(template.fields(eventFromFields({ 'proc.name': 'cat', 'fd.name': '/x' }))).toEqual({ 'proc.name': 'cat', 'fd.name': '/x', where: 'on cat in /x' });
    expect(template.render(eventFromFields({ 'proc.name': 'cat' }))).toBe('cat');
  });

  it('deprecated fields warn', () => {
    expect(compile('%evt.dir').warnings.map((w) => w.code)).toEqual(['LOAD_DEPRECATED_ITEM']);
  });
});

describe('append_output (loader option)', () => {
  const RULES = `
- rule: a
  desc: d
  condition: evt.type = open
  output: opened %fd.name
  priority: INFO
  tags: [container, fs]
- rule: b
  desc: d
  condition: evt.type = open
  output: other
  priority: INFO
`;

  it('appends extra_output to rules whose source, tags and name match; extra_fields go to output_fields only', () => {
    const r = load(RULES, {
      appendOutput: [
        { match: { source: 'syscall', tags: ['container'] }, extraOutput: 'on CPU %evt.cpu', extraFields: [{ home: '%proc.env[HOME]' }, 'proc.name'] },
        { match: { rule: 'b' }, extraOutput: '(b)' },
        { match: { source: 'k8s_audit' }, extraOutput: 'never' },
        { extraOutput: 'always' },
      ],
    });
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'a').output.text).toBe('opened %fd.name on CPU %evt.cpu always');
    expect(rule(r, 'a').output.fieldNames).toEqual(['fd.name', 'evt.cpu', 'home', 'proc.name']);
    expect(rule(r, 'b').output.text).toBe('other (b) always');
  });

  it('a bad extra_output is a located output error of the rule', () => {
    const r = load(RULES, { appendOutput: [{ match: { rule: 'b' }, extraOutput: '%nope.field' }] });
    expect(errors(r).map((e) => [e.code, e.locations[1]?.itemName])).toEqual([['LOAD_ERR_COMPILE_OUTPUT', 'b']]);
  });
});
