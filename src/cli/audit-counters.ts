// Kubernetes audit-log reader and decoder counters, flattened for summaries and metrics.
import type { AuditLogStats } from '../ingest/k8s-audit-log.js';

export function auditCounters(s: AuditLogStats): Record<string, number> {
  return {
    lines: s.lines, events: s.decode.events, long_lines: s.longLines, bad_lines: s.badLines,
    bad_json: s.decode.malformedJson, not_audit_events: s.decode.unrecognized, bad_timestamps: s.decode.badTimestamp, too_large: s.decode.tooLarge,
  };
}
