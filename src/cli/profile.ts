// Per-rule cost report for `replay --profile`: evaluations, matches, total and mean evaluation time,
// and share of engine time, most expensive first; as a text table or JSON.

import type { RuleProfile } from '../engine/engine.js';

export function renderProfile(profile: readonly RuleProfile[], format: 'text' | 'json'): string {
  const total = profile.reduce((s, p) => s + p.nanos, 0);
  const rows = profile
    .filter((p) => p.evaluations > 0)
    .map((p) => ({
      rule: p.rule.name,
      evaluations: p.evaluations,
      matches: p.matches,
      totalMs: p.nanos / 1e6,
      meanNs: p.evaluations > 0 ? p.nanos / p.evaluations : 0,
      share: total > 0 ? p.nanos / total : 0,
    }));
  if (format === 'json') return `${JSON.stringify({ totalEngineMs: total / 1e6, rules: rows }, null, 2)}\n`;
  const lines = [`rule profile (${rows.length} rules evaluated, ${(total / 1e6).toFixed(1)} ms engine time)`,
    `${'evaluations'.padStart(12)} ${'matches'.padStart(9)} ${'total ms'.padStart(10)} ${'mean ns'.padStart(9)} ${'share'.padStart(7)}  rule`];
  for (const r of rows) {
    lines.push(`${r.evaluations.toLocaleString('en-US').padStart(12)} ${r.matches.toLocaleString('en-US').padStart(9)} ${r.totalMs.toFixed(2).padStart(10)} ${r.meanNs.toFixed(0).padStart(9)} ${(100 * r.share).toFixed(1).padStart(6)}%  ${r.rule}`);
  }
  return `${lines.join('\n')}\n`;
}
