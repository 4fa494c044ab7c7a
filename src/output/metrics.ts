// Output counters as metric samples, for the Prometheus endpoint the CLI serves (this module builds no
// server). Names follow Prometheus conventions: counters end in _total; every sample is labelled
// with the output's name and type. Sink-specific numbers (stats().extra) become
// peregrine_output_<key>, a counter when the key ends in _total and a gauge otherwise.

import type { OutputStats } from './channel.js';

import type { MetricSample } from '../metrics/prometheus.js';

export type { MetricSample };

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
