// Rule loader – items and keys (spec §1.1–1.7): dispatch by first key, every key with its type and
// default, priorities, tags, and the warnings Falco gives while loading.
import { describe, expect, it } from 'vitest';
import { FieldRegistry } from '../../src/fields/registry.js';
import { defineField } from '../../src/fields/define.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { errors, errorMessages, load, rule, ruleYaml, warnings } from '../helpers/rules.js';

describe('rule keys and defaults', () => {
  it('defaults: source syscall, enabled, no tags, no exceptions, capture off', () => {
    const r = load(ruleYaml('r', 'evt.type = open'));
    const x = rule(r, 'r');
    expect(x).toMatchObject({ source: 'syscall', enabled: true, tags: [], exceptionFields: [], capture: false, captureDuration: 0, priority: 6 });
    expect(x.location).toEqual({ file: 'rules.yaml', line: 1, column: 3 });
    expect(errors(r)).toEqual([]);
    expect(warnings(r)).toEqual([]);
  });

  it('priorities are case-insensitive, accept info, and nothing else', () => {
    const names: Array<[string, number]> = [['EMERGENCY', 0], ['alert', 1], ['Critical', 2], ['error', 3], ['WARNING', 4], ['notice', 5],
      ['Informational', 6], ['INFO', 6], ['info', 6], ['debug', 7]];
    for (const [p, n] of names) {
      const r = load(`- rule: r\n  desc: d\n  condition: evt.type = open\n  output: x\n  priority: ${p}\n`);
      expect(rule(r, 'r').priority).toBe(n);
    }
    for (const bad of ['warn', 'crit', 'high', '3']) {
      const r = load(`- rule: r\n  desc: d\n  condition: evt.type = open\n  output: x\n  priority: ${bad}\n`);
      expect(errorMessages(r)[0]).toMatch(/^Invalid priority/);
      expect(errors(r)[0]?.at?.position).toMatchObject({ line: 5, column: 13 });
    }
  });

  it('tags are a sorted, de-duplicated set', () => {
    const r = load(ruleYaml('r', 'evt.type = open', '  tags: [b, a, b, c]\n'));
    expect(rule(r, 'r').tags).toEqual(['a', 'b', 'c']);
  });

  it('bools accept what yaml-cpp accepts (true/false, yes/no, on/off, y/n) and nothing else', () => {
    expect(rule(load(ruleYaml('r', 'evt.type = open', '  enabled: no\n')), 'r').enabled).toBe(false);
    expect(rule(load(ruleYaml('r', 'evt.type = open', '  enabled: "false"\n')), 'r').enabled).toBe(false);
    expect(rule(load(ruleYaml('r', 'evt.type = open', '  enabled: On\n')), 'r').enabled).toBe(true);
    expect(errorMessages(load(ruleYaml('r', 'evt.type = open', '  enabled: maybe\n')))[0]).toMatch(/^Can't decode YAML scalar value/);
  });

  it('capture and capture_duration are accepted', () => {
    const x = rule(load(ruleYaml('r', 'evt.type = open', '  capture: true\n  capture_duration: 3000\n')), 'r');
    expect([x.capture, x.captureDuration]).toEqual([true, 3000]);
    expect(errorMessages(load(ruleYaml('r', 'evt.type = open', '  capture_duration: soon\n')))[0]).toMatch(/not a non-negative integer/);
  });

  it('output is trimmed', () => {
    const r = load('- rule: r\n  desc: d\n  condition: evt.type = open\n  output: >\n    opened %fd.name\n  priority: INFO\n');
    expect(rule(r, 'r').output.text).toBe('opened %fd.name');
  });

  it('a rule of an unknown source warns and is skipped', () => {
    const r = load(ruleYaml('r', 'ka.verb = get', '  source: aws_cloudtrail\n'));
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_UNKNOWN_SOURCE').map((w) => w.message)).toEqual(['Unknown source aws_cloudtrail, skipping']);
    expect(r.rules).toEqual([]);
    expect(r.skipped).toMatchObject([{ name: 'r', source: 'aws_cloudtrail', reason: 'unknown-source' }]);
  });

  it('disabled rules are still compiled and validated', () => {
    const r = load(ruleYaml('r', 'evt.type = open and proc.nam = x', '  enabled: false\n'));
    expect(errorMessages(r)[0]).toContain('nonexistent field proc.nam');
  });
});

describe('items', () => {
  it('the kind is decided by the first known key in Falco\'s order', () => {
    const r = load('- macro: m\n  list: l\n  items: [a]\n  condition: x\n');
    // `list` comes before `macro` in Falco's order, so this is a list (and `condition`, `macro` are unknown keys).
    expect(r.lists.map((l) => l.name)).toEqual(['l']);
    expect(warnings(r, 'LOAD_UNKNOWN_KEY').map((w) => w.message)).toEqual([
      "Unknown key 'macro'. The key will be ignored.", "Unknown key 'condition'. The key will be ignored.",
    ]);
  });

  it('an unknown item warns and is ignored; null entries and empty documents are skipped', () => {
    const r = load('- something: else\n-\n---\n---\n- list: l\n  items: []\n');
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_UNKNOWN_ITEM').map((w) => [w.message, w.at?.position.line])).toEqual([['Unknown top level item', 1]]);
  });

  it('several documents per file', () => {
    const r = load(`- list: l\n  items: [a]\n---\n${ruleYaml('r', 'evt.type = open and proc.name in (l)')}`);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and proc.name in (a))');
  });

  it('unknown keys warn with their position; a priority on a list too', () => {
    const r = load('- list: l\n  items: [a]\n  priority: INFO\n');
    const w = warnings(r, 'LOAD_UNKNOWN_KEY');
    expect(w.map((x) => [x.message, x.at?.position.line, x.at?.position.column])).toEqual([["Unknown key 'priority'. The key will be ignored.", 3, 3]]);
  });

  it('duplicate keys: the first value is used (yaml-cpp), with a warning', () => {
    const r = load('- rule: r\n  desc: d\n  condition: evt.type = open\n  condition: evt.type = close\n  output: x\n  priority: INFO\n');
    expect(rule(r, 'r').condition).toBe('evt.type = open');
    expect(warnings(r, 'LOAD_UNKNOWN_KEY')[0]?.message).toMatch(/^Duplicate key 'condition'/);
  });

  it('YAML anchors and aliases are followed', () => {
    const r = load('- list: l\n  items: &shells [bash, sh]\n- list: l2\n  items: *shells\n');
    expect(r.lists.map((l) => l.items)).toEqual([['bash', 'sh'], ['bash', 'sh']]);
  });
});

