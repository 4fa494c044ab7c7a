// The contract between the fan-out and the sinks (stdout, file, NATS, …): a sink takes ordered
// batches of alerts, one batch at a time, and keeps its own delivery counters. Everything about
// queues, filters, drops and isolation lives in the fan-out, so a sink is only about its medium.

import type { Alert } from '../format/alert.js';
import type { InternalAlertSpec } from '../format/internal.js';

/** The subset of pino's API the outputs log through (the CLI hands down its pino logger). */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Why a sink stopped for good: its reader went away (EPIPE) or it failed beyond recovery. */
export type StopReason = 'broken-pipe' | 'error';

export interface SinkHooks {
  /** The output's configured name, for log lines. */
  readonly name: string;
  readonly logger: Logger;
  /** Announces a problem (e.g. alerts lost) as an internal alert on the other outputs; rate-limit first. */
  notice(spec: InternalAlertSpec): void;
  /** A sink calls this once when it can never deliver again; the fan-out then discards its alerts. */
  stopped(reason: StopReason, error?: Error): void;
}

/** Counters and gauges a sink reports; `sent` and `failed` are monotonic counters. */
export interface SinkStats {
  /** Alerts delivered: written to the stream or file descriptor, or confirmed by the NATS server. */
  readonly sent: number;
  /** Alerts this sink lost to errors. */
  readonly failed: number;
  /** Sink-specific numbers, e.g. spool depth or connection state (1/0). Keys are snake_case. */
  readonly extra?: Readonly<Record<string, number>>;
}

export interface AlertSink {
  readonly type: string;
  /**
   * Prepares the sink. Fails fast on configuration problems (unwritable file, unreadable TLS key) but
   * never waits for a remote peer or a FIFO reader: those connect in the background.
   */
  open(hooks: SinkHooks): Promise<void>;
  /**
   * Takes one batch, in order. Resolves once the sink has taken responsibility for it (written,
   * buffered, published or spooled); the fan-out never calls write again before that.
   * Should not throw; a throw counts the whole batch as failed.
   */
  write(batch: readonly Alert[]): Promise<void>;
  /** Pushes buffered alerts to the medium (file buffer to disk, NATS publishes confirmed). */
  flush(): Promise<void>;
  /** Reopens the medium (file outputs on SIGUSR1, for log rotation). */
  reopen?(): Promise<void>;
  /** Flushes and releases everything; the sink is not used afterwards. */
  close(): Promise<void>;
  stats(): SinkStats;
}

export type AlertFormat = 'text' | 'json';

/** The wire line of an alert for text/JSON outputs (without the newline). */
export function alertLine(alert: Alert, format: AlertFormat): string {
  return format === 'json' ? alert.json() : alert.text();
}

/** A batch as newline-terminated lines, ready for one write. */
export function alertLines(batch: readonly Alert[], format: AlertFormat): string {
  let s = '';
  for (const a of batch) s += `${alertLine(a, format)}\n`;
  return s;
}
