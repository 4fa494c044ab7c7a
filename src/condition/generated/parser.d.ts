// Types for the Peggy-generated parser (parser.js is generated at build time from grammar/condition.peggy).
import type { Expr } from '../ast.js';

export interface PeggyLocation {
  source?: unknown;
  start: { offset: number; line: number; column: number };
  end: { offset: number; line: number; column: number };
}

export declare class SyntaxError extends Error {
  location: PeggyLocation;
  expected: unknown;
  found: string | null;
}

export declare function parse(input: string, options?: { maxDepth?: number; grammarSource?: unknown }): Expr;