describe('warnings', () => {
  it('LOAD_NO_EVTTYPE when a syscall rule matches more than 100 event types, unless warn_evttypes: false', () => {
    const r = load(ruleYaml('r', 'proc.name = bash'));
    expect(warnings(r, 'LOAD_NO_EVTTYPE').map((w) => w.message)).toEqual(['Rule matches too many evt.type values. This has a significant performance penalty.']);
    expect(warnings(load(ruleYaml('r', 'proc.name = bash', '  warn_evttypes: false\n')), 'LOAD_NO_EVTTYPE')).toEqual([]);
    expect(warnings(load(ruleYaml('r', 'evt.type != open')), 'LOAD_NO_EVTTYPE').length).toBe(1);
  });

  it('no LOAD_NO_EVTTYPE for an empty set (a never-true condition)', () => {
    expect(warnings(load(ruleYaml('r', 'evt.num = 0')), 'LOAD_NO_EVTTYPE')).toEqual([]);
  });

  it('skip-if-unknown-filter turns an unknown field into LOAD_UNKNOWN_FILTER and drops the rule', () => {
    const r = load(ruleYaml('r', 'evt.type = open and proc.future_field = x', '  skip-if-unknown-filter: true\n'));
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_UNKNOWN_FILTER')[0]?.message).toContain('nonexistent field proc.future_field');
    expect(r.rules).toEqual([]);
    expect(r.skipped).toMatchObject([{ name: 'r', reason: 'unknown-filter' }]);
  });

  it('skip-if-unknown-filter also covers unknown output fields, but not other errors', () => {
    const r = load('- rule: r\n  desc: d\n  condition: evt.type = open\n  output: "%proc.future_field"\n  priority: INFO\n  skip-if-unknown-filter: true\n');
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_UNKNOWN_FILTER').length).toBe(1);
    const other = load(ruleYaml('r', 'evt.type = open and fd.num = abc', '  skip-if-unknown-filter: true\n'));
    expect(errors(other)[0]?.code).toBe('LOAD_ERR_COMPILE_CONDITION');
  });

  it('deprecated fields in conditions and outputs, and %container.info', () => {
    const r = load('- rule: r\n  desc: d\n  condition: evt.type = open and evt.dir = <\n  output: "%evt.dir %container.info"\n  priority: INFO\n');
    expect(errors(r)).toEqual([]);
    const w = warnings(r, 'LOAD_DEPRECATED_ITEM').map((x) => x.message);
    expect(w.length).toBe(3);
    expect(w.some((m) => m.includes('%container.info'))).toBe(true);
    expect(rule(r, 'r').output.text).toBe('%evt.dir ');
  });

  it('LOAD_UNSAFE_NA_CHECK for ka.* fields compared with <NA> (any source with a registry loads)', () => {
    const k8s = new FieldRegistry('k8s_audit', [
      defineField<{ given: Record<string, unknown> | undefined }>('k8s_audit', 'ka.user.name', { type: 'string', desc: 'user', make: () => () => undefined }),
    ]);
    const r = load('- rule: r\n  desc: d\n  condition: ka.user.name = "<NA>"\n  output: user %ka.user.name\n  priority: INFO\n  source: k8s_audit\n',
      { sources: [syscallFields(), k8s] });
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_UNSAFE_NA_CHECK').length).toBe(1);
    // Only syscall rules are checked for event types.
    expect(warnings(r, 'LOAD_NO_EVTTYPE')).toEqual([]);
    expect(rule(r, 'r').source).toBe('k8s_audit');
  });
});
