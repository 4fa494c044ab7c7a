// The `outputs` section of peregrine.yaml: types, defaults and validation. Every problem is collected
// (not just the first) and names its key, e.g.
//   outputs.nats.jetstream.ack_timeout: expected a duration such as "5s" or "250ms", got "fast"
// Unknown keys are errors too (they are usually typos), listing the keys that are allowed.
//
// outputs:
//   format: text                 # text | json: default for stdout and file (Falco's json_output)
//   queue_capacity: 10000        # per-output queue, alerts (block policy: at most 2 × batch_size are held)
//   policy: drop                 # when a queue is full: drop (live) | block (replay: nothing lost)
//   batch_size: 512              # alerts handed to an output at once
//   close_timeout: 30s           # per output, at shutdown
//   drop_report_interval: 10s    # at most one drop report (log line + internal alert) per output per interval
//   dedup: []                    # default throttling for outputs that set none (see below)
//   stdout: { enabled: true }    # each of stdout / file / nats: one mapping, or a list of them; a section
//                                # that is present is enabled unless it says enabled: false (stdout is on
//                                # when absent, file and nats are off when absent)
//   file:   { path: ./events.txt, buffer_size: 64KiB, flush_interval: 1s, fsync: false }
//   nats:
//     servers: [nats://127.0.0.1:4222]
//     subject: falco.<priority>.<rule>     # placeholders <priority> <rule> <source> <hostname>
//     user / password / token / nkey_seed_file / creds_file
//     tls: { ca_file, cert_file, key_file, handshake_first }
//     jetstream: { stream: FALCO, create_stream: true, subjects: [], duplicate_window: 2m, ack_timeout: 5s }
//     spool: { dir: <none: in memory>, max_size: 64MiB, segment_size: <max_size/4, ≤16MiB>, fsync: false }
//     reconnect_wait: 250ms, max_reconnect_wait: 5s, connect_timeout: 5s, ping_interval: 20s, confirm_timeout: 5s
// Every output also takes: name, format (stdout/file), min_priority, tags_any, tags_all, rules,
// exclude_rules, queue_capacity, policy, batch_size, dedup.
// dedup: a list of { rules: ["Terminal shell*"], key: [container.id, proc.cmdline], window: 60s }.

import { ConfigError } from '../common/errors.js';
import { parsePriority, type Priority } from '../common/priority.js';
import type { QueuePolicy } from './channel.js';
import type { DedupSpec } from './dedup.js';
import type { FilterSpec } from './filter.js';
import { checkSubjectTemplate, DEFAULT_SUBJECT } from './subject.js';
import type { AlertFormat } from './types.js';

export interface CommonOutputConfig {
  readonly name: string;
  readonly filter: FilterSpec;
  readonly capacity: number;
  readonly policy: QueuePolicy;
  readonly batchSize: number;
  readonly dedup: readonly DedupSpec[];
}

export interface StdoutOutputConfig extends CommonOutputConfig {
  readonly kind: 'stdout';
  readonly format: AlertFormat;
}

export interface FileOutputConfig extends CommonOutputConfig {
  readonly kind: 'file';
  readonly format: AlertFormat;
  readonly path: string;
  readonly bufferBytes: number;
  readonly flushIntervalMs: number;
  readonly fsync: boolean;
}

export interface SpoolConfig {
  /** Directory of a durable spool; undefined: an in-memory spool (lost on exit). */
  readonly dir: string | undefined;
  readonly maxBytes: number;
  readonly segmentBytes: number | undefined;
  readonly fsync: boolean;
}

export interface NatsOutputConfig extends CommonOutputConfig {
  readonly kind: 'nats';
  readonly servers: readonly string[];
  readonly subject: string;
  readonly connectionName: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly token: string | undefined;
  readonly nkeySeedFile: string | undefined;
  readonly credsFile: string | undefined;
  readonly tls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string; readonly handshakeFirst: boolean } | undefined;
  readonly jetstream: {
    readonly stream: string;
    readonly createStream: boolean;
    readonly subjects: readonly string[];
    readonly duplicateWindowMs: number;
    readonly ackTimeoutMs: number;
  } | undefined;
  readonly spool: SpoolConfig;
  readonly reconnectWaitMs: number;
  readonly maxReconnectWaitMs: number;
  readonly connectTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly confirmTimeoutMs: number;
}

export type OutputConfig = StdoutOutputConfig | FileOutputConfig | NatsOutputConfig;

