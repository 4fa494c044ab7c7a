// Peregrine's own logs: pino, JSON lines on stderr. Alerts never go through the logger.

import { pino } from 'pino';
import type { Logger } from '../common/logger.js';

export interface CliLogger extends Logger {
  flush(): void;
}

export function createLogger(level: string): CliLogger {
  const logger = pino(
    { level, base: { name: 'peregrine' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 2, sync: true }),
  );
  return {
    error: (o, m) => logger.error(o, m),
    warn: (o, m) => logger.warn(o, m),
    info: (o, m) => logger.info(o, m),
    debug: (o, m) => logger.debug(o, m),
    flush: () => logger.flush(),
  };
}
