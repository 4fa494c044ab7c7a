// Turns a rule match into an Alert. The per-rule constant parts (JSON prefix with rule, priority,
// source and tags; the sorted output_fields keys) are built on a rule's first alert and cached; per
// alert only the message, the field values and the time are computed. Formatting never throws: a
// template that fails to render still yields an alert (detection happened) and is counted.

import type { Event } from '../event/types.js';
import type { CompiledRule } from '../rules/types.js';
import { Alert, buildLayout, nowNs, type AlertLayout } from './alert.js';
import { formatOptions, type FormatOptions } from './options.js';

const VALID_TS = /^[0-9]{1,20}$/;

export class AlertFormatter {
  readonly options: FormatOptions;
  /** Alerts whose output template threw while rendering (the alert was still produced). */
  renderErrors = 0;
  #layouts = new WeakMap<CompiledRule, AlertLayout>();

  constructor(options: Partial<FormatOptions> = {}) {
    this.options = formatOptions(options);
  }

  format(rule: CompiledRule, event: Event): Alert {
    const layout = this.layoutOf(rule);
    // An event without a usable timestamp still gets a truthful alert time: now.
    const time = VALID_TS.test(event.ts) ? event.ts : nowNs();
    let message: string;
    let fields: Record<string, unknown>;
    try {
      message = rule.output.render(event);
      fields = rule.output.fields(event);
    } catch (err) {
      this.renderErrors++;
      message = `${rule.output.text} (peregrine: output could not be rendered: ${err instanceof Error ? err.message : String(err)})`;
      fields = {};
    }
    return new Alert(rule.id, rule.name, rule.priority, rule.source, rule.tags, time, this.options.hostname, message,
      fields, layout);
  }

  /** The rule's constant alert parts (built on first use, then cached). */
  layoutOf(rule: CompiledRule): AlertLayout {
    let layout = this.#layouts.get(rule);
    if (layout === undefined) {
      layout = this.layoutFor(rule);
      this.#layouts.set(rule, layout);
    }
    return layout;
  }

  private layoutFor(rule: CompiledRule): AlertLayout {
    const o = this.options;
    return buildLayout({
      hostname: o.hostname,
      rule: rule.name,
      priority: rule.priority,
      source: rule.source,
      tags: o.jsonIncludeTagsProperty ? [...new Set(rule.tags)].sort() : undefined,
      iso: o.timeFormatIso8601,
      includeMessage: o.jsonIncludeMessageProperty,
      includeOutput: o.jsonIncludeOutputProperty,
      includeFields: o.jsonIncludeOutputFieldsProperty,
      fieldNames: rule.output.fieldNames,
    });
  }
}

const formatters = new WeakMap<FormatOptions, AlertFormatter>();

/**
 * One-call form: formats with a formatter cached per options object, so repeated calls with the same
 * options reuse the per-rule layouts. Hot paths should hold an AlertFormatter instead.
 */
export function formatAlert(rule: CompiledRule, event: Event, options: FormatOptions): Alert {
  let f = formatters.get(options);
  if (f === undefined) {
    f = new AlertFormatter(options);
    formatters.set(options, f);
  }
  return f.format(rule, event);
}