export interface OutputsConfig {
  /** Enabled outputs only, in the order stdout, file, nats (each in list order). */
  readonly outputs: readonly OutputConfig[];
  readonly closeTimeoutMs: number;
  readonly dropReportIntervalMs: number;
}

export interface ConfigProblem {
  /** The full key, e.g. "outputs.nats.jetstream.ack_timeout" or "outputs.file[1].path". */
  readonly key: string;
  readonly message: string;
}

export const OUTPUT_DEFAULTS = {
  format: 'text' as AlertFormat,
  capacity: 10_000,
  policy: 'drop' as QueuePolicy,
  batchSize: 512,
  closeTimeoutMs: 30_000,
  dropReportIntervalMs: 10_000,
  file: { path: './events.txt', bufferBytes: 64 * 1024, flushIntervalMs: 1000 },
  nats: {
    servers: ['nats://127.0.0.1:4222'],
    stream: 'FALCO',
    duplicateWindowMs: 120_000,
    ackTimeoutMs: 5000,
    spoolMaxBytes: 64 * 1024 * 1024,
    reconnectWaitMs: 250,
    maxReconnectWaitMs: 5000,
    connectTimeoutMs: 5000,
    pingIntervalMs: 20_000,
    confirmTimeoutMs: 5000,
  },
} as const;

type Raw = Record<string, unknown>;

const TOP_KEYS = ['format', 'queue_capacity', 'policy', 'batch_size', 'close_timeout', 'drop_report_interval', 'dedup', 'stdout', 'file', 'nats'];
const COMMON_KEYS = ['enabled', 'name', 'min_priority', 'tags_any', 'tags_all', 'rules', 'exclude_rules', 'queue_capacity', 'policy', 'batch_size', 'dedup'];
const STDOUT_KEYS = [...COMMON_KEYS, 'format'];
const FILE_KEYS = [...COMMON_KEYS, 'format', 'path', 'buffer_size', 'flush_interval', 'fsync'];
const NATS_KEYS = [...COMMON_KEYS, 'servers', 'subject', 'connection_name', 'user', 'password', 'token', 'nkey_seed_file', 'creds_file',
  'tls', 'jetstream', 'spool', 'reconnect_wait', 'max_reconnect_wait', 'connect_timeout', 'ping_interval', 'confirm_timeout'];
const TLS_KEYS = ['ca_file', 'cert_file', 'key_file', 'handshake_first'];
const JS_KEYS = ['enabled', 'stream', 'create_stream', 'subjects', 'duplicate_window', 'ack_timeout'];
const SPOOL_KEYS = ['dir', 'max_size', 'segment_size', 'fsync'];
const DEDUP_KEYS = ['rules', 'key', 'window'];

/** Reads and checks one section's values, collecting problems under full key names. */
class Reader {
  readonly problems: ConfigProblem[] = [];

  problem(key: string, message: string): void {
    this.problems.push({ key, message });
  }

  object(v: unknown, key: string, allowed: readonly string[]): Raw | undefined {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.problem(key, `expected a mapping, got ${describe(v)}`);
      return undefined;
    }
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) this.problem(`${key}.${k}`, `unknown key; allowed here: ${allowed.join(', ')}`);
    }
    return v as Raw;
  }

  bool(o: Raw, k: string, key: string, dflt: boolean): boolean {
    const v = o[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v;
    this.problem(`${key}.${k}`, `expected true or false, got ${describe(v)}`);
    return dflt;
  }

  string(o: Raw, k: string, key: string): string | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && v !== '') return v;
    this.problem(`${key}.${k}`, `expected a non-empty string, got ${describe(v)}`);
    return undefined;
  }

  strings(o: Raw, k: string, key: string): string[] | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    const list = typeof v === 'string' ? [v] : v;
    if (Array.isArray(list) && list.every((x) => typeof x === 'string' && x !== '')) return list as string[];
    this.problem(`${key}.${k}`, `expected a string or a list of non-empty strings, got ${describe(v)}`);
    return undefined;
  }

  oneOf<T extends string>(o: Raw, k: string, key: string, values: readonly T[], dflt: T): T {
    const v = o[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'string' && (values as readonly string[]).includes(v.toLowerCase())) return v.toLowerCase() as T;
    this.problem(`${key}.${k}`, `expected one of ${values.join(', ')}, got ${describe(v)}`);
    return dflt;
  }

  int(o: Raw, k: string, key: string, dflt: number, min = 1): number {
    const v = o[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return v;
    this.problem(`${key}.${k}`, `expected an integer ≥ ${min}, got ${describe(v)}`);
    return dflt;
  }

  duration(o: Raw, k: string, key: string, dflt: number): number {
    const v = o[k];
    if (v === undefined || v === null) return dflt;
    const ms = parseDuration(v);
    if (ms !== undefined) return ms;
    this.problem(`${key}.${k}`, `expected a duration such as "5s" or "250ms" (or a number of milliseconds), got ${describe(v)}`);
    return dflt;
  }

  size(o: Raw, k: string, key: string, dflt: number | undefined): number | undefined {
    const v = o[k];
    if (v === undefined || v === null) return dflt;
    const n = parseSize(v);
    if (n !== undefined) return n;
    this.problem(`${key}.${k}`, `expected a size such as "64MiB" or "512KB" (or a number of bytes), got ${describe(v)}`);
    return dflt;
  }

  priority(o: Raw, k: string, key: string): Priority | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    const p = typeof v === 'string' ? parsePriority(v) : undefined;
    if (p !== undefined) return p;
    this.problem(`${key}.${k}`, `expected a priority (emergency, alert, critical, error, warning, notice, informational, debug), got ${describe(v)}`);
    return undefined;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms", "5s", "1m30s", "2h", or a non-negative number of milliseconds. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
  return Math.round(total);
}

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, k: 1024, m: 1024 ** 2, g: 1024 ** 3,
};

