// Internal alerts: Peregrine's own notices (an output dropping alerts, a spool overflowing) in the
// shape of Falco's "Falco internal: …" alerts — source "internal", no tags — so they travel through
// the same outputs as rule alerts and consumers need no special case.

import type { Priority } from '../common/priority.js';
import { Alert, buildLayout, nowNs } from './alert.js';
import type { FormatOptions } from './options.js';

export const INTERNAL_SOURCE = 'internal';
export const INTERNAL_RULE_PREFIX = 'Peregrine internal: ';

export interface InternalAlertSpec {
  /** The part after "Peregrine internal: ", e.g. "output queue drops". */
  readonly what: string;
  readonly priority: Priority;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Decimal ns since the epoch; now when omitted. */
  readonly time?: string;
}

export function internalAlert(spec: InternalAlertSpec, options: Pick<FormatOptions, 'hostname' | 'timeFormatIso8601'>): Alert {
  const rule = INTERNAL_RULE_PREFIX + spec.what;
  const fields = spec.fields ?? {};
  const layout = buildLayout({
    hostname: options.hostname,
    rule,
    priority: spec.priority,
    source: INTERNAL_SOURCE,
    tags: undefined,
    iso: options.timeFormatIso8601,
    includeMessage: false,
    includeOutput: true,
    includeFields: true,
    fieldNames: Object.keys(fields),
  });
  return new Alert(-1, rule, spec.priority, INTERNAL_SOURCE, [], spec.time ?? nowNs(), options.hostname, spec.message,
    fields, layout);
}
