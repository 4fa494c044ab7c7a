// Renders rule-test results as text: one line per case (✓ passed, ✗ failed, ! could not run), and
// for failures what fired against what was expected, output-field differences, and an explanation
// of each expected rule on the event that came closest to firing it. Event data is escaped.

import { renderExplain } from '../condition/explain.js';
import type { Coverage } from './coverage.js';
import type { CaseResult, Diagnosis, FileResult } from './result.js';

export interface ReportOptions {
  /** Print passing cases too (default true). */
  readonly passes?: boolean;
}

/** JSON text of a value; control characters escaped, so hostile event data cannot forge lines. */
function show(v: unknown): string {
  if (v === undefined || v === null) return 'null (missing)';
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v) ?? String(v);
}

function indent(text: string, by: string): string {
  return text.replace(/\n$/, '').split('\n').map((l) => by + l).join('\n');
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function diagnosisText(d: Diagnosis, expected: string, ruleMatching: string): string[] {
  const out: string[] = [];
  if (d.note !== undefined) {
    out.push(`${d.rule}: ${d.note}`);
    return out;
  }
  const miss = d.nearMiss;
  if (miss === undefined) {
    out.push(`${d.rule}: no event of its source and event types among the case's events, so it never ran`);
    return out;
  }
  out.push(`${d.rule} (expected ${expected}): closest event ${miss.source}:${miss.line} (${miss.eventType}), `
    + `${miss.held} of ${miss.total} clauses held, of ${d.candidates} event${d.candidates === 1 ? '' : 's'} it ran on:`);
  if (miss.held === miss.total && ruleMatching === 'first') {
    out.push('  Its condition holds on this event: with rule_matching: first, an earlier rule matched the event first.');
  }
  out.push(indent(renderExplain(miss.tree, { collapseSkipped: true }), '  '));
  return out;
}

function failureDetails(r: CaseResult): string[] {
  const out: string[] = [];
  for (const e of r.errors) out.push(e);
  const o = r.outcome;
  if (o === undefined) return out;
  const width = Math.max(4, ...o.checks.map((k) => k.rule.length)) + 2;
  const ew = Math.max(8, ...o.checks.map((k) => k.expected.length)) + 2;
  out.push(`  ${pad('rule', width)}${pad('expected', ew)}fired`);
  for (const k of o.checks) out.push(`${k.ok ? '✓' : '✗'} ${pad(k.rule, width)}${pad(k.expected, ew)}${k.fired}`);
  const silent = o.others.filter((x) => !o.checks.some((k) => k.rule === x.rule));
  if (silent.length > 0) out.push(`  also fired (not checked): ${silent.map((x) => `${x.rule} ×${x.fired}`).join(', ')}`);
  for (const f of o.fieldChecks) {
    if (f.ok || f.alert === undefined) continue;
    out.push(`output_fields of ${f.rule} (closest alert: ${f.alert.source}:${f.alert.line}):`);
    for (const m of f.mismatches) {
      out.push(m.known
        ? `  ${m.field}: expected ${show(m.expected)}, got ${show(m.actual)}`
        : `  ${m.field}: not an output field of the rule (it has: ${Object.keys(f.alert.fields).join(', ')})`);
    }
  }
  for (const d of r.diagnoses) {
    const check = o.checks.find((k) => k.rule === d.rule);
    out.push(...diagnosisText(d, check?.expected ?? '?', r.testCase.config.ruleMatching));
  }
  return out;
}

/** One line saying why a case failed (JUnit's failure message). */
export function failureSummary(r: CaseResult): string {
  const err = r.errors[0];
  if (err !== undefined) return err.split('\n')[0] ?? err;
  const k = r.outcome?.checks.find((x) => !x.ok);
  if (k !== undefined) return `${k.rule}: expected ${k.expected}, fired ${k.fired}`;
  const f = r.outcome?.fieldChecks.find((x) => !x.ok);
  if (f !== undefined) return `${f.rule}: output_fields differ (${f.mismatches.map((m) => m.field).join(', ')})`;
  return 'failed';
}

/** A failed case's details as the text report prints them (without the case line). */
export function failureText(r: CaseResult): string {
  return `${failureDetails(r).join('\n')}\n`;
}

function caseLine(r: CaseResult): string {
  const mark = r.outcome === undefined ? '!' : r.passed ? '✓' : '✗';
  const where = `${r.testCase.where.file}:${r.testCase.where.line}`;
  const stats = r.outcome === undefined ? '' : `  (${r.events} event${r.events === 1 ? '' : 's'}, ${r.alerts} alert${r.alerts === 1 ? '' : 's'})`;
  return `  ${mark} ${r.testCase.name}${r.passed ? stats : `  [${where}]`}`;
}

export function renderResults(files: readonly FileResult[], options: ReportOptions = {}): string {
  const lines: string[] = [];
  for (const f of files) {
    if (options.passes === false && f.problems.length === 0 && f.cases.every((c) => c.passed)) continue;
    lines.push(f.path);
    for (const p of f.problems) lines.push(indent(p, '  '));
    for (const r of f.cases) {
      if (r.passed && options.passes === false) continue;
      lines.push(caseLine(r));
      if (!r.passed) lines.push(...failureDetails(r).map((l) => indent(l, '      ')));
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export interface Totals {
  readonly files: number;
  readonly cases: number;
  readonly passed: number;
  readonly failed: number;
  /** Files with problems (not run). */
  readonly badFiles: number;
}

export function totals(files: readonly FileResult[]): Totals {
  const cases = files.flatMap((f) => f.cases);
  const passed = cases.filter((c) => c.passed).length;
  return { files: files.length, cases: cases.length, passed, failed: cases.length - passed, badFiles: files.filter((f) => f.problems.length > 0).length };
}

export function summaryText(t: Totals): string {
  const bad = t.badFiles > 0 ? `; ${t.badFiles} test file${t.badFiles === 1 ? '' : 's'} with problems (not run)` : '';
  return `${t.cases} case${t.cases === 1 ? '' : 's'} in ${t.files} file${t.files === 1 ? '' : 's'}: ${t.passed} passed, ${t.failed} failed${bad}\n`;
}

export function renderCoverage(c: Coverage): string {
  const n = c.rules.length;
  const lines = [
    `Coverage: ${n - c.withoutPositive.length} of ${n} rules have a passing positive test (expected to fire), `
      + `${n - c.withoutNegative.length} of ${n} a passing negative test (count: 0).`,
  ];
  if (c.withoutPositive.length > 0) {
    lines.push('Rules without a positive test:');
    for (const r of c.withoutPositive) lines.push(`  - ${r.name}  (${r.location}${r.enabled ? '' : ', disabled'})`);
  }
  if (c.withoutNegative.length > 0) {
    lines.push('Rules without a negative test:');
    for (const r of c.withoutNegative) lines.push(`  - ${r.name}  (${r.location}${r.enabled ? '' : ', disabled'})`);
  }
  return `${lines.join('\n')}\n`;
}