/** "64MiB", "512KB", "1g", or a non-negative integer number of bytes. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
  if (m === null) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase() || 'b'];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

interface Defaults {
  readonly format: AlertFormat;
  readonly capacity: number;
  readonly policy: QueuePolicy;
  readonly batchSize: number;
  readonly dedup: readonly DedupSpec[];
}

function dedupList(r: Reader, v: unknown, key: string): DedupSpec[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    r.problem(key, `expected a list of { rules, key, window }, got ${describe(v)}`);
    return undefined;
  }
  const out: DedupSpec[] = [];
  v.forEach((item, i) => {
    const k = `${key}[${i}]`;
    const o = r.object(item, k, DEDUP_KEYS);
    if (o === undefined) return;
    if (o['window'] === undefined) r.problem(`${k}.window`, 'required: how long to keep one alert per key, e.g. "60s"');
    const windowMs = r.duration(o, 'window', k, 60_000);
    if (windowMs <= 0) r.problem(`${k}.window`, 'must be longer than 0');
    out.push({ rules: r.strings(o, 'rules', k) ?? ['*'], key: r.strings(o, 'key', k) ?? [], windowMs });
  });
  return out;
}

function common(r: Reader, o: Raw, key: string, d: Defaults, name: string): CommonOutputConfig {
  const policy = r.oneOf<QueuePolicy>(o, 'policy', key, ['drop', 'block'], d.policy);
  return {
    name: r.string(o, 'name', key) ?? name,
    filter: {
      minPriority: r.priority(o, 'min_priority', key),
      tagsAny: r.strings(o, 'tags_any', key),
      tagsAll: r.strings(o, 'tags_all', key),
      rules: r.strings(o, 'rules', key),
      excludeRules: r.strings(o, 'exclude_rules', key),
    },
    capacity: r.int(o, 'queue_capacity', key, d.capacity),
    policy,
    batchSize: r.int(o, 'batch_size', key, d.batchSize),
    dedup: dedupList(r, o['dedup'], `${key}.dedup`) ?? d.dedup,
  };
}

function nats(r: Reader, o: Raw, key: string, d: Defaults, name: string): NatsOutputConfig {
  const N = OUTPUT_DEFAULTS.nats;
  const servers = r.strings(o, 'servers', key) ?? [...N.servers];
  for (const s of servers) {
    if (!/^(nats|tls|wss?):\/\/[^\s]+$|^[^\s:/]+(:\d+)?$/.test(s)) r.problem(`${key}.servers`, `not a NATS server URL: ${JSON.stringify(s)} (e.g. nats://host:4222)`);
  }
  const subject = r.string(o, 'subject', key) ?? DEFAULT_SUBJECT;
  const bad = checkSubjectTemplate(subject);
  if (bad !== undefined) r.problem(`${key}.subject`, bad);

  let tls: NatsOutputConfig['tls'];
  if (o['tls'] !== undefined && o['tls'] !== null) {
    const t = r.object(o['tls'], `${key}.tls`, TLS_KEYS);
    if (t !== undefined) {
      const caFile = r.string(t, 'ca_file', `${key}.tls`);
      const certFile = r.string(t, 'cert_file', `${key}.tls`);
      const keyFile = r.string(t, 'key_file', `${key}.tls`);
      if ((certFile === undefined) !== (keyFile === undefined)) r.problem(`${key}.tls`, 'cert_file and key_file go together (client certificate)');
      tls = {
        ...(caFile !== undefined ? { caFile } : {}),
        ...(certFile !== undefined ? { certFile } : {}),
        ...(keyFile !== undefined ? { keyFile } : {}),
        handshakeFirst: r.bool(t, 'handshake_first', `${key}.tls`, false),
      };
    }
  }

  let jetstream: NatsOutputConfig['jetstream'];
  const jsKey = `${key}.jetstream`;
  const js = r.object(o['jetstream'], jsKey, JS_KEYS);
  if (js !== undefined && r.bool(js, 'enabled', jsKey, o['jetstream'] !== undefined && o['jetstream'] !== null)) {
    const stream = r.string(js, 'stream', jsKey) ?? N.stream;
    if (!/^[^\s.*>/\\]+$/.test(stream)) r.problem(`${jsKey}.stream`, 'a stream name may not contain whitespace, ., *, >, / or \\');
    jetstream = {
      stream,
      createStream: r.bool(js, 'create_stream', jsKey, true),
      subjects: r.strings(js, 'subjects', jsKey) ?? [],
      duplicateWindowMs: r.duration(js, 'duplicate_window', jsKey, N.duplicateWindowMs),
      ackTimeoutMs: r.duration(js, 'ack_timeout', jsKey, N.ackTimeoutMs),
    };
  }

  const spKey = `${key}.spool`;
  const sp = r.object(o['spool'], spKey, SPOOL_KEYS) ?? {};
  const maxBytes = r.size(sp, 'max_size', spKey, N.spoolMaxBytes) as number;
  const segmentBytes = r.size(sp, 'segment_size', spKey, undefined);
  if (segmentBytes !== undefined && segmentBytes > maxBytes) r.problem(`${spKey}.segment_size`, 'must not exceed max_size');

  const user = r.string(o, 'user', key);
  const password = r.string(o, 'password', key);
  const token = r.string(o, 'token', key);
  const nkeySeedFile = r.string(o, 'nkey_seed_file', key);
  const credsFile = r.string(o, 'creds_file', key);
  const methods = [user !== undefined ? 'user' : '', token !== undefined ? 'token' : '', nkeySeedFile !== undefined ? 'nkey_seed_file' : '',
    credsFile !== undefined ? 'creds_file' : ''].filter((m) => m !== '');
  if (methods.length > 1) r.problem(key, `choose one authentication method, not ${methods.join(' and ')}`);
  if (password !== undefined && user === undefined) r.problem(`${key}.password`, 'needs user');

  const reconnectWaitMs = r.duration(o, 'reconnect_wait', key, N.reconnectWaitMs);
  const maxReconnectWaitMs = r.duration(o, 'max_reconnect_wait', key, N.maxReconnectWaitMs);
  if (maxReconnectWaitMs < reconnectWaitMs) r.problem(`${key}.max_reconnect_wait`, 'must be at least reconnect_wait');
  return {
    kind: 'nats',
    ...common(r, o, key, d, name),
    servers,
    subject,
    connectionName: r.string(o, 'connection_name', key) ?? 'peregrine',
    user,
    password,
    token,
    nkeySeedFile,
    credsFile,
    tls,
    jetstream,
    spool: { dir: r.string(sp, 'dir', spKey), maxBytes, segmentBytes, fsync: r.bool(sp, 'fsync', spKey, false) },
    reconnectWaitMs,
    maxReconnectWaitMs,
    connectTimeoutMs: r.duration(o, 'connect_timeout', key, N.connectTimeoutMs),
    pingIntervalMs: r.duration(o, 'ping_interval', key, N.pingIntervalMs),
    confirmTimeoutMs: r.duration(o, 'confirm_timeout', key, N.confirmTimeoutMs),
  };
}

/** One output kind's entries: a single mapping or a list of them; keys like outputs.file or outputs.file[1]. */
function entries(r: Reader, v: unknown, key: string, allowed: readonly string[]): { o: Raw; key: string; index: number }[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    return v.flatMap((item, i) => {
      const o = r.object(item, `${key}[${i}]`, allowed);
      return o === undefined ? [] : [{ o, key: `${key}[${i}]`, index: i }];
    });
  }
  const o = r.object(v, key, allowed);
  return o === undefined ? [] : [{ o, key, index: 0 }];
}

