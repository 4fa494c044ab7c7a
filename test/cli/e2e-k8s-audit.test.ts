// End to end – `peregrine run` with two sources at once: Kubernetes audit events POSTed to the
// webhook (EventList batches, over HTTP and over HTTPS with client certificates) and syscall events
// from a file. Each source has its own ruleset; alerts carry their source and reach every output;
// malformed bodies are rejected with 400 and counted.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { ensureBuilt } from '../helpers/cli.js';
import { TEST_RULES, testEvents } from '../helpers/e2e-events.js';
import { NatsServer } from '../helpers/nats-server.js';
import { killedAfterEach, LiveCli } from '../helpers/spawn.js';
import { DATA, describeShared, K8S_AUDIT_RULES } from '../helpers/shared.js';

beforeAll(async () => {
  await ensureBuilt();
}, 300_000);

const running = killedAfterEach();

const audit = (name: string): unknown => JSON.parse(readFileSync(join(DATA, 'falco-test-trace_files/k8s_audit', `${name}.json`), 'utf8'));
const eventList = (...names: string[]): string => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: names.map(audit) });

function port(p: LiveCli): number {
  return p.logs().find((l) => l['msg'] === 'k8s audit webhook listening')?.['port'] as number;
}

describeShared('run – Kubernetes audit webhook and syscalls together', () => {
  it('HTTP: audit alerts and syscall alerts from one process reach stdout, a file and NATS; bad bodies get 400 and are counted', async () => {
    const nats = await NatsServer.start();
    const nc = await connect({ servers: nats.url });
    try {
      const onNats: string[] = [];
      const sub = nc.subscribe('falco.>', { callback: (_e, m) => onNats.push(m.string()) });
      await nc.flush();
      const dir = mkdtempSync(join(tmpdir(), 'peregrine-k8s-e2e-'));
      writeFileSync(join(dir, 'syscall.yaml'), TEST_RULES);
      writeFileSync(join(dir, 'events.jsonl'), '');
      writeFileSync(join(dir, 'peregrine.yaml'), `outputs:
  format: json
  stdout: {}
  file: { path: ${join(dir, 'alerts.jsonl')} }
  nats: { servers: [${nats.url}] }
webserver: { enabled: true, listen_address: 127.0.0.1, listen_port: 0 }
`);
      const p = new LiveCli(['run', '-c', join(dir, 'peregrine.yaml'), '-r', K8S_AUDIT_RULES, '-r', join(dir, 'syscall.yaml'),
        '--k8s-audit-webhook', '127.0.0.1:0', '-i', join(dir, 'events.jsonl'), '--follow']);
      running.push(p);
      await p.until(() => port(p) !== undefined && p.logs().some((l) => l['msg'] === 'serving /healthz and /metrics'), 20_000, 'webhook and web server');
      const url = `http://127.0.0.1:${port(p)}/k8s-audit`;

      const post = (body: string): Promise<Response> => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect((await post(eventList('create_nginx_pod_privileged', 'create_nginx_pod_hostnetwork', 'create_nginx_pod_unprivileged'))).status).toBe(200);
      expect((await post('{"kind": "EventList", "items": [')).status).toBe(400);
      expect((await post('not json at all')).status).toBe(400);
      const { lines } = testEvents(9);
      appendFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);

      const parsed = (): { rule: string; source: string }[] => p.lines().map((l) => JSON.parse(l) as { rule: string; source: string });
      await p.until(() => parsed().filter((a) => a.source === 'k8s_audit').length >= 2 && parsed().some((a) => a.source === 'syscall'), 20_000, 'alerts from both sources');
      const k8s = parsed().filter((a) => a.source === 'k8s_audit').map((a) => a.rule).sort();
      expect(k8s).toEqual(['Create HostNetwork Pod', 'Create Privileged Pod']);
      expect(parsed().filter((a) => a.source === 'syscall').map((a) => a.rule)).toEqual(['Shadow read by cat', 'Curl connects', 'Shadow read by cat', 'Shadow read by cat']);

      const web = p.logs().find((l) => l['msg'] === 'serving /healthz and /metrics')?.['port'] as number;
      const metrics = await (await fetch(`http://127.0.0.1:${web}/metrics`)).text();
      expect(metrics).toMatch(/peregrine_events_total\{source="k8s_audit"\} 3/);
      expect(metrics).toMatch(/peregrine_source_bad_json\{source="k8s audit webhook http:\/\/127\.0\.0\.1:0\/k8s-audit"\} 2/);

      p.signal('SIGTERM');
      expect(await p.exited).toBe(0);
      const out = p.lines();
      expect(readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trim().split('\n')).toEqual(out);
      const deadline = Date.now() + 5000;
      while (onNats.length < out.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      sub.unsubscribe();
      expect(onNats.sort()).toEqual([...out].sort());
    } finally {
      await nc.close();
      await nats.dispose();
    }
  }, 180_000);

  it('HTTPS with client certificates: the API server\'s certificate is accepted, an unknown one refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-k8s-tls-'));
    const ssl = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=peregrine');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    ssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=kube-apiserver');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1', '-extfile', 'client.ext');
    ssl('req', '-x509', ...ec, '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '1', '-subj', '/CN=rogue');

    const p = new LiveCli(['run', '-r', K8S_AUDIT_RULES, '-o', 'outputs.format=json', '--k8s-audit-webhook', '127.0.0.1:0',
      '--k8s-audit-tls-cert', join(dir, 'server.crt'), '--k8s-audit-tls-key', join(dir, 'server.key'), '--k8s-audit-tls-ca', join(dir, 'ca.crt')]);
    running.push(p);
    await p.until(() => port(p) !== undefined, 20_000, 'webhook');
    const read = (n: string): string => readFileSync(join(dir, n), 'utf8');
    const post = (cert: string, key: string): Promise<number> => new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: port(p), path: '/k8s-audit', method: 'POST', ca: read('ca.crt'), cert: read(cert), key: read(key),
        headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(eventList('create_nginx_pod_privileged'));
    });
    expect(await post('client.crt', 'client.key')).toBe(200);
    await expect(post('rogue.crt', 'rogue.key')).rejects.toThrow();
    await p.until(() => p.lines().some((l) => l.includes('"Create Privileged Pod"')), 20_000, 'the alert');
    p.signal('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.lines().filter((l) => l.includes('"source":"k8s_audit"')).length).toBe(1);
  }, 180_000);
});
