// JSON compatibility: alerts built by the formatter serialise byte-identically to real Falco alerts
// (falco's test/output_files/single_rule_with_cat_write.json) for the same rule, output and time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { AlertFormatter } from '../../src/format/formatter.js';
import { DATA, describeShared } from '../helpers/shared.js';
import { testEvent, testRule } from '../helpers/test-rules.js';

const FILE = join(DATA, 'falco-test-trace_files', 'falco-alerts-single_rule_with_cat_write.jsonl');

describeShared('format – Falco JSON compatibility', () => {
  const lines = (): string[] => readFileSync(FILE, 'utf8').split('\n').filter((l) => l !== '');

  it('rebuilds every real Falco alert byte for byte', () => {
    const all = lines();
    expect(all.length).toBe(8);
    const formatter = new AlertFormatter({ hostname: 'test-falco-hostname', timeFormatIso8601: true });
    for (const line of all) {
      const parsed = JSON.parse(line) as { rule: string; tags: string[]; output_fields: Record<string, unknown> };
      // The nanosecond time exceeds 2^53: take its digits from the raw text, never through a double.
      const ns = /"evt\.time\.iso8601":(\d+)/.exec(line)?.[1] as string;
      expect(ns).toMatch(/^\d{19}$/);
      expect(Number.isSafeInteger(Number(ns))).toBe(false);
      const rule = testRule({ name: parsed.rule, priority: 4, tags: [...parsed.tags].reverse(), output: 'An open was seen (command=%proc.cmdline)' });
      const alert = formatter.format(rule, testEvent({ 'proc.cmdline': parsed.output_fields['proc.cmdline'] }, ns));
      expect(alert.json()).toBe(line);
    }
  });

  it('keeps Falco\'s key order: sorted keys, then the grafted output_fields', () => {
    const line = lines()[0] as string;
    const keys = [...line.matchAll(/"([a-z_]+)":/g)].map((m) => m[1]);
    expect(keys.slice(0, 8)).toEqual(['hostname', 'output', 'priority', 'rule', 'source', 'tags', 'time', 'output_fields']);
  });
});
