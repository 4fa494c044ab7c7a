// k8s audit webhook receiver – end to end over real sockets: EventList batches and single Events over
// HTTP and HTTPS (certificates made with the openssl CLI), client-certificate authentication accepted
// and rejected, malformed bodies (400), oversized bodies (413), wrong method/path/content type, a full
// queue (503), aborted uploads, and shutdown — the receiver keeps serving after every bad request.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { K8sAuditEvent } from '../../src/event/types.js';
import { startAuditWebhook, type AuditWebhook, type AuditWebhookOptions } from '../../src/ingest/k8s-audit-webhook.js';

const event = (id: string): Record<string, unknown> => ({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: id, stage: 'ResponseComplete', verb: 'create',
  requestURI: '/api/v1/namespaces', user: { username: 'alice' }, objectRef: { resource: 'namespaces', name: id },
  responseStatus: { code: 201 }, stageTimestamp: '2024-05-01T10:00:00.123456Z',
});
const eventList = (...ids: string[]): string => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: ids.map(event) });

interface Reply { status: number; headers: IncomingMessage['headers']; body: string }

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}, tls: RequestOptions = {}, method = 'POST'): Promise<Reply> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({
      hostname: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers }, ...tls,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The next `n` events, failing after a deadline instead of hanging. */
async function take(it: AsyncIterator<K8sAuditEvent>, n: number, ms = 5000): Promise<K8sAuditEvent[]> {
  const out: K8sAuditEvent[] = [];
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${n} events (got ${out.length})`)), ms).unref());
  while (out.length < n) {
    const r = await Promise.race([it.next(), deadline]);
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

const opened: AuditWebhook[] = [];
async function start(options: Partial<AuditWebhookOptions> = {}): Promise<{ wh: AuditWebhook; it: AsyncIterator<K8sAuditEvent> }> {
  const wh = await startAuditWebhook({ port: 0, host: '127.0.0.1', ...options });
  opened.push(wh);
  return { wh, it: wh.events[Symbol.asyncIterator]() };
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

describe('audit webhook over HTTP', () => {
  it('accepts EventList batches and single Events and yields their events in order', async () => {
    const { wh, it } = await start();
    expect(wh.url).toBe(`http://127.0.0.1:${wh.port}/k8s-audit`);
    expect((await post(wh.url, eventList('a', 'b', 'c'))).status).toBe(200);
    expect((await post(wh.url, JSON.stringify(event('d')))).status).toBe(200);
    expect((await post(wh.url, JSON.stringify([event('e')]), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    const got = await take(it, 5);
    expect(got.map((e) => e.doc['auditID'])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(got.map((e) => e.num)).toEqual([1, 2, 3, 4, 5]);
    expect(got[0]?.source).toBe('k8s_audit');
    expect(got[0]?.ts).toBe('1714557600123456000');
    expect(wh.stats()).toMatchObject({ requests: 3, accepted: 3, events: 5, queued: 0 });
  });

  it('uses the configured path and ignores its query string', async () => {
    const { wh, it } = await start({ path: '/audit/v1' });
    expect(wh.url.endsWith('/audit/v1')).toBe(true);
    expect((await post(`${wh.url}?timeout=30s`, eventList('q'))).status).toBe(200);
    expect((await take(it, 1))[0]?.doc['auditID']).toBe('q');
    expect((await post(wh.url.replace('/audit/v1', '/k8s-audit'), eventList('x'))).status).toBe(404);
  });

  it('answers 400 to malformed JSON and to JSON that is not an audit payload, counts them, and keeps serving', async () => {
    const { wh, it } = await start();
    const bad = await post(wh.url, '{"kind":"EventList","items":[');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/not valid JSON/);
    expect((await post(wh.url, '{"kind": 0}')).status).toBe(400);
    expect((await post(wh.url, '')).status).toBe(400);
    expect((await post(wh.url, Buffer.from([0xff, 0xfe, 0x00, 0x7b]))).status).toBe(400);
    expect(wh.stats()).toMatchObject({ badJson: 3, badPayload: 1, accepted: 0, events: 0 });
    // Bad items inside a good batch are skipped, the rest accepted.
    const mixed = JSON.stringify({ kind: 'EventList', items: [{ ...event('ok') }, { kind: 'Event', auditID: 'no-ts' }] });
    expect((await post(wh.url, mixed)).status).toBe(200);
    expect((await take(it, 1)).map((e) => e.doc['auditID'])).toEqual(['ok']);
    expect(wh.stats().decode).toMatchObject({ malformedJson: 3, unrecognized: 1, badTimestamp: 1, events: 1 });
  });

  it('answers 413 to bodies over the limit, by Content-Length and while streaming', async () => {
    const { wh, it } = await start({ maxBodyBytes: 1000 });
    const big = eventList(...Array.from({ length: 20 }, (_, i) => `e${i}`));
    expect(Buffer.byteLength(big)).toBeGreaterThan(1000);
    expect((await post(wh.url, big)).status).toBe(413);
    // Chunked upload without a Content-Length: caught while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const u = new URL(wh.url);
      const req = httpRequest({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: false,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(big.slice(i * 200, (i + 1) * 200));
      req.end(big.slice(2000));
    });
    expect(chunked).toBe(413);
    expect(wh.stats().tooLarge).toBe(2);
    expect((await post(wh.url, eventList('small'))).status).toBe(200);
    expect((await take(it, 1))[0]?.doc['auditID']).toBe('small');
  });

  it('rejects other methods (405), paths (404) and content types (415)', async () => {
    const { wh } = await start();
    const get = await post(wh.url, '', {}, {}, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect((await post(wh.url.replace('/k8s-audit', '/other'), eventList('a'))).status).toBe(404);
    expect((await post(wh.url, eventList('a'), { 'content-type': 'text/plain' })).status).toBe(415);
    expect(wh.stats()).toMatchObject({ badMethod: 1, badPath: 1, badContentType: 1, accepted: 0 });
  });

  it('answers 503 with Retry-After while the consumer is too far behind, then accepts again', async () => {
    const { wh, it } = await start({ maxQueuedEvents: 2 });
    expect((await post(wh.url, eventList('a', 'b'))).status).toBe(200);
    const busy = await post(wh.url, eventList('c'));
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(wh.stats()).toMatchObject({ busy: 1, queued: 2 });
    expect((await take(it, 2)).map((e) => e.doc['auditID'])).toEqual(['a', 'b']);
    expect((await post(wh.url, eventList('c'))).status).toBe(200);
    expect((await take(it, 1))[0]?.doc['auditID']).toBe('c');
  });

  it('survives uploads that stop half-way and malformed HTTP', async () => {
    const { wh, it } = await start();
    await new Promise<void>((resolve) => {
      const sock = connect(wh.port, '127.0.0.1', () => {
        sock.write('POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"kind":"Ev');
        setTimeout(() => { sock.destroy(); resolve(); }, 50);
      });
    });
    await new Promise<void>((resolve) => {
      const sock = connect(wh.port, '127.0.0.1', () => sock.write('GARBAGE\r\n\r\n'));
      sock.on('data', () => {});
      sock.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(wh.stats().clientError).toBeGreaterThanOrEqual(2);
    expect((await post(wh.url, eventList('after'))).status).toBe(200);
    expect((await take(it, 1))[0]?.doc['auditID']).toBe('after');
  });

  it('close() stops the server and ends the stream once queued events are consumed', async () => {
    const { wh, it } = await start();
    expect((await post(wh.url, eventList('a'))).status).toBe(200);
    await wh.close();
    expect((await it.next()).value?.doc['auditID']).toBe('a');
    expect((await it.next()).done).toBe(true);
    await expect(post(wh.url, eventList('b'))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('breaking out of the event loop closes the receiver', async () => {
    const wh = await startAuditWebhook({ port: 0, host: '127.0.0.1' });
    opened.push(wh);
    expect((await post(wh.url, eventList('a', 'b'))).status).toBe(200);
    for await (const ev of wh.events) {
      expect(ev.doc['auditID']).toBe('a');
      break;
    }
    // No explicit close(): the break alone stopped the listener.
    await new Promise((r) => setTimeout(r, 20));
    await expect(post(wh.url, eventList('c'))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses to start on a port already in use', async () => {
    const { wh } = await start();
    await expect(startAuditWebhook({ port: wh.port, host: '127.0.0.1' })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('audit webhook over HTTPS', () => {
  let dir = '';
  const pem = (name: string): string => readFileSync(join(dir, name), 'utf8');
  const ssl = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'peregrine-k8s-tls-'));
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    // A CA, a server certificate for 127.0.0.1 and a client certificate (as the API server presents), all signed by it.
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=peregrine-test-ca');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=peregrine');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    ssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=kube-apiserver');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1', '-extfile', 'client.ext');
    // A self-signed client certificate no trusted CA vouches for.
    ssl('req', '-x509', ...ec, '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '1', '-subj', '/CN=kube-apiserver');
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with a certificate and key', async () => {
    const { wh, it } = await start({ tls: { cert: pem('server.crt'), key: pem('server.key') } });
    expect(wh.url).toBe(`https://127.0.0.1:${wh.port}/k8s-audit`);
    expect((await post(wh.url, eventList('s1', 's2'), {}, { ca: pem('ca.crt') })).status).toBe(200);
    expect((await take(it, 2)).map((e) => e.doc['auditID'])).toEqual(['s1', 's2']);
    // Plain HTTP to the HTTPS port is not a request the receiver can accept.
    await expect(post(wh.url.replace('https:', 'http:'), eventList('x'))).rejects.toThrow();
    expect((await post(wh.url, '{oops', {}, { ca: pem('ca.crt') })).status).toBe(400);
  });

  it('with a client CA, accepts a client certificate it signed and refuses others at the handshake', async () => {
    const { wh, it } = await start({ tls: { cert: pem('server.crt'), key: pem('server.key'), ca: pem('ca.crt') } });
    const trusted = { ca: pem('ca.crt') };
    expect((await post(wh.url, eventList('m1'), {}, { ...trusted, cert: pem('client.crt'), key: pem('client.key') })).status).toBe(200);
    expect((await take(it, 1))[0]?.doc['auditID']).toBe('m1');
    await expect(post(wh.url, eventList('anon'), {}, trusted)).rejects.toThrow();
    await expect(post(wh.url, eventList('rogue'), {}, { ...trusted, cert: pem('rogue.crt'), key: pem('rogue.key') })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    expect(wh.stats().tlsError).toBeGreaterThanOrEqual(2);
    expect(wh.stats()).toMatchObject({ accepted: 1, events: 1 });
    // Still serving the legitimate client afterwards.
    expect((await post(wh.url, eventList('m2'), {}, { ...trusted, cert: pem('client.crt'), key: pem('client.key') })).status).toBe(200);
    expect((await take(it, 1))[0]?.doc['auditID']).toBe('m2');
  });
});
