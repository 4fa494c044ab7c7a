// The Kubernetes audit webhook receiver: an HTTP(S) endpoint compatible with kube-apiserver's webhook
// audit backend (`--audit-webhook-config-file`), which POSTs `EventList` batches (single `Event`s and
// JSON arrays are accepted too). Decoded events come out of an async-iterable source.
//
// Responses: 200 accepted; 400 body not JSON or not an audit payload; 404 other paths; 405 not POST;
// 413 body over `maxBodyBytes` (checked on Content-Length and while streaming); 415 not a JSON content
// type; 503 (Retry-After) when the consumer has fallen `maxQueuedEvents` behind — the API server's
// webhook backend retries with backoff, so nothing is dropped silently. Every outcome is counted;
// nothing a client sends can throw out of the receiver.
//
// HTTPS: `tls.cert`/`tls.key` (PEM). Client-certificate authentication: `tls.ca` (the CA that signs the
// API server's client certificate) with `requestCert` and `rejectUnauthorized` (both default true when
// `ca` is given), so a client without a valid certificate fails the TLS handshake.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { K8sAuditEvent } from '../event/types.js';
import { K8sAuditDecoder, type K8sAuditDecodeStats, type K8sAuditDecoderOptions } from '../decode/k8saudit.js';
import { AsyncQueue } from './async-queue.js';

export const DEFAULT_WEBHOOK_PATH = '/k8s-audit';
/** The k8saudit plugin's default `webhookMaxBatchSize`: kube-apiserver's 10 MiB batch limit plus ~20%. */
export const DEFAULT_MAX_BODY_BYTES = 12 * 1024 * 1024;
export const DEFAULT_MAX_QUEUED_EVENTS = 100_000;

export interface AuditWebhookTls {
  /** Server certificate chain, PEM. */
  readonly cert: string | Buffer;
  /** Server private key, PEM. */
  readonly key: string | Buffer;
  /** CA certificate(s), PEM, trusted for client certificates. Enables client-certificate authentication. */
  readonly ca?: string | Buffer;
  /** Ask clients for a certificate (default: true when `ca` is set). */
  readonly requestCert?: boolean;
  /** Refuse clients without a certificate signed by `ca` (default: true when `ca` is set). */
  readonly rejectUnauthorized?: boolean;
}

export type AuditWebhookProblem =
  | 'badJson' | 'badPayload' | 'tooLarge' | 'badMethod' | 'badPath' | 'badContentType' | 'busy' | 'clientError' | 'tlsError';

export interface AuditWebhookOptions {
  /** Port to listen on; 0 picks a free one (see `port` on the result). */
  readonly port: number;
  /** Address to bind (default: every interface, IPv6 and IPv4, as the API server reaches it through a Service). */
  readonly host?: string;
  /** URL path the API server posts to (default /k8s-audit). */
  readonly path?: string;
  readonly tls?: AuditWebhookTls;
  /** Largest accepted request body (default 12 MiB). */
  readonly maxBodyBytes?: number;
  /** Events waiting for the consumer beyond which requests get 503 (default 100 000). */
  readonly maxQueuedEvents?: number;
  readonly decoder?: K8sAuditDecoderOptions;
  /** Called for each rejected request (for rate-limited logging by the caller). Must not throw. */
  readonly onProblem?: (kind: AuditWebhookProblem, message: string) => void;
}

export interface AuditWebhookStats {
  requests: number;
  /** Requests answered 200. */
  accepted: number;
  /** Events queued for the consumer. */
  events: number;
  /** Events waiting for the consumer right now. */
  queued: number;
  badJson: number;
  badPayload: number;
  tooLarge: number;
  badMethod: number;
  badPath: number;
  badContentType: number;
  busy: number;
  /** Aborted uploads and malformed HTTP. */
  clientError: number;
  /** Failed TLS handshakes (including rejected client certificates). */
  tlsError: number;
  decode: K8sAuditDecodeStats;
}

export interface AuditWebhook {
  /** The decoded events; iterate once. Breaking out of the loop closes the receiver. */
  readonly events: AsyncIterable<K8sAuditEvent>;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** e.g. https://127.0.0.1:9765/k8s-audit */
  readonly url: string;
  stats(): AuditWebhookStats;
  /** Stops accepting requests; the event stream ends once queued events are consumed. Idempotent. */
  close(): Promise<void>;
}

