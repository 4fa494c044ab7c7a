// Rule loader – bad input: every problem gets a located error (file:line:col, item, snippet), all
// are reported together, nothing throws; positions inside conditions map back to the file through
// YAML quoting, folding, block scalars, list substitution and appends.
import { describe, expect, it } from 'vitest';
import { formatLoadResults, loadResultsJson } from '../../src/common/load-result.js';
import { errors, errorMessages, load, loadFiles, ruleYaml } from '../helpers/rules.js';

describe('all problems of a file, each located', () => {
  const FILE = `- list: shells
  items: [bash, sh]
- macro: loop_a
  condition: evt.type = open
- macro: loop_b
  condition: loop_a
- macro: loop_a
  condition: or loop_b
  override:
    condition: append
- rule: wrong types
  desc: d
  condition: evt.type = open
  output: x
  priority: INFO
  tags: not-a-list
- rule: missing keys
  desc: only a description
- rule: undefined macro
  desc: d
  condition: evt.type = open and not nowhere
  output: x
  priority: INFO
- rule: bad field
  desc: d
  condition: evt.type = open and proc.nam = x
  output: x
  priority: INFO
- rule: bad syntax
  desc: d
  condition: evt.type = open and (proc.name = x
  output: x
  priority: INFO
- rule: bad output
  desc: d
  condition: evt.type = open
  output: 100% sure
  priority: INFO
- rule: uses loop
  desc: d
  condition: evt.type = open and loop_a
  output: x
  priority: INFO
- just a string
- rule: {}
`;

  it('reports every one of them, in one run, with a position', () => {
    const r = load(FILE);
    const got = errors(r).map((e) => [e.code, e.at?.position.line, e.message.split(/[.:]/)[0]]);
    // Sorted by position in the file.
    expect(got).toEqual([
      ['LOAD_ERR_VALIDATE', 8, "reference loop in macro 'loop_b'"],
      ['LOAD_ERR_YAML_VALIDATE', 16, 'Value is not a sequence'],
      ['LOAD_ERR_YAML_VALIDATE', 17, "Item has no mapping for key 'condition'"],
      ['LOAD_ERR_YAML_VALIDATE', 17, "Item has no mapping for key 'output'"],
      ['LOAD_ERR_YAML_VALIDATE', 17, "Item has no mapping for key 'priority'"],
      ['LOAD_ERR_VALIDATE', 21, "Undefined macro 'nowhere' used in filter"],
      ['LOAD_ERR_COMPILE_CONDITION', 26, 'filter_check called with nonexistent field proc'],
      ['LOAD_ERR_COMPILE_CONDITION', 31, 'expected a \')\' token'],
      ['LOAD_ERR_COMPILE_OUTPUT', 37, 'unknown filter'],
      ['LOAD_ERR_YAML_VALIDATE', 44, 'Unexpected element type'],
      ['LOAD_ERR_YAML_VALIDATE', 45, 'Value is not a scalar value'],
    ]);
    for (const e of errors(r)) {
      expect(e.at?.file).toBe('rules.yaml');
      expect(e.snippet).toMatch(/\^$/);
      expect(e.locations[0]).toMatchObject({ itemType: 'rules content', name: 'rules.yaml' });
    }
  });

  it('formats as text, one block per problem, headed file:line:col', () => {
    const text = formatLoadResults(load(FILE).results);
    expect(text).toContain('rules.yaml:26:34: error LOAD_ERR_COMPILE_CONDITION: filter_check called with nonexistent field proc.nam');
    expect(text).toContain("  in rule 'bad field' (rules.yaml:24:3)");
    expect(text).toContain(`    |   condition: evt.type = open and proc.nam = x\n    |${' '.repeat(34)}^`);
  });

  it('formats as Falco JSON', () => {
    const json = loadResultsJson(load(FILE).results);
    const [res] = json.falco_load_results;
    expect(res?.name).toBe('rules.yaml');
    expect(res?.successful).toBe(false);
    const e = res?.errors.find((x) => x.message.startsWith('filter_check'));
    expect(e).toMatchObject({ code: 'LOAD_ERR_COMPILE_CONDITION', codedesc: 'Error compiling condition' });
    expect(e?.context.locations.map((l) => l.item_type)).toEqual(['rules content', 'rule', 'rule condition', 'condition expression']);
    expect(e?.context.locations[1]).toMatchObject({ item_name: 'bad field', position: { name: 'rules.yaml', line: 24, column: 3 } });
    expect(e?.context.locations[3]?.position).toMatchObject({ name: '"evt.type = open a..."', line: 1, column: 21, offset: 20 });
    expect(e?.context.snippet).toBe('evt.type = open and proc.nam = x\n                    ^');
  });
});

