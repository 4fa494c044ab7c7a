// Numbered alerts for output tests: alert i carries `seq = i` in output_fields and "#i" in its message.
import type { Priority } from '../../src/common/priority.js';
import type { Alert } from '../../src/format/alert.js';
import { AlertFormatter } from '../../src/format/formatter.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { testEvent, testRule } from './test-rules.js';

export const formatter = new AlertFormatter({ hostname: 'test-host', timeFormatIso8601: true });
const rules = new Map<string, CompiledRule>();

export function ruleFor(name: string, priority: Priority = 4, tags: readonly string[] = ['test']): CompiledRule {
  const key = `${name}|${priority}|${tags.join(',')}`;
  let r = rules.get(key);
  if (r === undefined) {
    r = testRule({ id: rules.size, name, priority, tags, output: 'alert #%seq (user=%user.name)' });
    rules.set(key, r);
  }
  return r;
}

export function numbered(i: number, rule: CompiledRule = ruleFor('Test rule'), extra: Record<string, unknown> = {}): Alert {
  const ts = (1_700_000_000_000_000_000n + BigInt(i)).toString();
  return formatter.format(rule, testEvent({ seq: i, 'user.name': 'root', ...extra }, ts));
}

/** The seq numbers of alerts (rule alerts only). */
export function seqs(alerts: readonly Alert[]): number[] {
  return alerts.filter((a) => a.ruleId >= 0).map((a) => a.templateFields['seq'] as number);
}

export const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
