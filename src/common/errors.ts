// Error classes: one per failure kind, each with a stable `code` and an optional cause. Load-time
// problems are collected (see load-result.ts) rather than thrown; these classes are for the few
// places that must fail (bad CLI usage, unreadable config, a failed condition parse).

import type { Position } from './location.js';

export class PeregrineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A condition or output template that does not parse; `position` is relative to its text. */
export class ConditionSyntaxError extends PeregrineError {
  readonly position: Position;
  readonly text: string;
  constructor(message: string, position: Position, text: string) {
    super('LOAD_ERR_COMPILE_CONDITION', message);
    this.position = position;
    this.text = text;
  }
}

/** A condition that parses but does not compile: unknown field, operator/type mismatch, bad value. */
export class ConditionCompileError extends PeregrineError {
  readonly position: Position | undefined;
  constructor(message: string, position?: Position, code = 'LOAD_ERR_COMPILE_CONDITION') {
    super(code, message);
    this.position = position;
  }
}

/** Invalid command-line usage or configuration. */
export class UsageError extends PeregrineError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export class ConfigError extends PeregrineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}
