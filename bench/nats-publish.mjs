#!/usr/bin/env node
// Benchmark: alerts/s through the NATS output to a local nats-server, core NATS and JetStream.
// Measures the whole path per alert as the engine would drive it — formatting the alert, JSON
// serialisation, subject, publish, and the server's confirmation (core: PING/PONG covering what was
// published before it; JetStream: a PubAck per message) — from the first offer to close() returning
// with every alert confirmed. Core is measured twice: formatting each alert in the loop (engine and
// output on one thread), and with ready-made alerts (the output's own cost: subject, bytes, publish,
// confirmation). Runs start once the connection is up, so nothing goes through the spool.
//
// Usage: npm run build && node bench/nats-publish.mjs [alerts=200000] [jetstreamAlerts=50000]
// Needs nats-server (Debian package nats-server). The last line is a one-line summary.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertFormatter } from '../dist/format/formatter.js';
import { eventFromFields } from '../dist/event/types.js';
import { AlertFanout } from '../dist/output/fanout.js';
import { NatsSink } from '../dist/output/nats.js';
import { MemorySpool } from '../dist/output/spool.js';
import { connect } from '@nats-io/transport-node';

const N = Number(process.argv[2] ?? 200_000);
const NJS = Number(process.argv[3] ?? 50_000);
const SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));
if (SERVER === undefined) {
  console.error('nats-publish: nats-server not found (apt-get install nats-server)');
  process.exit(2);
}

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const canConnect = (port) => new Promise((resolve) => {
  const c = createConnection({ port, host: '127.0.0.1' });
  c.once('connect', () => { c.destroy(); resolve(true); });
  c.once('error', () => resolve(false));
});

// A rule shaped like falco_rules.yaml's "Read sensitive file untrusted" (about a dozen output fields).
const FIELDS = ['user.name', 'user.loginuid', 'proc.cmdline', 'proc.pid', 'proc.exepath', 'proc.pname', 'proc.aname[2]', 'fd.name',
  'container.id', 'container.name', 'container.image.repository', 'evt.type', 'evt.res'];
// Rendered from pre-split parts, as compiled output templates are.
const template = {
  text: `Sensitive file opened for reading by non-trusted program | ${FIELDS.map((f) => `${f}=%${f}`).join(' ')}`,
  fieldNames: FIELDS,
  render(ev) {
    let s = 'Sensitive file opened for reading by non-trusted program |';
    for (const f of FIELDS) s += ` ${f}=${ev.given[f] ?? '<NA>'}`;
    return s;
  },
  fields(ev) { const o = {}; for (const f of FIELDS) o[f] = ev.given[f] ?? null; return o; },
};
const rule = { id: 0, name: 'Read sensitive file untrusted', priority: 4, source: 'syscall', tags: ['T1555', 'container', 'filesystem', 'host', 'maturity_stable', 'mitre_credential_access'], output: template };
const formatter = new AlertFormatter({ hostname: 'bench-node', timeFormatIso8601: true });

// One event object, updated per alert (the formatter copies what it needs), like an engine's hot loop.
const ev = eventFromFields({
  'user.name': 'root', 'user.loginuid': -1, 'proc.cmdline': 'cat /etc/shadow', 'proc.pid': 1000, 'proc.exepath': '/usr/bin/cat',
  'proc.pname': 'bash', 'proc.aname[2]': 'sshd', 'fd.name': '/etc/shadow', 'container.id': 'a1b2c3d4e5f6', 'container.name': 'web',
  'container.image.repository': 'docker.io/library/nginx', 'evt.type': 'openat', 'evt.res': 'SUCCESS',
});
const BASE = 1_700_000_000_000_000_000n;
function alert(i) {
  ev.given['proc.cmdline'] = `cat /etc/shadow ${i}`;
  ev.given['proc.pid'] = 1000 + (i % 30000);
  ev.ts = (BASE + BigInt(i)).toString();
  return formatter.format(rule, ev);
}

/** The cost of building alerts and their JSON alone, for comparison. */
function formatOnly(n) {
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) bytes += Buffer.byteLength(alert(i).json());
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = Math.round(n / secs);
  console.log(`format+json only: ${n} alerts in ${secs.toFixed(2)} s = ${rate.toLocaleString('en-US')} alerts/s (${Math.round(bytes / n)} B each)`);
  return rate;
}