describe('positions inside conditions map to the file', () => {
  const at = (yaml: string): [number, number] | undefined => {
    const p = errors(load(yaml))[0]?.at?.position;
    return p ? [p.line, p.column] : undefined;
  };
  const wrap = (cond: string): string => `- rule: r\n  desc: d\n  condition: ${cond}\n  output: x\n  priority: INFO\n`;

  it('plain scalar', () => {
    expect(at(wrap('evt.type = open and proc.nam = x'))).toEqual([3, 34]);
  });

  it('double-quoted scalar with escapes before the error', () => {
    expect(at(wrap('"proc.cmdline = \\"a b\\" and proc.nam = x"'))).toEqual([3, 42]);
  });

  it("single-quoted scalar with '' before the error", () => {
    expect(at(wrap("'proc.cmdline = ''ab'' and proc.nam = x'"))).toEqual([3, 41]);
  });

  it('folded block scalar', () => {
    expect(at(wrap('>\n    evt.type = open\n      and proc.nam = x'))).toEqual([5, 11]);
  });

  it('literal block scalar', () => {
    expect(at(wrap('|\n    evt.type = open\n    and\n    proc.nam = x'))).toEqual([6, 5]);
  });

  it('plain multi-line scalar', () => {
    expect(at(wrap('evt.type = open\n    and proc.nam = x'))).toEqual([4, 9]);
  });

  it('after a list substitution that changed the text length', () => {
    expect(at(`- list: l\n  items: [aaaaaaaa, bbbbbbbbbbb, cccccccccc]\n${wrap('proc.name in (l) and proc.nam = x')}`)).toEqual([5, 35]);
  });

  it('in text appended by a later item', () => {
    const r = loadFiles({ 'a.yaml': ruleYaml('r', 'evt.type = open'), 'b.yaml': '- rule: r\n  condition: and proc.nam = x\n  override:\n    condition: append\n' });
    expect(errors(r)[0]?.at).toMatchObject({ file: 'b.yaml', position: { line: 2, column: 18 } });
  });

  it('a parse error at the end of the condition', () => {
    expect(at(wrap('evt.type = open and'))).toEqual([3, 33]);
  });

  it('an output error', () => {
    const r = load('- rule: r\n  desc: d\n  condition: evt.type = open\n  output: "file %fd.nme here"\n  priority: INFO\n');
    expect(errors(r)[0]?.at?.position).toMatchObject({ line: 4, column: 17 });
    expect(errorMessages(r)[0]).toMatch(/^invalid formatting token %fd.nme: filter_check called with nonexistent field fd.nme/);
  });
});

describe('malformed files never throw', () => {
  const inputs = [
    '', '\n', '---', 'null', '42', 'just text', '{a: 1}', '[1, 2]', '- - - -', '- [unclosed', '- {a: [}', '- rule:', '- rule: x\n  condition:',
    '- list: l\n  items: {a: 1}', '- macro: m\n  condition: [a]', '- rule: r\n  desc: d\n  condition: (((((\n  output: x\n  priority: INFO',
    `- rule: r\n  desc: d\n  condition: ${'('.repeat(5000)}a\n  output: x\n  priority: INFO`, '\t- rule: tab', '- rule: r\n  override: [a]',
    '- required_engine_version: [1]', '- required_plugin_versions: x', '- required_plugin_versions: [x]', '- required_plugin_versions: [{name: a}]',
    '- rule: r\n  desc: d\n  condition: a\n  output: x\n  priority: INFO\n  exceptions: [{name: e, fields: [a.b], values: [[{x: 1}]]}]',
    '&a [*a]', '- *unknown_alias', '%YAML 1.2\n---\n- list: l\n  items: []',
  ];
  for (const input of inputs) {
    it(JSON.stringify(input.slice(0, 40)), () => {
      const r = load(input);
      for (const e of errors(r)) {
        expect(e.locations.length).toBeGreaterThan(0);
        expect(e.at?.file ?? e.locations[0]?.name).toBe('rules.yaml');
      }
    });
  }

  it('YAML syntax errors are LOAD_ERR_YAML_PARSE with a position; other documents and items still load', () => {
    const r = load(`- list: ok\n  items: [a]\n- macro: broken\n  condition: [unclosed\n---\n${ruleYaml('r', 'evt.type = open and proc.name in (ok)')}`);
    const e = errors(r);
    expect(e.map((x) => x.code)).toEqual(['LOAD_ERR_YAML_PARSE']);
    expect(e[0]?.at?.position.line).toBeGreaterThan(3);
    expect(r.rules.map((x) => x.name)).toEqual(['r']);
  });

  it('a document that is not a sequence', () => {
    expect(errorMessages(load('rule: x\n'))).toEqual(['Rules content is not yaml array of objects']);
    expect(errorMessages(load('hello\n'))).toEqual(['Rules content is not yaml']);
  });
});