export interface OutputsConfigResult {
  readonly config: OutputsConfig;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Validates the `outputs` section (the parsed YAML value; undefined means all defaults: stdout only).
 * Always returns a usable config (defaults where values were bad) plus the problems found.
 */
export function validateOutputsConfig(raw: unknown, keyPrefix = 'outputs'): OutputsConfigResult {
  const r = new Reader();
  const top = r.object(raw, keyPrefix, TOP_KEYS) ?? {};
  const d: Defaults = {
    format: r.oneOf<AlertFormat>(top, 'format', keyPrefix, ['text', 'json'], OUTPUT_DEFAULTS.format),
    capacity: r.int(top, 'queue_capacity', keyPrefix, OUTPUT_DEFAULTS.capacity),
    policy: r.oneOf<QueuePolicy>(top, 'policy', keyPrefix, ['drop', 'block'], OUTPUT_DEFAULTS.policy),
    batchSize: r.int(top, 'batch_size', keyPrefix, OUTPUT_DEFAULTS.batchSize),
    dedup: dedupList(r, top['dedup'], `${keyPrefix}.dedup`) ?? [],
  };
  const outputs: OutputConfig[] = [];
  const nameOf = (kind: string, index: number): string => (index === 0 ? kind : `${kind}#${index + 1}`);

  const stdoutRaw = top['stdout'] ?? { enabled: true };
  for (const { o, key, index } of entries(r, stdoutRaw, `${keyPrefix}.stdout`, STDOUT_KEYS)) {
    const enabled = r.bool(o, 'enabled', key, true);
    const c: StdoutOutputConfig = { kind: 'stdout', ...common(r, o, key, d, nameOf('stdout', index)), format: r.oneOf<AlertFormat>(o, 'format', key, ['text', 'json'], d.format) };
    if (enabled) outputs.push(c);
  }
  for (const { o, key, index } of entries(r, top['file'], `${keyPrefix}.file`, FILE_KEYS)) {
    const enabled = r.bool(o, 'enabled', key, true);
    const F = OUTPUT_DEFAULTS.file;
    const c: FileOutputConfig = {
      kind: 'file',
      ...common(r, o, key, d, nameOf('file', index)),
      format: r.oneOf<AlertFormat>(o, 'format', key, ['text', 'json'], d.format),
      path: r.string(o, 'path', key) ?? F.path,
      bufferBytes: r.size(o, 'buffer_size', key, F.bufferBytes) as number,
      flushIntervalMs: r.duration(o, 'flush_interval', key, F.flushIntervalMs),
      fsync: r.bool(o, 'fsync', key, false),
    };
    if (enabled) outputs.push(c);
  }
  for (const { o, key, index } of entries(r, top['nats'], `${keyPrefix}.nats`, NATS_KEYS)) {
    const enabled = r.bool(o, 'enabled', key, true);
    const c = nats(r, o, key, d, nameOf('nats', index));
    if (enabled) outputs.push(c);
  }

  const seen = new Map<string, string>();
  const spools = new Map<string, string>();
  const files = new Map<string, string>();
  for (const o of outputs) {
    const other = seen.get(o.name);
    if (other !== undefined) r.problem(`${keyPrefix}.${o.kind}`, `output name "${o.name}" is already used by a ${other} output; set distinct names`);
    seen.set(o.name, o.kind);
    if (o.kind === 'nats' && o.spool.dir !== undefined) {
      if (spools.has(o.spool.dir)) r.problem(`${keyPrefix}.nats`, `outputs "${spools.get(o.spool.dir) ?? ''}" and "${o.name}" share the spool dir ${o.spool.dir}`);
      spools.set(o.spool.dir, o.name);
    }
    if (o.kind === 'file') {
      if (files.has(o.path)) r.problem(`${keyPrefix}.file`, `outputs "${files.get(o.path) ?? ''}" and "${o.name}" write the same file ${o.path}`);
      files.set(o.path, o.name);
    }
  }
  return {
    config: {
      outputs,
      closeTimeoutMs: r.duration(top, 'close_timeout', keyPrefix, OUTPUT_DEFAULTS.closeTimeoutMs),
      dropReportIntervalMs: r.duration(top, 'drop_report_interval', keyPrefix, OUTPUT_DEFAULTS.dropReportIntervalMs),
    },
    problems: r.problems,
  };
}

/** validateOutputsConfig, throwing a ConfigError that lists every problem. */
export function parseOutputsConfig(raw: unknown, keyPrefix = 'outputs'): OutputsConfig {
  const { config, problems } = validateOutputsConfig(raw, keyPrefix);
  if (problems.length > 0) {
    throw new ConfigError(`invalid ${keyPrefix} configuration:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`);
  }
  return config;
}
