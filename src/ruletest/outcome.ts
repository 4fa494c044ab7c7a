// Judges one case: the alerts its events produced against what the case expects (rules that must
// fire a number of times or not at all, output field values, and optionally that nothing else
// fires). Pure data in, verdict out; the runner produces the alerts.

import type { Priority } from '../common/priority.js';
import type { Expectation, TestCase } from './spec.js';

/** An alert a case's events produced. */
export interface Alert {
  readonly rule: string;
  readonly priority: Priority;
  /** Where the event that fired came from. */
  readonly source: string;
  readonly line: number;
  readonly eventType: string;
  /** The rule's output_fields on that event. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The rendered output message. */
  readonly output: string;
}

export interface RuleCheck {
  readonly rule: string;
  /** "1", "at least 1", "0", or "0 (no_other_rules)" for a rule nobody expected. */
  readonly expected: string;
  readonly fired: number;
  readonly ok: boolean;
  /** Undefined for rules that fired without being expected. */
  readonly expectation: Expectation | undefined;
}

export interface FieldMismatch {
  readonly field: string;
  readonly expected: unknown;
  /** null when the alert had no such field or the field was missing on the event. */
  readonly actual: unknown;
  /** False when the field is not among the rule's output fields at all. */
  readonly known: boolean;
}

export interface FieldCheck {
  readonly rule: string;
  readonly ok: boolean;
  /** The alert compared: the first that matches, else the one with the fewest mismatches. */
  readonly alert: Alert | undefined;
  readonly mismatches: readonly FieldMismatch[];
}

export interface CaseOutcome {
  readonly passed: boolean;
  /** One per expectation, then (with no_other_rules) one per unexpected rule that fired. */
  readonly checks: readonly RuleCheck[];
  readonly fieldChecks: readonly FieldCheck[];
  /** Rules that fired without being expected (failures only with no_other_rules). */
  readonly others: ReadonlyArray<{ readonly rule: string; readonly fired: number }>;
}

function expectedText(e: Expectation): string {
  if (e.count !== undefined) return String(e.count);
  return `at least ${e.atLeast ?? 1}`;
}

function satisfied(e: Expectation, fired: number): boolean {
  if (e.count !== undefined) return fired === e.count;
  return fired >= (e.atLeast ?? 1);
}

/** Text of a value as an output field shows it, for lenient comparison (34816 = "34816"). */
function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => text(x) ?? '').join(',');
  return String(v);
}

export function sameValue(expected: unknown, actual: unknown): boolean {
  return text(expected) === text(actual);
}

function compareFields(expected: Readonly<Record<string, unknown>>, alert: Alert): FieldMismatch[] {
  const out: FieldMismatch[] = [];
  for (const [field, want] of Object.entries(expected)) {
    const has = Object.prototype.hasOwnProperty.call(alert.fields, field);
    const got = has ? alert.fields[field] : null;
    if (!sameValue(want, got)) out.push({ field, expected: want, actual: has ? got ?? null : null, known: has });
  }
  return out;
}

export function evaluateCase(c: TestCase, alerts: readonly Alert[]): CaseOutcome {
  const byRule = new Map<string, Alert[]>();
  for (const a of alerts) {
    let list = byRule.get(a.rule);
    if (list === undefined) byRule.set(a.rule, (list = []));
    list.push(a);
  }
  const checks: RuleCheck[] = [];
  const fieldChecks: FieldCheck[] = [];
  const expected = new Set<string>();
  for (const e of c.expect) {
    expected.add(e.rule);
    const fired = byRule.get(e.rule) ?? [];
    checks.push({ rule: e.rule, expected: expectedText(e), fired: fired.length, ok: satisfied(e, fired.length), expectation: e });
    if (e.outputFields !== undefined && fired.length > 0) {
      let best: { alert: Alert; mismatches: FieldMismatch[] } | undefined;
      for (const a of fired) {
        const m = compareFields(e.outputFields, a);
        if (best === undefined || m.length < best.mismatches.length) best = { alert: a, mismatches: m };
        if (m.length === 0) break;
      }
      fieldChecks.push({ rule: e.rule, ok: best?.mismatches.length === 0, alert: best?.alert, mismatches: best?.mismatches ?? [] });
    }
  }
  const others: Array<{ rule: string; fired: number }> = [];
  for (const [rule, list] of byRule) {
    if (expected.has(rule)) continue;
    others.push({ rule, fired: list.length });
    if (c.noOtherRules) checks.push({ rule, expected: '0 (no_other_rules)', fired: list.length, ok: false, expectation: undefined });
  }
  const passed = checks.every((k) => k.ok) && fieldChecks.every((f) => f.ok);
  return { passed, checks, fieldChecks, others };
}
