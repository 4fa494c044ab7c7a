// End to end – `peregrine run` live: alerts from a followed file, SIGTERM drains every output, hot
// reload keeps the old rules on a broken file and takes a valid one, /healthz and /metrics, a NATS
// outage spooled and delivered in order, and an unread FIFO output that does not stall the others.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { ensureBuilt } from '../helpers/cli.js';
import { TEST_RULES, testEvents } from '../helpers/e2e-events.js';
import { NatsServer } from '../helpers/nats-server.js';
import { killedAfterEach, LiveCli } from '../helpers/spawn.js';

beforeAll(async () => {
  await ensureBuilt();
}, 300_000);

const running = killedAfterEach();

function live(args: string[], env: NodeJS.ProcessEnv = {}): LiveCli {
  const p = new LiveCli(args, { env });
  running.push(p);
  return p;
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'peregrine-run-'));
}

const ready = (p: LiveCli): boolean => p.logs().some((l) => l['msg'] === 'peregrine running');

describe('run – live detection', () => {
  it('SIGTERM after a burst: every alert produced is in every sink', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
    writeFileSync(join(dir, 'events.jsonl'), '');
    writeFileSync(join(dir, 'peregrine.yaml'), `outputs:
  format: json
  stdout: {}
  file: { path: ${join(dir, 'alerts.jsonl')}, flush_interval: 10s }
`);
    const p = live(['run', '-c', join(dir, 'peregrine.yaml'), '-r', join(dir, 'rules.yaml'), '-i', join(dir, 'events.jsonl'), '--follow']);
    await p.until(() => ready(p), 15_000, 'startup');
    const { lines, shadow, curl } = testEvents(6000);
    appendFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
    await p.until(() => p.lines().length > 0, 15_000, 'first alert');
    p.signal('SIGTERM');
    expect(await p.exited).toBe(0);
    const out = p.lines();
    expect(out.length).toBeGreaterThan(0);
    // Everything the engine produced before the stop reached both outputs (the file was buffered
    // with a 10 s flush interval, so only the drain on SIGTERM can have written it).
    const file = readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trim().split('\n');
    expect(file).toEqual(out);
    const stopped = p.logs().find((l) => l['msg'] === 'stopped') as { alerts: number } | undefined;
    expect(stopped?.alerts).toBe(out.length);
    expect(out.length).toBeLessThanOrEqual(shadow + curl);
  });

  it('hot reload: a broken rules file keeps the old rules running; a valid one replaces them', async () => {
    const dir = tmp();
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, TEST_RULES);
    writeFileSync(join(dir, 'events.jsonl'), '');
    const p = live(['run', '-r', rules, '-i', join(dir, 'events.jsonl'), '--follow', '-o', 'outputs.format=json']);
    await p.until(() => ready(p), 15_000, 'startup');
    const feed = (from: number): void => appendFileSync(join(dir, 'events.jsonl'), `${testEvents(30, from).lines.join('\n')}\n`);
    const rulesFired = (): string[] => p.lines().map((l) => (JSON.parse(l) as { rule: string }).rule);

    feed(1);
    await p.until(() => rulesFired().includes('Shadow read by cat'), 15_000, 'alerts from the first rules');

    writeFileSync(rules, '- rule: broken\n  condition: (\n');
    await p.until(() => p.logs().some((l) => l['msg'] === 'rules reload failed: keeping the previous rules'), 15_000, 'reload failure');
    const before = p.lines().length;
    feed(1001);
    await p.until(() => p.lines().length > before, 15_000, 'old rules still firing');
    expect(rulesFired().slice(before).every((r) => r === 'Shadow read by cat' || r === 'Curl connects' || r.startsWith('Peregrine internal'))).toBe(true);
    expect(p.lines().some((l) => l.includes('rules reload failure'))).toBe(true);

    writeFileSync(rules, `- rule: ls seen
  desc: ls opens something
  condition: evt.type = openat and proc.name = ls
  output: ls (n=%evt.num)
  priority: INFO
`);
    await p.until(() => p.logs().some((l) => l['msg'] === 'rules reloaded'), 15_000, 'successful reload');
    const mark = p.lines().length;
    feed(2001);
    await p.until(() => rulesFired().slice(mark).includes('ls seen'), 15_000, 'new rules firing');
    expect(rulesFired().slice(mark).filter((r) => r === 'Shadow read by cat')).toEqual([]);

    p.signal('SIGHUP');
    await p.until(() => p.logs().filter((l) => l['msg'] === 'rules reloaded').length >= 2, 15_000, 'SIGHUP reload');
    p.signal('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('hot reload: event types skipped unparsed follow the rules (a new rule on read sees the next reads)', async () => {
    const dir = tmp();
    const rules = join(dir, 'rules.yaml');
    const lsRule = `- rule: ls seen
  desc: ls opens something
  condition: evt.type = openat and proc.name = ls
  output: ls (n=%evt.num)
  priority: INFO
`;
    writeFileSync(rules, lsRule);
    writeFileSync(join(dir, 'events.jsonl'), '');
    const p = live(['run', '-r', rules, '-i', join(dir, 'events.jsonl'), '--follow', '-o', 'outputs.format=json']);
    await p.until(() => ready(p), 15_000, 'startup');
    let num = 0;
    const feed = (): void => {
      const line = (o: object): string => JSON.stringify({ ts: String(1732662000000000000 + ++num * 1000), num, ...o });
      appendFileSync(join(dir, 'events.jsonl'), `${[
        line({ type: 'read', pid: 700, comm: 'cat', res: 10, args: { fd: 3, size: 4096 } }),
        line({ type: 'openat', pid: 701, comm: 'ls', res: 3, args: { dirfd: -100, name: '/etc', flags: 0, mode: 0 } }),
      ].join('\n')}\n`);
    };
    const rulesFired = (): string[] => p.lines().map((l) => (JSON.parse(l) as { rule: string }).rule);

    feed();
    await p.until(() => rulesFired().includes('ls seen'), 15_000, 'the first rules firing');
    // No rule and no state table uses read yet: those records are skipped unparsed.
    writeFileSync(rules, `${lsRule}- rule: cat reads
  desc: cat reads something
  condition: evt.type = read and proc.name = cat
  output: cat read (n=%evt.num)
  priority: INFO
`);
    await p.until(() => p.logs().some((l) => l['msg'] === 'rules reloaded'), 15_000, 'reload');
    const mark = p.lines().length;
    feed();
    await p.until(() => rulesFired().slice(mark).includes('cat reads'), 15_000, 'the new rule seeing reads');
    p.signal('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('serves /healthz and /metrics with events, alerts by rule, rule evaluations and output counters', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
    writeFileSync(join(dir, 'events.jsonl'), `${testEvents(300).lines.join('\n')}\n`);
    const p = live(['run', '-r', join(dir, 'rules.yaml'), '-i', join(dir, 'events.jsonl'), '--follow',
      '-o', 'webserver.enabled=true', '-o', 'webserver.listen_port=0', '-o', 'webserver.listen_address=127.0.0.1']);
    await p.until(() => p.logs().some((l) => l['msg'] === 'serving /healthz and /metrics'), 15_000, 'web server');
    const port = p.logs().find((l) => l['msg'] === 'serving /healthz and /metrics')?.['port'] as number;
    await p.until(() => p.lines().length >= 140, 15_000, 'alerts');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('peregrine_events_total{source="syscall"} 300');
    expect(metrics).toContain('peregrine_alerts_total{rule="Shadow read by cat",priority="Warning"} 100');
    expect(metrics).toContain('peregrine_rule_evaluations_total{rule="Shadow read by cat"} 260');
    expect(metrics).toMatch(/peregrine_output_alerts_sent_total\{output="stdout",type="stdout"\} 140/);
    expect(metrics).toMatch(/peregrine_output_queue_depth\{output="stdout",type="stdout"\} 0/);
    p.signal('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('NATS stopped mid-run: stdout keeps every alert; on return the spooled alerts arrive in order, 0 lost', async () => {
    const nats = await NatsServer.start({ jetstream: true });
    const dir = tmp();
    try {
      writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
      writeFileSync(join(dir, 'events.jsonl'), '');
      writeFileSync(join(dir, 'peregrine.yaml'), `outputs:
  format: json
  stdout: {}
  nats:
    servers: [${nats.url}]
    jetstream: { stream: ALERTS, create_stream: true }
    spool: { dir: ${join(dir, 'spool')} }
    reconnect_wait: 100ms
    max_reconnect_wait: 500ms
`);
      const p = live(['run', '-c', join(dir, 'peregrine.yaml'), '-r', join(dir, 'rules.yaml'), '-i', join(dir, 'events.jsonl'), '--follow']);
      await p.until(() => ready(p), 15_000, 'startup');
      const feed = (n: number, from: number): number => {
        const { lines, shadow, curl } = testEvents(n, from);
        appendFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
        return shadow + curl;
      };
      let expected = feed(300, 1);
      await p.until(() => p.lines().length === expected, 15_000, 'first batch on stdout');
      await nats.stop();
      expected += feed(600, 1001);
      await p.until(() => p.lines().length === expected, 15_000, 'stdout during the outage');
      await nats.restart();
      expected += feed(300, 5001);
      await p.until(() => p.lines().length === expected, 15_000, 'stdout after the outage');

      const nc = await connect({ servers: nats.url });
      try {
        const jsm = await jetstreamManager(nc);
        const deadline = Date.now() + 20_000;
        let count = 0;
        while (Date.now() < deadline) {
          count = (await jsm.streams.info('ALERTS').catch(() => undefined))?.state.messages ?? 0;
          if (count >= expected) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(count).toBe(expected);
        const js = jsm.jetstream();
        const nums: number[] = [];
        for (let seq = 1; seq <= expected; seq++) {
          const m = await jsm.streams.getMessage('ALERTS', { seq });
          nums.push(Number(/n=(\d+)/.exec(m?.string() ?? '')?.[1]));
        }
        void js;
        expect(nums).toEqual([...nums].sort((a, b) => a - b));
      } finally {
        await nc.close();
      }
      p.signal('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      await nats.dispose();
    }
  }, 90_000);

  it('a file output on a FIFO nobody reads does not stall stdout', async () => {
    const dir = tmp();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    writeFileSync(join(dir, 'rules.yaml'), TEST_RULES);
    writeFileSync(join(dir, 'events.jsonl'), '');
    writeFileSync(join(dir, 'peregrine.yaml'), `outputs:
  stdout: {}
  file: { path: ${join(dir, 'fifo')}, queue_capacity: 100 }
  close_timeout: 1s
`);
    const p = live(['run', '-c', join(dir, 'peregrine.yaml'), '-r', join(dir, 'rules.yaml'), '-i', join(dir, 'events.jsonl'), '--follow']);
    await p.until(() => ready(p), 15_000, 'startup');
    const { lines, shadow, curl } = testEvents(9000);
    appendFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
    const ruleAlerts = (): string[] => p.lines().filter((l) => /shadow read|curl connect/.test(l));
    await p.until(() => ruleAlerts().length === shadow + curl, 20_000, 'every alert on stdout');
    p.signal('SIGTERM');
    expect(await p.exited).toBe(0);
    const stopped = p.logs().find((l) => l['msg'] === 'stopped') as { outputs: { name: string; dropped: number }[] } | undefined;
    expect(stopped?.outputs.find((o) => o.name === 'file')?.dropped).toBeGreaterThan(0);
  }, 180_000);
});
