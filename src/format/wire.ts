// Alerts across threads. A worker thread formats its alerts and posts them in a compact form: the
// rule id, the event time, the message, the output fields, and the wire lines the outputs will
// write (pre-rendered there, so rendering runs in parallel). The main thread, which owns the
// outputs, turns each back into an Alert with its own per-rule layout: filters, throttles, NATS
// subjects and sinks see exactly what a single-threaded run gives them.
//
// The fields travel too (structured clone) because throttling keys and the suppressed-count
// annotation are computed from them on the main thread.

import type { CompiledRule } from '../rules/types.js';
import { Alert, type AlertLayout } from './alert.js';

/** [ruleId, time, message, templateFields, text line or null, JSON line or null] */
export type WireAlert = [number, string, string, Readonly<Record<string, unknown>>, string | null, string | null];

/** Which wire lines the outputs need: text (text stdout/file), JSON (JSON stdout/file, NATS). */
export interface WireForms {
  readonly text: boolean;
  readonly json: boolean;
}

export function toWire(alert: Alert, forms: WireForms): WireAlert {
  return [alert.ruleId, alert.time, alert.message, alert.templateFields, forms.text ? alert.text() : null, forms.json ? alert.json() : null];
}

/** An alert whose wire lines were rendered by another thread (same options, same rule). */
class RenderedAlert extends Alert {
  readonly #text: string | null;
  readonly #json: string | null;

  constructor(rule: CompiledRule, w: WireAlert, hostname: string, layout: AlertLayout) {
    super(rule.id, rule.name, rule.priority, rule.source, rule.tags, w[1], hostname, w[2], w[3], layout);
    this.#text = w[4];
    this.#json = w[5];
  }

  override text(): string {
    return this.#text ?? super.text();
  }

  override json(): string {
    return this.#json ?? super.json();
  }
}

/** The Alert a wire alert stands for; `layout` is the receiving side's layout of `rule`. */
export function fromWire(w: WireAlert, rule: CompiledRule, hostname: string, layout: AlertLayout): Alert {
  return new RenderedAlert(rule, w, hostname, layout);
}
