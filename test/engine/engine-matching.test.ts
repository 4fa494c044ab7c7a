// Engine – rules indexed by event type; only candidate rules run; rule_matching first|all; enabling.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { eventFromFields } from '../../src/event/types.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { ruleFrom } from '../helpers/compiled-rule.js';

const ev = (type: string, fields: Record<string, unknown> = {}) => eventFromFields({ 'evt.type': type, ...fields });

describe('engine – event-type index', () => {
  const openRule = ruleFrom('open shadow', 'evt.type in (open, openat) and fd.name = /etc/shadow');
  const execRule = ruleFrom('exec sh', 'evt.type = execve and proc.name = sh');
  const notOpen = ruleFrom('not open', 'evt.type != open and proc.name = x');
  const anyType = ruleFrom('any', 'proc.name = x');
  const engine = new Engine([openRule, execRule, notOpen, anyType], { matching: 'all' });

  it('offers each event only the rules that can match its type, in rule order', () => {
    expect(engine.candidates(ev('open')).map((r) => r.name)).toEqual(['open shadow', 'any']);
    expect(engine.candidates(ev('execve')).map((r) => r.name)).toEqual(['exec sh', 'not open', 'any']);
    expect(engine.candidates(ev('connect')).map((r) => r.name)).toEqual(['not open', 'any']);
  });

  it('returns matches as data and evaluates all candidates with rule_matching: all', () => {
    const out: CompiledRule[] = [];
    expect(engine.match(ev('openat', { 'fd.name': '/etc/shadow', 'proc.name': 'x' }), out)).toBe(3);
    expect(out.map((r) => r.name)).toEqual(['open shadow', 'not open', 'any']);
    expect(engine.match(ev('openat', { 'fd.name': '/etc/passwd' }), out)).toBe(0);
    expect(out).toEqual([]);
  });

  it('stops at the first match with rule_matching: first', () => {
    const first = new Engine([openRule, anyType]);
    const out: CompiledRule[] = [];
    first.match(ev('openat', { 'fd.name': '/etc/shadow', 'proc.name': 'x' }), out);
    expect(out.map((r) => r.name)).toEqual(['open shadow']);
  });

  it('never matches rules whose condition can never hold (evt.num=0)', () => {
    const never = ruleFrom('never', 'evt.num = 0 and proc.name = x');
    const e = new Engine([never]);
    expect(e.candidates(ev('open'))).toEqual([]);
  });

  it('keeps sources apart', () => {
    const k8s = ruleFrom('k8s rule', 'proc.name = x', { source: 'k8s_audit' });
    const e = new Engine([anyType, k8s], { matching: 'all' });
    const out: CompiledRule[] = [];
    e.match(ev('open', { 'proc.name': 'x' }), out);
    expect(out.map((r) => r.name)).toEqual(['any']);
  });

  it('re-indexes when rules are enabled or disabled, keeping definition order', () => {
    const a = ruleFrom('a', 'evt.type = open');
    const b = ruleFrom('b', 'evt.type = open', { enabled: false });
    const c = ruleFrom('c', 'evt.type = open');
    const e = new Engine([a, b, c], { matching: 'all' });
    expect(e.candidates(ev('open')).map((r) => r.name)).toEqual(['a', 'c']);
    expect(e.setEnabled((r) => r.name === 'b', true)).toBe(1);
    expect(e.candidates(ev('open')).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    e.setEnabled(() => true, false);
    expect(e.candidates(ev('open'))).toEqual([]);
  });

  it('profiles evaluations and matches per rule when asked', () => {
    const e = new Engine([openRule, anyType], { matching: 'all', profile: true });
    const out: CompiledRule[] = [];
    for (let i = 0; i < 10; i++) e.match(ev('open', { 'fd.name': i % 2 ? '/etc/shadow' : '/x' }), out);
    const p = e.profile() ?? [];
    const byName = Object.fromEntries(p.map((x) => [x.rule.name, x]));
    expect(byName['open shadow']?.evaluations).toBe(10);
    expect(byName['open shadow']?.matches).toBe(5);
    expect(byName['any']?.evaluations).toBe(10);
    expect(byName['any']?.matches).toBe(0);
    expect(p.every((x) => x.nanos >= 0)).toBe(true);
  });

  it('counts a failing predicate instead of throwing', () => {
    const broken = { ...ruleFrom('broken', 'evt.type = open'), test: () => { throw new Error('boom'); } } as CompiledRule;
    const e = new Engine([broken]);
    const out: CompiledRule[] = [];
    expect(e.match(ev('open'), out)).toBe(0);
    expect(e.stats.errors).toBe(1);
    expect((e.takeLastError() as Error).message).toBe('boom');
  });
});
