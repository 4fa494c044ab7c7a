// The HTTP endpoint: `/healthz` (liveness/readiness for Kubernetes probes) and `/metrics`
// (Prometheus). It only reads snapshots handed to it; it never touches the pipeline directly.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderMetrics, type MetricSample } from './prometheus.js';

export interface MetricsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly metrics: boolean;
  /** Current metrics, collected at scrape time. */
  readonly collect: () => readonly MetricSample[];
  /** Health: ok, or a reason it is not. */
  readonly health: () => { ok: boolean; detail?: string };
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/healthz') {
      const h = options.health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', ...(h.detail ? { detail: h.detail } : {}) }));
      return;
    }
    if (url === '/metrics' && options.metrics) {
      let body: string;
      try {
        body = renderMetrics(options.collect());
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics error: ${(err as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
