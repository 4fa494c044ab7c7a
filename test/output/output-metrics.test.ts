// Output counters as Prometheus samples and text.
import { describe, expect, it } from 'vitest';
import { AlertFanout } from '../../src/output/fanout.js';
import { outputMetrics } from '../../src/output/metrics.js';
import { renderMetrics as renderPrometheus } from '../../src/metrics/prometheus.js';
import { numbered } from '../helpers/alerts.js';
import { MemorySink } from '../helpers/sinks.js';

describe('output – metrics', () => {
  it('exposes every output counter, labelled by output', async () => {
    const a = new MemorySink();
    const f = new AlertFanout([
      { name: 'stdout', sink: a, capacity: 2, policy: 'drop' },
      { name: 'oncall', sink: new MemorySink(), capacity: 10, policy: 'drop', filter: { minPriority: 0 } },
    ]);
    await f.open();
    a.stall();
    for (let i = 0; i < 5; i++) f.offer(numbered(i));
    a.release();
    await f.close();
    const samples = outputMetrics(f.stats());
    const value = (name: string, output: string): number | undefined => samples.find((s) => s.name === name && s.labels['output'] === output)?.value;
    expect(value('peregrine_output_alerts_received_total', 'stdout')).toBe(5);
    expect(value('peregrine_output_alerts_dropped_total', 'stdout')).toBe(3);
    expect(value('peregrine_output_alerts_sent_total', 'stdout')).toBe(2);
    expect(value('peregrine_output_alerts_filtered_total', 'oncall')).toBeGreaterThanOrEqual(5);
    expect(value('peregrine_output_queue_capacity', 'oncall')).toBe(10);
    expect(value('peregrine_output_up', 'stdout')).toBe(1);
    const text = renderPrometheus(samples);
    expect(text).toContain('# TYPE peregrine_output_alerts_dropped_total counter\n');
    expect(text).toContain('peregrine_output_alerts_dropped_total{output="stdout",type="memory"} 3\n');
    expect(text.match(/# HELP peregrine_output_queue_depth /g)).toHaveLength(1);
  });

  it('turns sink extras into gauges or counters', () => {
    const s = outputMetrics([{ name: 'nats', type: 'nats', policy: 'drop', capacity: 1, received: 0, filtered: 0, suppressed: 0, dropped: 0, discarded: 0,
      queued: 0, sent: 0, failed: 0, stopped: undefined, extra: { spool_records: 7, spooled_total: 9 } }]);
    expect(s.find((x) => x.name === 'peregrine_output_spool_records')).toMatchObject({ type: 'gauge', value: 7 });
    expect(s.find((x) => x.name === 'peregrine_output_spooled_total')).toMatchObject({ type: 'counter', value: 9 });
  });
});
