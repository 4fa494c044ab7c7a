// The event sources of a live run, described by config entries or command-line flags, opened and
// driven into the detector: syscall streams (file, followed file, stdin, NATS subject, a sensor
// process) through decode → state, and Kubernetes audit events (webhook, audit log).

import { readFileSync } from 'node:fs';
import { ConfigError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { RateLimiter } from '../common/logger.js';
import { createDecoder, FORMATS, type FormatOption } from '../decode/index.js';
import { childProcessSource } from '../ingest/child.js';
import { readAuditLog } from '../ingest/k8s-audit-log.js';
import { startAuditWebhook, type AuditWebhookTls } from '../ingest/k8s-audit-webhook.js';
import { openNatsSource } from '../ingest/nats.js';
import type { EventSource, LineBatch } from '../ingest/types.js';
import { startEbpfSensor } from '../ingest/ebpf.js';
import { seedFromProc } from '../state/proc-scan.js';
import { syscallCounters } from './source-counters.js';
import { StateTracker, type StateOptions } from '../state/tracker.js';
import { auditCounters } from './audit-counters.js';
import { forEachEvent, openInput } from './inputs.js';
import type { Session } from './session.js';

export type LiveSourceSpec =
  | { readonly type: 'file'; readonly path: string; readonly follow: boolean; readonly format: FormatOption }
  | { readonly type: 'stdin'; readonly format: FormatOption }
  | { readonly type: 'nats'; readonly url: string; readonly subject: string; readonly queue?: string; readonly format: FormatOption }
  | { readonly type: 'command'; readonly command: readonly string[]; readonly format: FormatOption; readonly scanProc?: boolean }
  | { readonly type: 'ebpf'; readonly scanProc?: boolean }
  | { readonly type: 'k8s_audit_webhook'; readonly host?: string; readonly port: number; readonly path?: string; readonly tls?: { cert: string; key: string; ca?: string } }
  | { readonly type: 'k8s_audit_file'; readonly path: string; readonly follow: boolean };

export function describeSource(s: LiveSourceSpec): string {
  switch (s.type) {
    case 'file': return `${s.follow ? 'followed ' : ''}file ${s.path}`;
    case 'stdin': return 'stdin';
    case 'nats': return `nats ${s.url} ${s.subject}${s.queue ? ` (queue ${s.queue})` : ''}`;
    case 'command': return `process ${s.command.join(' ')}`;
    case 'ebpf': return 'ebpf sensor';
    case 'k8s_audit_webhook': return `k8s audit webhook ${s.tls ? 'https' : 'http'}://${s.host ?? '0.0.0.0'}:${s.port}${s.path ?? '/k8s-audit'}`;
    case 'k8s_audit_file': return `k8s audit log ${s.path}${s.follow ? ' (followed)' : ''}`;
  }
}

function formatOf(v: unknown): FormatOption {
  const f = v === undefined ? 'auto' : String(v);
  if (f !== 'auto' && !FORMATS.includes(f as never)) throw new ConfigError(`unknown input format '${f}' (known: auto, ${FORMATS.join(', ')})`);
  return f as FormatOption;
}

function scanProcOf(e: Record<string, unknown>, where: string): { scanProc?: boolean } {
  const v = e['scan_proc'];
  if (v === undefined) return {};
  if (typeof v !== 'boolean') throw new ConfigError(`${where}.scan_proc: expected true or false`);
  return { scanProc: v };
}

/** Reads `sources:` entries of peregrine.yaml. */
export function sourcesFromConfig(entries: readonly Record<string, unknown>[]): LiveSourceSpec[] {
  return entries.map((e, i) => {
    const where = `sources[${i}]`;
    const need = (k: string): string => {
      const v = e[k];
      if (typeof v !== 'string' || v === '') throw new ConfigError(`${where}.${k}: required for a ${String(e['type'])} source`);
      return v;
    };
    switch (e['type']) {
      case 'file': return { type: 'file', path: need('path'), follow: e['follow'] === true, format: formatOf(e['format']) };
      case 'stdin': return { type: 'stdin', format: formatOf(e['format']) };
      case 'nats': return { type: 'nats', url: need('url'), subject: need('subject'), ...(typeof e['queue'] === 'string' ? { queue: e['queue'] } : {}), format: formatOf(e['format']) };
      case 'command': {
        const cmd = e['command'];
        if (!Array.isArray(cmd) || cmd.length === 0) throw new ConfigError(`${where}.command: a list with the command and its arguments`);
        return { type: 'command', command: cmd.map(String), format: formatOf(e['format']), ...scanProcOf(e, where) };
      }
      case 'k8s_audit_file': return { type: 'k8s_audit_file', path: need('path'), follow: e['follow'] === true };
      case 'ebpf': return { type: 'ebpf', ...scanProcOf(e, where) };
      case 'k8s_audit_webhook': {
        const port = Number(e['port'] ?? 9765);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${where}.port: expected a port number`);
        const tls = e['tls'] as Record<string, string> | undefined;
        return {
          type: 'k8s_audit_webhook', port,
          ...(typeof e['host'] === 'string' ? { host: e['host'] } : {}),
          ...(typeof e['path'] === 'string' ? { path: e['path'] } : {}),
          ...(tls !== undefined ? { tls: { cert: String(tls['cert_file']), key: String(tls['key_file']), ...(tls['ca_file'] ? { ca: String(tls['ca_file']) } : {}) } } : {}),
        };
      }
      default:
        throw new ConfigError(`${where}.type: '${String(e['type'])}' is not a source type usable by run (file, stdin, nats, command, ebpf, k8s_audit_webhook, k8s_audit_file)`);
    }
  });
}

export interface DriveOptions {
  readonly session: Session;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly state: StateOptions;
  readonly decode: { readonly keepEnter: boolean; readonly maxLineBytes: number };
  /** Called once a source is open and reading (readiness). */
  readonly onReady: (name: string) => void;
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

/** Runs one source until it ends or the signal aborts; events go to the session's detector. */
export async function driveSource(spec: LiveSourceSpec, o: DriveOptions): Promise<void> {
  const name = describeSource(spec);
  const { session, logger, signal } = o;
  const limiter = new RateLimiter(10, 10_000);
  const log = (m: string): void => {
    if (limiter.allow()) logger.warn({ source: name, suppressed: limiter.takeSuppressed() }, m);
  };
  const syscall = async (source: EventSource, format: FormatOption, scanProc = false): Promise<void> => {
    const decoder = createDecoder(format, { keepEnter: o.decode.keepEnter, log, sourceName: name, eventTypes: session.eventTypes });
    const tracker = new StateTracker(o.state);
    session.addSource(name, () => ({ name, counters: syscallCounters(decoder.stats, tracker.stats()) }));
    if (scanProc) {
      // Processes older than the capture: their parents, cwd, cmdline and container (as Falco's /proc scan).
      const r = seedFromProc(tracker, { maxProcesses: o.state.maxProcesses });
      logger.info({ source: name, processes: r.seeded, skipped: r.skipped, truncated: r.truncated, ms: r.ms }, 'process table seeded from /proc');
    }
    o.onReady(name);
    await forEachEvent({ source, decoder }, tracker, session.detector.handle, { signal });
  };
  const lineOptions = { maxLineBytes: o.decode.maxLineBytes };
  switch (spec.type) {
    case 'file':
    case 'stdin': {
      const input = await openInput({
        path: spec.type === 'stdin' ? '-' : spec.path, format: spec.format, follow: spec.type === 'file' && spec.follow,
        fields: session.fields(), keepEnter: o.decode.keepEnter, eventTypes: session.eventTypes, maxLineBytes: o.decode.maxLineBytes, signal, log,
      });
      const tracker = new StateTracker(o.state);
      session.addSource(name, () => ({ name, counters: syscallCounters(input.decoder.stats, tracker.stats()) }));
      o.onReady(name);
      await forEachEvent(input, tracker, session.detector.handle, { signal });
      return;
    }
    case 'nats': {
      const source = await openNatsSource({ servers: spec.url.split(',').map((s) => s.trim()), subject: spec.subject, ...(spec.queue ? { queue: spec.queue } : {}), signal, ...lineOptions });
      try {
        await syscall(source, spec.format);
      } finally {
        await source.close();
      }
      return;
    }
    case 'command': {
      const [cmd, ...args] = spec.command;
      const source = childProcessSource(cmd as string, args, { ...lineOptions, signal, onStderr: (t) => log(`${cmd}: ${t.trim()}`) });
      await syscall(source, spec.format, spec.scanProc === true);
      return;
    }
    case 'ebpf': {
      const sensor = startEbpfSensor({ onNotice: (t) => log(`bpftrace: ${t}`) });
      session.addSource(name, () => {
        const st = sensor.stats();
        return { name, counters: { events_total: st.events, lost_total: st.lost, late_total: st.late, malformed_total: st.malformed, queued: st.queued, probes: st.probes } };
      });
      const stop = (): void => void sensor.stop();
      signal.addEventListener('abort', stop, { once: true });
      logger.info({ source: name }, 'starting the eBPF sensor (compiling and attaching probes takes a few seconds)');
      try {
        await sensor.ready;
        const missing = sensor.stats().missingTracepoints;
        logger.info({ source: name, probes: sensor.stats().probes, ...(missing.length > 0 ? { missingTracepoints: missing } : {}) }, 'eBPF sensor ready');
        // Scanned once every probe is attached: a process started before is in /proc, one started
        // after has its events queued behind the scan (which they update).
        await syscall(linesToBatches(sensor.lines), 'native', spec.scanProc !== false);
      } finally {
        signal.removeEventListener('abort', stop);
        await sensor.stop();
      }
      return;
    }
    case 'k8s_audit_file': {
      const auditLog = readAuditLog(spec.path, { follow: spec.follow, signal });
      session.addSource(name, () => ({ name, counters: auditCounters(auditLog.stats()) }));
      o.onReady(name);
      for await (const ev of auditLog) {
        const wait = session.detector.handle(ev);
        if (wait !== undefined) await wait;
      }
      return;
    }
    case 'k8s_audit_webhook': {
      const tls: AuditWebhookTls | undefined = spec.tls === undefined ? undefined : {
        cert: readPem(spec.tls.cert, 'TLS certificate'), key: readPem(spec.tls.key, 'TLS key'),
        ...(spec.tls.ca !== undefined ? { ca: readPem(spec.tls.ca, 'client CA') } : {}),
      };
      const hook = await startAuditWebhook({
        port: spec.port, ...(spec.host !== undefined ? { host: spec.host } : {}), ...(spec.path !== undefined ? { path: spec.path } : {}),
        ...(tls !== undefined ? { tls } : {}), onProblem: (kind, message) => log(`${kind}: ${message}`),
      });
      const stop = (): void => void hook.close();
      signal.addEventListener('abort', stop, { once: true });
      session.addSource(name, () => {
        const s = hook.stats() as unknown as Record<string, unknown>;
        return { name, counters: Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'number')) as Record<string, number> };
      });
      logger.info({ source: name, port: hook.port }, 'k8s audit webhook listening');
      o.onReady(name);
      try {
        for await (const ev of hook.events) {
          const wait = session.detector.handle(ev);
          if (wait !== undefined) await wait;
        }
      } finally {
        signal.removeEventListener('abort', stop);
        await hook.close();
      }
      return;
    }
  }
}

/** Adapts a stream of single lines (the eBPF sensor's) to the line-batch contract of sources. */
function linesToBatches(lines: AsyncIterable<string>): EventSource {
  return {
    name: 'ebpf sensor',
    async *[Symbol.asyncIterator](): AsyncIterator<LineBatch> {
      let n = 1;
      for await (const line of lines) yield { items: [line], firstLine: n++ };
    },
  };
}
