// Rule loader – selection (spec §5.3–5.5): the priority threshold at load, `rules:` enable/disable
// entries in order with Falco's non-backtracking wildcard, and rule_matching.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/errors.js';
import { matchesWildcard } from '../../src/rules/selection.js';
import { errors, load, warnings } from '../helpers/rules.js';

const RULES = `
- macro: only_for_debug
  condition: proc.name = x
- rule: Netcat Remote Code Execution in Container
  desc: d
  condition: evt.type = execve
  output: x
  priority: WARNING
  tags: [network, container]
- rule: Shell in container
  desc: d
  condition: evt.type = execve
  output: x
  priority: NOTICE
  tags: [shell]
- rule: Debug noise
  desc: d
  condition: evt.type = open and only_for_debug
  output: x
  priority: DEBUG
  tags: [network]
- rule: Disabled one
  desc: d
  condition: evt.type = open
  output: x
  priority: ERROR
  enabled: false
`;

describe('matchesWildcard (Falco matches_wildcard)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['abc', 'abc', true], ['abc', 'abd', false], ['*', 'anything', true], ['**', '', true], ['a*', 'abc', true], ['*c', 'abc', true],
    ['a*c', 'abc', true], ['a*c', 'ac', true], ['a*c', 'acb', false], ['*b*', 'abc', true], ['*ab', 'abab', false], ['*ab', 'xab', true],
    ['a*b*c', 'aXbYc', true], ['a*b*c', 'abcabc', false], ['Shell*', 'Shell in container', true], ['*in container', 'Shell in container', true],
  ];
  for (const [p, s, want] of cases) it(`${p} ~ ${s} = ${want}`, () => expect(matchesWildcard(p, s)).toBe(want));

  it('never backtracks: each literal after a * binds to its first occurrence', () => {
    // A backtracking matcher would retry every split here; this one makes one pass.
    expect(matchesWildcard(`${'*a'.repeat(500)}b`, 'a'.repeat(20000))).toBe(false);
    expect(matchesWildcard('*a*b', `${'a'.repeat(1000)}b`)).toBe(true);
  });
});

describe('priority threshold', () => {
  it('rules less severe than the threshold are not loaded at all (and their macros become unused)', () => {
    const r = load(RULES, { priority: 'notice' });
    expect(r.rules.map((x) => x.name)).toEqual(['Netcat Remote Code Execution in Container', 'Shell in container', 'Disabled one']);
    expect(r.details.has('Debug noise')).toBe(true);
    expect(warnings(r, 'LOAD_UNUSED_MACRO').length).toBe(1);
    expect(r.priority).toBe(5);
  });

  it('accepts names in any case and info; rejects anything else', () => {
    expect(load(RULES, { priority: 'INFO' }).rules.length).toBe(3);
    expect(load(RULES, { priority: 0 }).rules.length).toBe(0);
    expect(() => load(RULES, { priority: 'loud' })).toThrow(ConfigError);
  });
});

describe('rules: enable/disable selection', () => {
  const enabled = (r: ReturnType<typeof load>): string[] => r.rules.filter((x) => x.enabled).map((x) => x.name);

  it('the documented example: disable all, enable one by name, disable a tag, in order', () => {
    const r = load(RULES, {
      selection: [
        { action: 'disable', rule: '*' },
        { action: 'enable', rule: 'Netcat Remote Code Execution in Container' },
        { action: 'enable', tag: 'shell' },
        { action: 'disable', tag: 'network' },
      ],
    });
    expect(errors(r)).toEqual([]);
    expect(enabled(r)).toEqual(['Shell in container']);
    // Definition order is kept, whatever the order of enabling.
    expect(r.rules.map((x) => x.name)).toEqual(['Netcat Remote Code Execution in Container', 'Shell in container', 'Debug noise', 'Disabled one']);
  });

  it('enable by wildcard overrides enabled: false from the rules file', () => {
    expect(enabled(load(RULES, { selection: [{ action: 'enable', rule: 'Disabled*' }] }))).toContain('Disabled one');
  });

  it('an entry with both rule and tag applies both', () => {
    const r = load(RULES, { selection: [{ action: 'disable', rule: 'Shell*', tag: 'network' }] });
    expect(enabled(r)).toEqual([]);
  });

  it('an entry needs a rule or a tag', () => {
    expect(() => load(RULES, { selection: [{ action: 'enable' }] })).toThrow(/needs at least one of 'rule' or 'tag'/);
  });
});

describe('rule_matching', () => {
  it('defaults to first; first|all in any case are recorded', () => {
    expect(load(RULES).ruleMatching).toBe('first');
    expect(load(RULES, { ruleMatching: 'ALL' }).ruleMatching).toBe('all');
    expect(() => load(RULES, { ruleMatching: 'some' })).toThrow(ConfigError);
  });
});
