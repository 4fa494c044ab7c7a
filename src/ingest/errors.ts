// Failures of a whole source (not of one record, which decoders count instead): a missing sysdig
// binary, a capture sysdig cannot read, a child process that died, an unreachable NATS server.

import { PeregrineError } from '../common/errors.js';

export type SourceErrorCode =
  | 'SOURCE_OPEN'
  | 'SOURCE_SYSDIG_MISSING'
  | 'SOURCE_SCAP_UNREADABLE'
  | 'SOURCE_SYSDIG_FORMAT'
  | 'SOURCE_CHILD_FAILED'
  | 'SOURCE_NATS';

export class SourceError extends PeregrineError {
  constructor(code: SourceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