/** The machine's ceiling right now: raw nats.js publishing ready-made payloads of the same size. */
async function rawBaseline(url, n, size) {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const payload = Buffer.alloc(size, 0x61);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 512) {
    for (let j = i; j < Math.min(n, i + 512); j++) nc.publish('falco.warning.raw', payload);
    await nc.flush();
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await nc.close();
  const rate = Math.round(n / secs);
  console.log(`raw nats.js baseline: ${n} ready-made ${size} B payloads, flush per 512 = ${rate.toLocaleString('en-US')} msgs/s`);
  return rate;
}

/**
 * `alerts` given: publish those ready-made alerts (their JSON already rendered), cycling — the
 * output's own cost, as when the engine formatted them; otherwise format each alert in the loop.
 */
async function run(label, url, n, jetstream, quiet = false, alerts = undefined) {
  const sink = new NatsSink({ servers: [url], spool: new MemorySpool(1 << 30), ...(jetstream ? { jetstream: { stream: 'BENCH', createStream: true } } : {}) });
  const out = new AlertFanout([{ name: 'nats', sink, capacity: 10_000, policy: 'block', batchSize: 512 }], { closeTimeoutMs: 600_000 });
  await out.open();
  // Let the connection (and stream) come up so the run measures publishing, not connecting — nor
  // the spool: alerts offered before the connection is up are spooled, and a loop that offers
  // faster than it yields to I/O would spool the whole run and measure the catch-up instead.
  const t = Date.now();
  while (out.stats()[0].extra.connected !== 1) {
    if (Date.now() - t > 10_000) throw new Error(`${label}: no connection to ${url} within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
  out.offer(alert(-1));
  await out.flush();
  const spooledBefore = out.stats()[0].extra.spooled_total;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (!out.offer(alerts === undefined ? alert(i) : alerts[i % alerts.length])) await out.whenWritable();
  await out.close();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const s = out.stats()[0];
  const rate = Math.round(n / secs);
  const cpuUs = (c.user + c.system) / n;
  if (!quiet) {
    console.log(`${label}: ${n} alerts ${alerts === undefined ? 'formatted, ' : ''}published and confirmed in ${secs.toFixed(2)} s = ${rate.toLocaleString('en-US')} alerts/s; ` +
      `${cpuUs.toFixed(1)} CPU-µs/alert in this process = ${Math.round(1e6 / cpuUs).toLocaleString('en-US')} alerts per CPU-second`);
  }
  if (s.sent !== n + 1 || s.failed !== 0) throw new Error(`${label}: expected ${n + 1} confirmed, got ${s.sent} (failed ${s.failed})`);
  const spooled = s.extra.spooled_total - spooledBefore;
  if (spooled > 0 && !quiet) console.log(`${label}: note: ${spooled} alerts went through the spool (publishing was not confirmed in time)`);
  return { rate, perCpuSec: Math.round(1e6 / cpuUs) };
}

const port = await freePort();
const store = mkdtempSync(join(tmpdir(), 'peregrine-bench-nats-'));
const srv = spawn(SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: 'ignore' });
try {
  while (!(await canConnect(port))) await new Promise((r) => setTimeout(r, 20));
  const url = `nats://127.0.0.1:${port}`;
  const raw = await rawBaseline(url, Math.min(N, 100_000), Buffer.byteLength(alert(0).json()));
  const fmt = formatOnly(Math.min(N, 100_000));
  await run('warm-up', url, 20_000, false, true); // let the JIT settle before measuring
  const core = await run('core', url, N, false);
  const ready = Array.from({ length: 50_000 }, (_, i) => {
    const a = alert(i);
    a.json();
    return a;
  });
  await run('warm-up', url, 20_000, false, true, ready);
  const coreReady = await run('core, ready-made alerts', url, N, false, false, ready);
  const js = await run('jetstream', url, NJS, true);
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  const f = (n) => n.toLocaleString('en-US');
  console.log(`nats-publish: core ${f(core.rate)} alerts/s formatting each (${f(core.perCpuSec)}/CPU-s), ${f(coreReady.rate)} alerts/s ready-made (${f(coreReady.perCpuSec)}/CPU-s), jetstream ${f(js.rate)} alerts/s (${f(js.perCpuSec)}/CPU-s); ` +
    `format-only ${f(fmt)}/s, raw nats.js ${f(raw)} msgs/s; node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, load ${load}; target core >= 100,000`);
} finally {
  srv.kill('SIGTERM');
  await new Promise((r) => srv.once('exit', r));
  rmSync(store, { recursive: true, force: true });
}
