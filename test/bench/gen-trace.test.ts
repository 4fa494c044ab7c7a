// The benchmark trace generator: reproducible, and with --match-share the share of events that match
// the upstream rules is what was asked for (replayed through the real CLI with all three files).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { traceLines } from '../../bench/gen-trace.mjs';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { describeShared, INCUBATING_RULES, SANDBOX_RULES, STABLE_RULES } from '../helpers/shared.js';

beforeAll(() => ensureBuilt());

const EVENTS = 40_000;

function replaySummary(lines: readonly string[]): { events: number; alerts: number; byRule: Record<string, number> } {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-gen-trace-'));
  writeFileSync(join(dir, 'trace.jsonl'), `${lines.join('\n')}\n`);
  const r = runCli(['replay', '-r', STABLE_RULES, '-r', INCUBATING_RULES, '-r', SANDBOX_RULES, '--quiet',
    '--summary-json', join(dir, 'summary.json'), join(dir, 'trace.jsonl')]);
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { events: number; alerts: number; byRule: Record<string, number> };
}

describeShared('bench/gen-trace.mjs', () => {
  it('is reproducible: the same seed and options give the same lines', () => {
    const a = [...traceLines({ events: 5000, seed: 3, matchShare: 0.02 })];
    expect([...traceLines({ events: 5000, seed: 3, matchShare: 0.02 })]).toEqual(a);
    expect(a).toHaveLength(5000);
    expect([...traceLines({ events: 5000, seed: 4, matchShare: 0.02 })]).not.toEqual(a);
  });

  it('--match-share 0: no upstream rule fires beyond the one exec of the header', () => {
    const s = replaySummary([...traceLines({ events: EVENTS, seed: 11, matchShare: 0 })]);
    expect(s.events).toBe(EVENTS);
    expect(s.alerts).toBeLessThanOrEqual(1);
  });

  it('--match-share 0.02: about 2 % of events match, all of them the deliberate /etc/shadow reads', () => {
    const s = replaySummary([...traceLines({ events: EVENTS, seed: 11, matchShare: 0.02 })]);
    const share = (s.byRule['Read sensitive file untrusted'] ?? 0) / s.events;
    expect(share).toBeGreaterThan(0.012);
    expect(share).toBeLessThan(0.025);
    expect(s.alerts - (s.byRule['Read sensitive file untrusted'] ?? 0)).toBeLessThanOrEqual(1);
  });
});
