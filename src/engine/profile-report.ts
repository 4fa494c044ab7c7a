// Per-rule cost from the engine's profile (Engine with `profile: true`): for each rule its
// evaluations, matches, total and mean evaluation time and share of the time spent in rule
// conditions, most expensive first; rendered as a text table or as JSON (`replay --profile`).
//
// Times are the engine's clock reads around each predicate call, so they include the clock's own
// overhead (tens of nanoseconds per evaluation); compare rules with each other, not with wall time.

import { priorityName, type PriorityName } from '../common/priority.js';
import type { RuleProfile } from './engine.js';

export interface RuleCost {
  readonly name: string;
  readonly priority: PriorityName;
  readonly source: string;
  readonly evaluations: number;
  readonly matches: number;
  readonly totalNanos: number;
  /** totalNanos / evaluations; 0 for a rule never evaluated. */
  readonly meanNanos: number;
  /** Fraction (0..1) of the time spent in all rules' conditions. */
  readonly share: number;
}

export interface ProfileReport {
  /** Most expensive first (then most evaluated, then by name). */
  readonly rules: readonly RuleCost[];
  readonly totalNanos: number;
  readonly evaluations: number;
  readonly matches: number;
  /** Events the engine saw, when the caller knows it. */
  readonly events: number | undefined;
}

export function buildProfileReport(profile: readonly RuleProfile[], options: { events?: number } = {}): ProfileReport {
  const totalNanos = profile.reduce((n, p) => n + p.nanos, 0);
  const rules: RuleCost[] = profile.map((p) => ({
    name: p.rule.name,
    priority: priorityName(p.rule.priority),
    source: p.rule.source,
    evaluations: p.evaluations,
    matches: p.matches,
    totalNanos: p.nanos,
    meanNanos: p.evaluations === 0 ? 0 : p.nanos / p.evaluations,
    share: totalNanos === 0 ? 0 : p.nanos / totalNanos,
  }));
  rules.sort((a, b) => b.totalNanos - a.totalNanos || b.evaluations - a.evaluations || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    rules,
    totalNanos,
    evaluations: rules.reduce((n, r) => n + r.evaluations, 0),
    matches: rules.reduce((n, r) => n + r.matches, 0),
    events: options.events,
  };
}

/** 1234 → "1,234". */
export function grouped(n: number): string {
  const s = String(Math.round(n));
  const neg = s.startsWith('-');
  const digits = neg ? s.slice(1) : s;
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return neg ? `-${out}` : out;
}

/** Nanoseconds with a unit and three significant digits: "850 ns", "12.3 µs", "4.56 ms", "1.20 s". */
export function duration(ns: number): string {
  if (ns < 1000) return `${Math.round(ns)} ns`;
  const [v, unit] = ns < 1e6 ? [ns / 1e3, 'µs'] : ns < 1e9 ? [ns / 1e6, 'ms'] : [ns / 1e9, 's'];
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
}

function percent(f: number): string {
  return `${(f * 100).toFixed(1)}%`;
}

export interface ProfileTextOptions {
  /** Show at most this many rules (the most expensive); the rest are summarised on one line. */
  readonly top?: number;
}

/** The report as a table, most expensive rule first. */
export function renderProfileText(report: ProfileReport, options: ProfileTextOptions = {}): string {
  const evaluated = report.rules.filter((r) => r.evaluations > 0);
  const never = report.rules.length - evaluated.length;
  const shown = options.top === undefined ? evaluated : evaluated.slice(0, options.top);
  const events = report.events === undefined ? '' : `${grouped(report.events)} events; `;
  const lines = [
    `Per-rule cost: ${events}${grouped(report.evaluations)} rule evaluations, ${grouped(report.matches)} matches, `
      + `${duration(report.totalNanos)} in rule conditions`,
  ];
  const rows = shown.map((r) => [duration(r.totalNanos), percent(r.share), grouped(r.evaluations), duration(r.meanNanos), grouped(r.matches), r.name]);
  const head = ['total', 'share', 'evaluations', 'mean', 'matches', 'rule'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  // Numbers right-aligned; the rule name last, as is.
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i] ?? 0))).join('  ');
  if (rows.length > 0) {
    lines.push('', fmt(head), ...rows.map(fmt));
  }
  const hidden = evaluated.length - shown.length;
  if (hidden > 0) lines.push(`… and ${hidden} more evaluated rule${hidden === 1 ? '' : 's'}`);
  if (never > 0) lines.push(`${never} rule${never === 1 ? ' was' : 's were'} never evaluated (no event of ${never === 1 ? 'its' : 'their'} source and event types)`);
  return `${lines.join('\n')}\n`;
}

/** The report as plain JSON (times in nanoseconds, share as a fraction). */
export function profileJson(report: ProfileReport): unknown {
  return {
    events: report.events ?? null,
    evaluations: report.evaluations,
    matches: report.matches,
    totalNanos: report.totalNanos,
    rules: report.rules.map((r) => ({
      name: r.name, priority: r.priority, source: r.source, evaluations: r.evaluations, matches: r.matches,
      totalNanos: r.totalNanos, meanNanos: Math.round(r.meanNanos), share: Number(r.share.toFixed(6)),
    })),
  };
}
