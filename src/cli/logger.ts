// Peregrine's own logs: pino on stderr. JSON lines by default (for log collectors); on a terminal a
// compact human form ("12:00:01 WARN message key=value"). Alerts never go through the logger.

import { pino } from 'pino';
import type { Logger } from '../common/logger.js';

export interface CliLogger extends Logger {
  flush(): void;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'name', 'msg', 'pid', 'hostname']);

/** Turns one pino JSON line into "HH:MM:SS LEVEL msg k=v …". */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const t = typeof o['time'] === 'string' ? o['time'].slice(11, 19) : '';
  const level = LEVELS[o['level'] as number] ?? String(o['level']);
  const extra = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (v.includes('\n') ? `\n${v}` : v) : JSON.stringify(v)}`)
    .join(' ');
  return `${t} ${level.padEnd(5)} ${String(o['msg'] ?? '')}${extra ? ` ${extra}` : ''}\n`;
}

export function createLogger(level: string, options: { pretty?: boolean } = {}): CliLogger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const dest = pretty
    ? { write: (line: string): void => { process.stderr.write(prettyLine(line)); } }
    : pino.destination({ dest: 2, sync: true });
  const logger = pino({ level, base: { name: 'peregrine' }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
  return {
    error: (o, m) => logger.error(o, m),
    warn: (o, m) => logger.warn(o, m),
    info: (o, m) => logger.info(o, m),
    debug: (o, m) => logger.debug(o, m),
    flush: () => logger.flush(),
  };
}
