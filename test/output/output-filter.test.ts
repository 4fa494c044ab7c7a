// Per-output filters: minimum priority, tags any/all, rule-name wildcards and exclusions.
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/output/filter.js';
import { wildcardMatch } from '../../src/output/wildcard.js';
import { AlertFanout } from '../../src/output/fanout.js';
import { numbered, ruleFor, seqs } from '../helpers/alerts.js';
import { MemorySink } from '../helpers/sinks.js';

const shell = ruleFor('Terminal shell in container', 5, ['container', 'shell', 'mitre_execution']);
const etc = ruleFor('Write below etc', 3, ['filesystem', 'mitre_persistence']);
const debug = ruleFor('Debug rule', 7, []);

describe('output – filters', () => {
  it('lets everything through when empty', () => {
    expect(compileFilter({})).toBeUndefined();
    expect(compileFilter({ minPriority: 7, tagsAny: [], rules: [] })).toBeUndefined();
  });

  it('filters by minimum priority', () => {
    const f = compileFilter({ minPriority: 4 })!;
    expect(f(numbered(1, etc))).toBe(true); // Error ≥ Warning
    expect(f(numbered(1, shell))).toBe(false); // Notice < Warning
  });

  it('filters by tags, any and all', () => {
    expect(compileFilter({ tagsAny: ['shell', 'network'] })!(numbered(1, shell))).toBe(true);
    expect(compileFilter({ tagsAny: ['network'] })!(numbered(1, shell))).toBe(false);
    expect(compileFilter({ tagsAll: ['container', 'shell'] })!(numbered(1, shell))).toBe(true);
    expect(compileFilter({ tagsAll: ['container', 'filesystem'] })!(numbered(1, shell))).toBe(false);
    expect(compileFilter({ tagsAny: ['x'] })!(numbered(1, debug))).toBe(false);
  });

  it('filters by rule names with * wildcards, and exclusions', () => {
    const f = compileFilter({ rules: ['Terminal shell*', 'Write below *'], excludeRules: ['*etc'] })!;
    expect(f(numbered(1, shell))).toBe(true);
    expect(f(numbered(1, etc))).toBe(false);
    expect(f(numbered(1, debug))).toBe(false);
  });

  it('matches wildcards without catastrophic backtracking', () => {
    expect(wildcardMatch('a*b*c', 'axxbyyc')).toBe(true);
    expect(wildcardMatch('a*b*c', 'axxbyy')).toBe(false);
    expect(wildcardMatch('**', '')).toBe(true);
    expect(wildcardMatch('*x', 'x')).toBe(true);
    const t0 = Date.now();
    expect(wildcardMatch(`${'*a'.repeat(40)}b`, 'a'.repeat(20_000))).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000); // linear-ish, not exponential
  });

  it('counts filtered alerts per output', async () => {
    const all = new MemorySink();
    const oncall = new MemorySink();
    const f = new AlertFanout([
      { name: 'all', sink: all, capacity: 100, policy: 'drop' },
      { name: 'oncall', sink: oncall, capacity: 100, policy: 'drop', filter: { minPriority: 3 } },
    ]);
    await f.open();
    for (let i = 0; i < 10; i++) f.offer(numbered(i, i % 2 === 0 ? etc : shell));
    await f.close();
    expect(seqs(all.received)).toHaveLength(10);
    expect(seqs(oncall.received)).toEqual([0, 2, 4, 6, 8]);
    expect(f.stats()[1]).toMatchObject({ received: 10, filtered: 5, sent: 5 });
  });
});
