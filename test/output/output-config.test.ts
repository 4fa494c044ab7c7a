// The `outputs` configuration: defaults, every option, and errors that name the key.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../../src/common/errors.js';
import { parseDuration, parseOutputsConfig, parseSize, validateOutputsConfig } from '../../src/output/config.js';

const problems = (raw: unknown): string[] => validateOutputsConfig(raw).problems.map((p) => `${p.key}: ${p.message}`);

describe('output – configuration', () => {
  it('defaults to stdout only, text, drop policy, bounded queue', () => {
    const c = parseOutputsConfig(undefined);
    expect(c.outputs).toHaveLength(1);
    expect(c.outputs[0]).toMatchObject({ kind: 'stdout', name: 'stdout', format: 'text', capacity: 10_000, policy: 'drop', batchSize: 512, dedup: [] });
    expect(c).toMatchObject({ closeTimeoutMs: 30_000, dropReportIntervalMs: 10_000 });
  });

  it('reads a full configuration', () => {
    const c = parseOutputsConfig(parse(`
format: json
queue_capacity: 5000
policy: block
dedup:
  - rules: ["Terminal shell*"]
    key: [container.id, proc.cmdline]
    window: 1m
stdout:
  enabled: false
file:
  path: /var/log/peregrine/events.json
  buffer_size: 128KiB
  flush_interval: 500ms
  fsync: true
  min_priority: warning
nats:
  servers: nats://nats.security:4222
  subject: sec.<hostname>.<priority>.<rule>
  user: falco
  password: pw
  tls: { ca_file: /etc/ssl/ca.pem }
  jetstream: { stream: ALERTS, duplicate_window: 5m }
  spool: { dir: /var/lib/peregrine/spool, max_size: 1GiB }
  tags_any: [mitre_execution, container]
  rules: ["Terminal shell*"]
  exclude_rules: ["*noisy*"]
  queue_capacity: 20000
  dedup: []
`));
    expect(c.outputs.map((o) => o.name)).toEqual(['file', 'nats']);
    const [file, nats] = c.outputs;
    expect(file).toMatchObject({ kind: 'file', format: 'json', path: '/var/log/peregrine/events.json', bufferBytes: 131072, flushIntervalMs: 500, fsync: true,
      policy: 'block', capacity: 5000, filter: { minPriority: 4 } });
    expect(file!.dedup).toEqual([{ rules: ['Terminal shell*'], key: ['container.id', 'proc.cmdline'], windowMs: 60_000 }]);
    expect(nats).toMatchObject({
      kind: 'nats', servers: ['nats://nats.security:4222'], subject: 'sec.<hostname>.<priority>.<rule>', user: 'falco', password: 'pw',
      tls: { caFile: '/etc/ssl/ca.pem', handshakeFirst: false },
      jetstream: { stream: 'ALERTS', createStream: true, subjects: [], duplicateWindowMs: 300_000, ackTimeoutMs: 5000 },
      spool: { dir: '/var/lib/peregrine/spool', maxBytes: 1024 ** 3, fsync: false },
      filter: { tagsAny: ['mitre_execution', 'container'], rules: ['Terminal shell*'], excludeRules: ['*noisy*'] },
      capacity: 20_000, dedup: [],
    });
  });

  it('accepts several outputs of one kind, with distinct names', () => {
    const c = parseOutputsConfig({ file: [{ path: 'a.txt' }, { path: 'b.json', format: 'json', name: 'audit' }] });
    expect(c.outputs.map((o) => o.name)).toEqual(['stdout', 'file', 'audit']);
    expect(problems({ file: [{ path: 'a.txt' }, { path: 'a.txt' }] })).toEqual(['outputs.file: outputs "file" and "file#2" write the same file a.txt']);
    expect(problems({ file: { path: 'x', name: 'stdout' } })).toEqual(['outputs.file: output name "stdout" is already used by a stdout output; set distinct names']);
  });

  it('names the key of every problem, all at once', () => {
    expect(problems({
      policy: 'sometimes',
      stdout: { format: 'xml', min_priority: 'urgent' },
      file: { path: '', flush_interval: 'soon', buffer_size: '12 parsecs' },
      nats: { subjet: 'x', subject: 'falco..<rule>', user: 'u', token: 't', jetstream: { ack_timeout: 'fast' }, spool: { max_size: -1 }, tls: { cert_file: 'c' } },
    })).toEqual([
      'outputs.policy: expected one of drop, block, got "sometimes"',
      'outputs.stdout.min_priority: expected a priority (emergency, alert, critical, error, warning, notice, informational, debug), got "urgent"',
      'outputs.stdout.format: expected one of text, json, got "xml"',
      'outputs.file.path: expected a non-empty string, got ""',
      'outputs.file.buffer_size: expected a size such as "64MiB" or "512KB" (or a number of bytes), got "12 parsecs"',
      'outputs.file.flush_interval: expected a duration such as "5s" or "250ms" (or a number of milliseconds), got "soon"',
      expect.stringMatching(/^outputs\.nats\.subjet: unknown key; allowed here: enabled, name, .*subject/),
      'outputs.nats.subject: a subject may not have empty tokens (leading, trailing or double dots)',
      'outputs.nats.tls: cert_file and key_file go together (client certificate)',
      'outputs.nats.jetstream.ack_timeout: expected a duration such as "5s" or "250ms" (or a number of milliseconds), got "fast"',
      'outputs.nats.spool.max_size: expected a size such as "64MiB" or "512KB" (or a number of bytes), got -1',
      'outputs.nats: choose one authentication method, not user and token',
    ]);
  });

  it('checks dedup entries', () => {
    expect(problems({ dedup: [{ rules: ['x'] }], stdout: { dedup: { window: '1s' } } })).toEqual([
      'outputs.dedup[0].window: required: how long to keep one alert per key, e.g. "60s"',
      'outputs.stdout.dedup: expected a list of { rules, key, window }, got a mapping',
    ]);
  });

  it('throws one ConfigError listing every problem', () => {
    try {
      parseOutputsConfig({ queue_capacity: 0, nats: { servers: ['not a url'] } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe('invalid outputs configuration:\n' +
        '  outputs.queue_capacity: expected an integer ≥ 1, got 0\n' +
        '  outputs.nats.servers: not a NATS server URL: "not a url" (e.g. nats://host:4222)');
    }
  });

  it('parses durations and sizes', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(100)).toBe(100);
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('-1s')).toBeUndefined();
    expect(parseSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('512KB')).toBe(512_000);
    expect(parseSize('1g')).toBe(1024 ** 3);
    expect(parseSize(4096)).toBe(4096);
    expect(parseSize('lots')).toBeUndefined();
  });
});