/** Starts the receiver; resolves once it is listening, rejects if it cannot bind. */
export async function startAuditWebhook(options: AuditWebhookOptions): Promise<AuditWebhook> {
  const path = options.path ?? DEFAULT_WEBHOOK_PATH;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxQueued = options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;
  const decoder = new K8sAuditDecoder(options.decoder);
  const counts = {
    requests: 0, accepted: 0, events: 0, badJson: 0, badPayload: 0, tooLarge: 0, badMethod: 0, badPath: 0,
    badContentType: 0, busy: 0, clientError: 0, tlsError: 0,
  };
  let closing: Promise<void> | undefined;
  const queue = new AsyncQueue<K8sAuditEvent>(() => { void close(); });

  const reject = (res: ServerResponse, status: number, kind: AuditWebhookProblem, message: string, headers: Record<string, string> = {}): void => {
    counts[kind]++;
    options.onProblem?.(kind, message);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(`${message}\n`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    counts.requests++;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) !== path) {
      reject(res, 404, 'badPath', `not found: the audit webhook listens on ${path}`);
      req.resume();
      return;
    }
    if (req.method !== 'POST') {
      reject(res, 405, 'badMethod', `${req.method ?? '?'} method not allowed`, { allow: 'POST' });
      req.resume();
      return;
    }
    const type = req.headers['content-type'] ?? '';
    if (!type.toLowerCase().includes('json')) {
      reject(res, 415, 'badContentType', `wrong content type '${type.slice(0, 100)}': expected application/json`);
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > maxBody) {
      reject(res, 413, 'tooLarge', `request body of ${declared} bytes exceeds the ${maxBody}-byte limit`, { connection: 'close' });
      res.on('finish', () => req.destroy());
      return;
    }
    if (queue.size >= maxQueued) {
      reject(res, 503, 'busy', 'too many audit events waiting to be processed; retry later', { 'retry-after': '1' });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBody) {
        done = true;
        chunks.length = 0;
        reject(res, 413, 'tooLarge', `request body exceeds the ${maxBody}-byte limit`, { connection: 'close' });
        res.on('finish', () => req.destroy());
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      if (done) return;
      done = true;
      counts.clientError++;
    });
    req.on('aborted', () => {
      if (done) return;
      done = true;
      counts.clientError++;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks, size).toString('utf8');
      const { events, ok, malformed } = decoder.decode(text);
      if (!ok) {
        if (malformed) reject(res, 400, 'badJson', 'bad request: the body is not valid JSON');
        else reject(res, 400, 'badPayload', 'bad request: the body holds no audit Event or EventList');
        return;
      }
      for (const ev of events) queue.push(ev);
      counts.events += events.length;
      counts.accepted++;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end();
    });
  };

  const server: Server = options.tls
    ? createHttpsServer({
      cert: options.tls.cert,
      key: options.tls.key,
      ...(options.tls.ca !== undefined ? { ca: options.tls.ca } : {}),
      requestCert: options.tls.requestCert ?? options.tls.ca !== undefined,
      rejectUnauthorized: options.tls.rejectUnauthorized ?? options.tls.ca !== undefined,
    }, handle)
    : createHttpServer(handle);
  // Slow or stuck clients must not hold connections forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;
  server.on('clientError', (err, socket) => {
    counts.clientError++;
    options.onProblem?.('clientError', `malformed HTTP request: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  server.on('tlsClientError', (err) => {
    counts.tlsError++;
    options.onProblem?.('tlsError', `TLS handshake failed: ${err.message}`);
  });

  await new Promise<void>((resolve, rejectListen) => {
    const onError = (err: Error): void => rejectListen(err);
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // After listening, server errors (e.g. EMFILE on accept) are counted rather than crashing the process.
  server.on('error', (err) => {
    options.onProblem?.('clientError', `server error: ${err.message}`);
  });

  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost}:${addr.port}${path}`;

  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Give in-flight requests a moment, then cut whatever is left.
      const timer = setTimeout(() => server.closeAllConnections(), 2_000);
      timer.unref();
    }).then(() => { queue.end(); });
    return closing;
  }

  return {
    events: queue,
    port: addr.port,
    url,
    stats: () => ({ ...counts, queued: queue.size, decode: decoder.stats() }),
    close,
  };
}
