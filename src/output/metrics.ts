// Output counters as metric samples, for the Prometheus endpoint the CLI serves (this module builds no
// server). Names follow Prometheus conventions: counters end in _total; every sample is labelled
// with the output's name and type. Sink-specific numbers (stats().extra) become
// peregrine_output_<key>, a counter when the key ends in _total and a gauge otherwise.

import type { OutputStats } from './channel.js';

export interface MetricSample {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const COUNTERS: readonly [keyof OutputStats, string, string][] = [
  ['received', 'alerts_received_total', 'Alerts offered to the output (internal alerts included).'],
  ['filtered', 'alerts_filtered_total', "Alerts rejected by the output's filter."],
  ['suppressed', 'alerts_suppressed_total', "Alerts held back by the output's dedup throttle (reported in later alerts)."],
  ['dropped', 'alerts_dropped_total', "Alerts dropped because the output's queue was full or it was closing."],
  ['discarded', 'alerts_discarded_total', 'Alerts discarded because the output had stopped (e.g. broken pipe).'],
  ['sent', 'alerts_sent_total', 'Alerts delivered (written, or confirmed by the NATS server).'],
  ['failed', 'alerts_failed_total', 'Alerts lost to output errors.'],
];

export function outputMetrics(stats: readonly OutputStats[]): MetricSample[] {
  const out: MetricSample[] = [];
  for (const s of stats) {
    const labels = { output: s.name, type: s.type };
    for (const [key, name, help] of COUNTERS) {
      out.push({ name: `peregrine_output_${name}`, help, type: 'counter', labels, value: s[key] as number });
    }
    out.push({ name: 'peregrine_output_queue_depth', help: 'Alerts queued or being written.', type: 'gauge', labels, value: s.queued });
    out.push({ name: 'peregrine_output_queue_capacity', help: "The output's queue capacity.", type: 'gauge', labels, value: s.capacity });
    out.push({ name: 'peregrine_output_up', help: '1 while the output can deliver, 0 once it stopped for good.', type: 'gauge', labels, value: s.stopped === undefined ? 1 : 0 });
    for (const [k, v] of Object.entries(s.extra)) {
      out.push({ name: `peregrine_output_${k}`, help: `Output-specific: ${k.replace(/_/g, ' ')}.`, type: k.endsWith('_total') ? 'counter' : 'gauge', labels, value: v });
    }
  }
  return out;
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** Prometheus text exposition format (version 0.0.4) for the samples, HELP and TYPE once per name. */
export function renderPrometheus(samples: readonly MetricSample[]): string {
  const byName = new Map<string, MetricSample[]>();
  for (const s of samples) {
    const list = byName.get(s.name);
    if (list === undefined) byName.set(s.name, [s]);
    else list.push(s);
  }
  let text = '';
  for (const [name, list] of byName) {
    const first = list[0] as MetricSample;
    text += `# HELP ${name} ${first.help}\n# TYPE ${name} ${first.type}\n`;
    for (const s of list) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      text += `${name}${labels === '' ? '' : `{${labels}}`} ${Number.isFinite(s.value) ? s.value : 0}\n`;
    }
  }
  return text;
}
