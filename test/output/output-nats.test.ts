// The NATS output against a real nats-server: publishing, subjects and payloads, and each way to
// authenticate (user/password, token, nkey, TLS with a CA).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createUser } from '@nats-io/nkeys';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AlertFanout } from '../../src/output/fanout.js';
import { NatsSink, type NatsSinkOptions } from '../../src/output/nats.js';
import { MemorySpool } from '../../src/output/spool.js';
import { numbered, range, ruleFor } from '../helpers/alerts.js';
import { GateProxy, NatsServer, until } from '../helpers/nats-server.js';

const servers: NatsServer[] = [];
const conns: NatsConnection[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) await c.close();
  for (const s of servers.splice(0)) await s.dispose();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function collect(url: string, subject: string, opts: Record<string, unknown> = {}): Promise<{ subject: string; data: string }[]> {
  const nc = await connect({ servers: url, ...opts });
  conns.push(nc);
  const got: { subject: string; data: string }[] = [];
  nc.subscribe(subject, { callback: (_e, m) => void got.push({ subject: m.subject, data: m.string() }) });
  await nc.flush();
  return got;
}

function natsOutput(o: Partial<NatsSinkOptions> & { servers: string[] }): AlertFanout {
  const sink = new NatsSink({ spool: new MemorySpool(1 << 24), ...o });
  return new AlertFanout([{ name: 'nats', sink, capacity: 100_000, policy: 'block' }]);
}

/** Publishes alerts 0..n-1 through the output and waits until the collector has them all. */
async function roundTrip(f: AlertFanout, got: unknown[], n: number): Promise<void> {
  await f.open();
  for (const i of range(n)) if (!f.offer(numbered(i))) await f.whenWritable();
  expect(await until(() => got.length >= n, 10_000)).toBe(true);
  await f.close();
}

