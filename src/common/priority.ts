// Falco priorities: parsing (case-insensitive, `info` accepted) and the canonical names used in output.

export const PRIORITY_NAMES = [
  'Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug',
] as const;

export type PriorityName = (typeof PRIORITY_NAMES)[number];

/** 0 (Emergency, most severe) … 7 (Debug). */
export type Priority = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export function parsePriority(text: string): Priority | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'info') return 6;
  const i = PRIORITY_NAMES.findIndex((n) => n.toLowerCase() === t);
  return i < 0 ? undefined : (i as Priority);
}

export function priorityName(p: Priority): PriorityName {
  return PRIORITY_NAMES[p];
}

/** True when `p` is at least as severe as `threshold`. */
export function atLeast(p: Priority, threshold: Priority): boolean {
  return p <= threshold;
}
