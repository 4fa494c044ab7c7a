// Builds the fan-out and its sinks from a validated `outputs` configuration. The CLI calls this once
// (policy 'block' for offline replay so nothing is lost, the configured policy for live runs).

import type { FormatOptions } from '../format/options.js';
import type { OutputConfig, OutputsConfig } from './config.js';
import { AlertFanout, type OutputSpec } from './fanout.js';
import { FileSink } from './file.js';
import { NatsSink } from './nats.js';
import { DiskSpool, MemorySpool, type Spool } from './spool.js';
import { StdoutSink } from './stdout.js';
import type { AlertSink, Logger } from './types.js';

export interface CreateOutputsOptions {
  readonly logger?: Logger;
  /** Hostname and time format, for internal alerts. */
  readonly format: Pick<FormatOptions, 'hostname' | 'timeFormatIso8601'>;
  /** Overrides every output's queue policy (replay: 'block'). */
  readonly policy?: 'drop' | 'block';
  /** Where stdout outputs write. Default process.stdout. */
  readonly stdout?: NodeJS.WritableStream;
}

export function createSink(c: OutputConfig, o: CreateOutputsOptions, policy: 'drop' | 'block'): AlertSink {
  switch (c.kind) {
    case 'stdout':
      return new StdoutSink({ format: c.format, ...(o.stdout !== undefined ? { stream: o.stdout } : {}) });
    case 'file':
      return new FileSink({ path: c.path, format: c.format, bufferBytes: c.bufferBytes, flushIntervalMs: c.flushIntervalMs, fsync: c.fsync });
    case 'nats': {
      const spool: Spool = c.spool.dir !== undefined
        ? new DiskSpool(c.spool.dir, { maxBytes: c.spool.maxBytes, ...(c.spool.segmentBytes !== undefined ? { segmentBytes: c.spool.segmentBytes } : {}), fsync: c.spool.fsync })
        : new MemorySpool(c.spool.maxBytes);
      return new NatsSink({
        servers: c.servers,
        subject: c.subject,
        name: c.connectionName,
        auth: { user: c.user, password: c.password, token: c.token, nkeySeedFile: c.nkeySeedFile, credsFile: c.credsFile },
        tls: c.tls,
        jetstream: c.jetstream,
        spool,
        blockWhenSpoolFull: policy === 'block',
        reconnectWaitMs: c.reconnectWaitMs,
        maxReconnectWaitMs: c.maxReconnectWaitMs,
        connectTimeoutMs: c.connectTimeoutMs,
        pingIntervalMs: c.pingIntervalMs,
        confirmTimeoutMs: c.confirmTimeoutMs,
      });
    }
  }
}

/** Constructs (but does not open) the outputs; call `await outputs.open()` next. */
export function createOutputs(config: OutputsConfig, options: CreateOutputsOptions): AlertFanout {
  const specs: OutputSpec[] = config.outputs.map((c) => {
    const policy = options.policy ?? c.policy;
    return {
      name: c.name,
      sink: createSink(c, options, policy),
      capacity: c.capacity,
      policy,
      batchSize: c.batchSize,
      filter: c.filter,
      dedup: c.dedup,
    };
  });
  return new AlertFanout(specs, {
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    format: options.format,
    dropReportIntervalMs: config.dropReportIntervalMs,
    closeTimeoutMs: config.closeTimeoutMs,
  });
}