describe('output – NATS (core)', () => {
  it('publishes Falco JSON on falco.<priority>.<rule>, in order, confirmed', async () => {
    const srv = await NatsServer.start();
    servers.push(srv);
    const got = await collect(srv.url, 'falco.>');
    const f = natsOutput({ servers: [srv.url] });
    await roundTrip(f, got, 3000);
    expect(got.map((m) => JSON.parse(m.data).output_fields.seq)).toEqual(range(3000));
    expect(new Set(got.map((m) => m.subject))).toEqual(new Set(['falco.warning.test_rule']));
    expect(got[7]!.data).toBe(numbered(7).json());
    expect(f.stats()[0]).toMatchObject({ sent: 3000, failed: 0, extra: { spool_records: 0 } });
  });

  it('uses a custom subject template', async () => {
    const srv = await NatsServer.start();
    servers.push(srv);
    const got = await collect(srv.url, 'sec.>');
    const f = natsOutput({ servers: [srv.url], subject: 'sec.<hostname>.<rule>' });
    await f.open();
    f.offer(numbered(1, ruleFor('Read sensitive file untrusted', 4)));
    expect(await until(() => got.length === 1)).toBe(true);
    await f.close();
    expect(got[0]!.subject).toBe('sec.test_host.read_sensitive_file_untrusted');
  });

  it('authenticates with user and password', async () => {
    const srv = await NatsServer.start({ args: ['--user', 'falco', '--pass', 's3cret'] });
    servers.push(srv);
    const got = await collect(srv.url, 'falco.>', { user: 'falco', pass: 's3cret' });
    await roundTrip(natsOutput({ servers: [srv.url], auth: { user: 'falco', password: 's3cret' } }), got, 10);
    expect(got).toHaveLength(10);
  });

  it('authenticates with a token', async () => {
    const srv = await NatsServer.start({ args: ['--auth', 'tok-123'] });
    servers.push(srv);
    const got = await collect(srv.url, 'falco.>', { token: 'tok-123' });
    await roundTrip(natsOutput({ servers: [srv.url], auth: { token: 'tok-123' } }), got, 10);
    expect(got).toHaveLength(10);
  });

  it('authenticates with an nkey seed file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-nkey-'));
    dirs.push(dir);
    const user = createUser();
    const seedFile = join(dir, 'user.nk');
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
    const conf = join(dir, 'server.conf');
    writeFileSync(conf, `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }\n`);
    const srv = await NatsServer.start({ args: ['-c', conf] });
    servers.push(srv);
    const { nkeyAuthenticator } = await import('@nats-io/transport-node');
    const got = await collect(srv.url, 'falco.>', { authenticator: nkeyAuthenticator(user.getSeed()) });
    await roundTrip(natsOutput({ servers: [srv.url], auth: { nkeySeedFile: seedFile } }), got, 10);
    expect(got).toHaveLength(10);
  });

  it('connects over mutual TLS: verifies the server against a CA file and presents a client certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-tls-'));
    dirs.push(dir);
    const p = (f: string): string => join(dir, f);
    const ssl = (...args: string[]): void => {
      execFileSync('openssl', args, { stdio: 'ignore' });
    };
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', p('ca.key'), '-out', p('ca.pem'));
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('srv.key'), '-out', p('srv.csr'));
    writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl('x509', '-req', '-in', p('srv.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', p('ext.cnf'), '-out', p('srv.pem'));
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=peregrine', '-keyout', p('cli.key'), '-out', p('cli.csr'));
    ssl('x509', '-req', '-in', p('cli.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '1', '-out', p('cli.pem'));
    const srv = await NatsServer.start({ args: ['--tlsverify', '--tlscert', p('srv.pem'), '--tlskey', p('srv.key'), '--tlscacert', p('ca.pem')] });
    servers.push(srv);
    const mtls = { caFile: p('ca.pem'), certFile: p('cli.pem'), keyFile: p('cli.key') };
    const got = await collect(srv.url, 'falco.>', { tls: mtls });
    await roundTrip(natsOutput({ servers: [srv.url], tls: mtls }), got, 10);
    expect(got).toHaveLength(10);
  });

  it('fails at startup when a secret file is unreadable, naming it', async () => {
    const f = natsOutput({ servers: ['nats://127.0.0.1:1'], auth: { credsFile: '/nonexistent/user.creds' } });
    await expect(f.open()).rejects.toThrow(/output 'nats': .*\/nonexistent\/user\.creds/);
  });

  it('spools while it cannot connect at all, and delivers everything in order once it can', async () => {
    const srv = await NatsServer.start();
    servers.push(srv);
    const gate = await GateProxy.start(srv.port);
    gate.shut();
    const got = await collect(srv.url, 'falco.>');
    const f = natsOutput({ servers: [gate.url], reconnectWaitMs: 50, maxReconnectWaitMs: 200 });
    await f.open();
    for (const i of range(100)) f.offer(numbered(i));
    expect(await until(() => f.stats()[0]!.extra['spool_records'] === 100)).toBe(true);
    expect(f.stats()[0]).toMatchObject({ sent: 0, extra: { connected: 0 } });
    gate.open();
    expect(await until(() => got.length === 100, 10_000)).toBe(true);
    await f.close();
    await gate.close();
    expect(got.map((m) => JSON.parse(m.data).output_fields.seq)).toEqual(range(100));
    expect(f.stats()[0]).toMatchObject({ sent: 100, failed: 0, extra: { spool_records: 0, spooled_total: 100 } });
  });
  it('pipelines: the connection cut while thousands are unconfirmed loses none and counts each sent once', async () => {
    const srv = await NatsServer.start();
    servers.push(srv);
    const gate = await GateProxy.start(srv.port);
    const got = await collect(srv.url, 'falco.>');
    const f = natsOutput({ servers: [gate.url], reconnectWaitMs: 50, maxReconnectWaitMs: 200 });
    await f.open();
    expect(await until(() => f.stats()[0]!.extra['connected'] === 1)).toBe(true);
    const N = 20_000;
    for (const i of range(N)) {
      if (i % 250 === 0) await new Promise((r) => setImmediate(r)); // let the output publish as it goes
      if (i === 8000) gate.shut(); // mid-stream, with published messages still awaiting their PONG
      if (i === 12_000) gate.open();
      if (!f.offer(numbered(i))) await f.whenWritable();
    }
    expect(await until(() => new Set(got.map((m) => m.data)).size === N, 20_000)).toBe(true);
    await f.close();
    await gate.close();
    const seqs = got.map((m) => JSON.parse(m.data).output_fields.seq as number);
    expect(seqs.filter((s, i) => seqs.indexOf(s) === i)).toEqual(range(N)); // in order, none lost
    expect(f.stats()[0]).toMatchObject({ sent: N, failed: 0, extra: { spool_records: 0, spool_dropped_total: 0 } });
    expect(f.stats()[0]!.extra['reconnects_total']).toBeGreaterThanOrEqual(1);
    expect(f.stats()[0]!.extra['spooled_total']).toBeGreaterThan(0);
  });
  it('counts an alert the server refuses (over max_payload) as failed, once, and delivers the rest in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-maxpayload-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'server.conf'), 'max_payload: 4096\n');
    const srv = await NatsServer.start({ args: ['-c', join(dir, 'server.conf')] });
    servers.push(srv);
    const gate = await GateProxy.start(srv.port);
    const got = await collect(srv.url, 'falco.>');
    const f = natsOutput({ servers: [gate.url], reconnectWaitMs: 50, maxReconnectWaitMs: 200 });
    await f.open();
    const huge = (i: number) => numbered(i, undefined, { 'user.name': 'x'.repeat(8000) });
    expect(await until(() => f.stats()[0]!.extra['connected'] === 1)).toBe(true);
    for (const i of range(10)) f.offer(i === 4 ? huge(i) : numbered(i)); // directly
    expect(await until(() => got.length === 9)).toBe(true);
    gate.shut(); // now through the spool
    expect(await until(() => f.stats()[0]!.extra['connected'] === 0)).toBe(true);
    for (const i of range(10, 10)) f.offer(i === 15 ? huge(i) : numbered(i));
    expect(await until(() => f.stats()[0]!.extra['spool_records'] === 10)).toBe(true);
    gate.open();
    expect(await until(() => got.length === 18, 10_000)).toBe(true);
    await f.close();
    await gate.close();
    expect(got.map((m) => JSON.parse(m.data).output_fields.seq)).toEqual(range(20).filter((i) => i !== 4 && i !== 15));
    expect(f.stats()[0]).toMatchObject({ sent: 18, failed: 2, extra: { spool_records: 0 } });
  });
});
