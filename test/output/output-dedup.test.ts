// Opt-in throttling: at most one alert per key per window; suppressed counts are always reported,
// inline in the next alert for the key or in a summary, and counted.
import { describe, expect, it } from 'vitest';
import { Throttle, type SuppressionSummary } from '../../src/output/dedup.js';
import { AlertFanout } from '../../src/output/fanout.js';
import { SUPPRESSED_FIELD } from '../../src/format/alert.js';
import { numbered, ruleFor } from '../helpers/alerts.js';
import { MemorySink } from '../helpers/sinks.js';
import { until } from '../helpers/nats-server.js';

const shell = ruleFor('Terminal shell in container', 5);
const other = ruleFor('Other rule', 5);

describe('output – dedup throttle', () => {
  const make = (summaries: SuppressionSummary[], maxKeys?: number) =>
    new Throttle([{ rules: ['Terminal shell*'], key: ['user.name'], windowMs: 60_000 }], (s) => summaries.push(s), maxKeys);

  it('lets one alert per key per window through and reports the count in the next one', () => {
    const s: SuppressionSummary[] = [];
    const t = make(s);
    expect(t.admit(numbered(1, shell), 0)).toBeDefined();
    for (let i = 2; i <= 5; i++) expect(t.admit(numbered(i, shell), 1000 * i)).toBeUndefined();
    expect(t.admit(numbered(6, shell, { 'user.name': 'alice' }), 10_000)).toBeDefined(); // another key
    expect(t.admit(numbered(7, other), 10_000)).toBeDefined(); // another rule: not throttled
    const next = t.admit(numbered(8, shell), 60_000)!;
    expect(next.templateFields[SUPPRESSED_FIELD]).toBe(4);
    expect(next.message).toMatch(/\(peregrine: 4 similar alerts suppressed in 1m\)$/);
    expect(JSON.parse(next.json()).output_fields[SUPPRESSED_FIELD]).toBe(4);
    expect(t.suppressed).toBe(4);
    expect(t.reported).toBe(4);
    expect(s).toEqual([]);
  });

  it('reports counts no later alert carried in a summary, after one idle window', () => {
    const s: SuppressionSummary[] = [];
    const t = make(s);
    t.admit(numbered(1, shell), 0);
    t.admit(numbered(2, shell), 1);
    t.admit(numbered(3, shell), 2);
    t.sweep(60_000);
    expect(s).toEqual([]); // the next alert may still carry it
    t.sweep(120_000);
    expect(s).toEqual([{ rule: 'Terminal shell in container', priority: 5, key: { 'user.name': 'root' }, suppressed: 2, windowMs: 60_000 }]);
    expect(t.keys).toBe(0);
    expect(t.admit(numbered(4, shell), 130_000)!.templateFields[SUPPRESSED_FIELD]).toBeUndefined();
  });

  it('bounds its memory: evicting a key reports its pending count', () => {
    const s: SuppressionSummary[] = [];
    const t = make(s, 2);
    t.admit(numbered(1, shell, { 'user.name': 'a' }), 0);
    t.admit(numbered(2, shell, { 'user.name': 'a' }), 1);
    t.admit(numbered(3, shell, { 'user.name': 'b' }), 2);
    t.admit(numbered(4, shell, { 'user.name': 'c' }), 3);
    expect(t.keys).toBe(2);
    expect(s.map((x) => [x.key['user.name'], x.suppressed])).toEqual([['a', 1]]);
  });

  it('flushAll reports everything pending (on close)', () => {
    const s: SuppressionSummary[] = [];
    const t = make(s);
    t.admit(numbered(1, shell), 0);
    t.admit(numbered(2, shell), 1);
    t.flushAll();
    expect(s.map((x) => x.suppressed)).toEqual([1]);
    expect(t.reported).toBe(t.suppressed);
  });

  it('works per output in the fan-out, with summaries as internal alerts and counts in stats', async () => {
    const raw = new MemorySink();
    const chat = new MemorySink();
    const f = new AlertFanout([
      { name: 'raw', sink: raw, capacity: 1000, policy: 'drop' },
      { name: 'chat', sink: chat, capacity: 1000, policy: 'drop', dedup: [{ rules: ['*'], key: [], windowMs: 100 }] },
    ], { format: { hostname: 'h', timeFormatIso8601: true } });
    await f.open();
    for (let i = 0; i < 20; i++) f.offer(numbered(i, shell));
    // No further alert: a summary arrives after the window plus one idle window.
    expect(await until(() => chat.received.some((a) => a.source === 'internal'), 3000)).toBe(true);
    await f.close();
    expect(raw.received).toHaveLength(20);
    expect(chat.received[0]!.templateFields['seq']).toBe(0);
    const summary = chat.received[1]!;
    expect(summary.rule).toBe('Peregrine internal: alerts suppressed');
    expect(summary.priority).toBe(5);
    expect(summary.templateFields).toMatchObject({ output: 'chat', rule: 'Terminal shell in container', suppressed: 19, window: '100ms' });
    expect(f.stats()[1]).toMatchObject({ suppressed: 19 });
  });
});
