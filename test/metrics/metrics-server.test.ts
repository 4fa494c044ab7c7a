// Metrics – Prometheus exposition format and the /healthz + /metrics endpoint.
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/metrics/prometheus.js';
import { startMetricsServer } from '../../src/metrics/server.js';

describe('metrics – exposition', () => {
  it('renders help, type and labelled samples, escaping label values', () => {
    const text = renderMetrics([
      { name: 'peregrine_alerts_total', help: 'Alerts by rule', type: 'counter', labels: { rule: 'Say "hi"\\now', priority: 'Warning' }, value: 3 },
      { name: 'peregrine_queue_depth', help: 'Queue depth', type: 'gauge', value: 0 },
    ]);
    expect(text).toBe([
      '# HELP peregrine_alerts_total Alerts by rule',
      '# TYPE peregrine_alerts_total counter',
      'peregrine_alerts_total{rule="Say \\"hi\\"\\\\now",priority="Warning"} 3',
      '# HELP peregrine_queue_depth Queue depth',
      '# TYPE peregrine_queue_depth gauge',
      'peregrine_queue_depth 0',
      '',
    ].join('\n'));
  });
});

describe('metrics – HTTP endpoint', () => {
  it('serves /healthz and /metrics, 404 elsewhere', async () => {
    let healthy = true;
    const server = await startMetricsServer({
      host: '127.0.0.1', port: 0, metrics: true,
      collect: () => [{ name: 'peregrine_events_total', help: 'Events', type: 'counter', value: 42 }],
      health: () => ({ ok: healthy, detail: healthy ? undefined : 'source stopped' }),
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const h = await fetch(`${base}/healthz`);
      expect(h.status).toBe(200);
      expect(await h.json()).toEqual({ status: 'ok' });
      const m = await fetch(`${base}/metrics`);
      expect(m.headers.get('content-type')).toMatch(/text\/plain; version=0.0.4/);
      expect(await m.text()).toContain('peregrine_events_total 42');
      healthy = false;
      const h2 = await fetch(`${base}/healthz`);
      expect(h2.status).toBe(503);
      expect(await h2.json()).toEqual({ status: 'unhealthy', detail: 'source stopped' });
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
