// Per-rule cost – the report built from the engine's profile: totals, mean and share per rule,
// most expensive first, rules never evaluated; the text table and the JSON; a real profiled run.
import { describe, expect, it } from 'vitest';
import { Engine, type RuleProfile } from '../../src/engine/engine.js';
import { buildProfileReport, duration, grouped, profileJson, renderProfileText } from '../../src/engine/profile-report.js';
import { eventFromFields } from '../../src/event/types.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { ruleFrom } from '../helpers/compiled-rule.js';

const a = ruleFrom('Cheap', 'evt.type = open', { priority: 5 });
const b = ruleFrom('Expensive', 'evt.type = open and proc.name = x', { priority: 2 });
const c = ruleFrom('Never', 'evt.type = ptrace');
const d = ruleFrom('Also cheap', 'evt.type = open');

const profile: RuleProfile[] = [
  { rule: a, evaluations: 1000, matches: 1000, nanos: 50_000 },
  { rule: c, evaluations: 0, matches: 0, nanos: 0 },
  { rule: b, evaluations: 1000, matches: 3, nanos: 150_000 },
  { rule: d, evaluations: 10, matches: 0, nanos: 50_000 },
];

describe('profile report', () => {
  const report = buildProfileReport(profile, { events: 1200 });

  it('sorts by total time (then evaluations), with mean and share of the time in rule conditions', () => {
    expect(report.totalNanos).toBe(250_000);
    expect(report.evaluations).toBe(2010);
    expect(report.matches).toBe(1003);
    expect(report.events).toBe(1200);
    expect(report.rules.map((r) => [r.name, r.totalNanos, r.meanNanos, r.share])).toEqual([
      ['Expensive', 150_000, 150, 0.6],
      ['Cheap', 50_000, 50, 0.2],
      ['Also cheap', 50_000, 5000, 0.2],
      ['Never', 0, 0, 0],
    ]);
    expect(report.rules[0]).toMatchObject({ priority: 'Critical', source: 'syscall', evaluations: 1000, matches: 3 });
  });

  it('renders a table, most expensive first, and says which rules never ran', () => {
    expect(renderProfileText(report)).toBe([
      'Per-rule cost: 1,200 events; 2,010 rule evaluations, 1,003 matches, 250 µs in rule conditions',
      '',
      '  total  share  evaluations     mean  matches  rule',
      ' 150 µs  60.0%        1,000   150 ns        3  Expensive',
      '50.0 µs  20.0%        1,000    50 ns    1,000  Cheap',
      '50.0 µs  20.0%           10  5.00 µs        0  Also cheap',
      '1 rule was never evaluated (no event of its source and event types)',
      '',
    ].join('\n'));
    const top = renderProfileText(report, { top: 1 });
    expect(top).toContain('  Expensive\n… and 2 more evaluated rules\n');
    expect(top).not.toContain('Cheap');
  });

  it('gives JSON with nanoseconds and fractions', () => {
    expect(profileJson(report)).toEqual({
      events: 1200, evaluations: 2010, matches: 1003, totalNanos: 250_000,
      rules: [
        { name: 'Expensive', priority: 'Critical', source: 'syscall', evaluations: 1000, matches: 3, totalNanos: 150_000, meanNanos: 150, share: 0.6 },
        { name: 'Cheap', priority: 'Notice', source: 'syscall', evaluations: 1000, matches: 1000, totalNanos: 50_000, meanNanos: 50, share: 0.2 },
        { name: 'Also cheap', priority: 'Warning', source: 'syscall', evaluations: 10, matches: 0, totalNanos: 50_000, meanNanos: 5000, share: 0.2 },
        { name: 'Never', priority: 'Warning', source: 'syscall', evaluations: 0, matches: 0, totalNanos: 0, meanNanos: 0, share: 0 },
      ],
    });
  });

  it('handles an engine that saw nothing', () => {
    const empty = buildProfileReport([{ rule: c, evaluations: 0, matches: 0, nanos: 0 }]);
    expect(empty.rules[0]?.share).toBe(0);
    expect(renderProfileText(empty)).toBe('Per-rule cost: 0 rule evaluations, 0 matches, 0 ns in rule conditions\n1 rule was never evaluated (no event of its source and event types)\n');
  });

  it('formats numbers and durations', () => {
    expect([grouped(0), grouped(999), grouped(1000), grouped(1234567), grouped(-4200)]).toEqual(['0', '999', '1,000', '1,234,567', '-4,200']);
    expect([duration(0), duration(999), duration(1500), duration(12_345), duration(123_456), duration(4_560_000), duration(1_200_000_000)])
      .toEqual(['0 ns', '999 ns', '1.50 µs', '12.3 µs', '123 µs', '4.56 ms', '1.20 s']);
  });

  it('reports a real profiled engine: evaluations and matches per rule as the events produced them', () => {
    const engine = new Engine([a, b, c], { matching: 'all', profile: true });
    const out: CompiledRule[] = [];
    for (let i = 0; i < 50; i++) engine.match(eventFromFields({ 'evt.type': 'open', 'proc.name': i % 10 === 0 ? 'x' : 'y' }), out);
    engine.match(eventFromFields({ 'evt.type': 'execve' }), out);
    const r = buildProfileReport(engine.profile() ?? [], { events: engine.stats.events });
    const by = Object.fromEntries(r.rules.map((x) => [x.name, x]));
    expect(by['Cheap']).toMatchObject({ evaluations: 50, matches: 50 });
    expect(by['Expensive']).toMatchObject({ evaluations: 50, matches: 5 });
    expect(by['Never']).toMatchObject({ evaluations: 0, matches: 0, totalNanos: 0 });
    expect(r.events).toBe(51);
    expect(r.totalNanos).toBeGreaterThan(0);
    expect(r.rules.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 6);
    expect(r.rules.at(-1)?.name).toBe('Never');
  });
});
