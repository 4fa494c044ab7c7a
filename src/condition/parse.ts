// Parses Falco condition text into the AST using the Peggy parser generated from
// grammar/condition.peggy. Errors come back as ConditionSyntaxError with libsinsp's wording, the
// position inside the condition text, and a caret snippet.

import { parse as peggyParse, SyntaxError as PeggySyntaxError } from './generated/parser.js';
import type { Expr } from './ast.js';
import { ConditionSyntaxError } from '../common/errors.js';
import { positionAt } from '../common/location.js';

/** libsinsp's default nesting limit; Falco's rule loader raises it (see DEFAULT_RULE_MAX_DEPTH). */
export const DEFAULT_MAX_DEPTH = 100;
/** Nesting allowed in rule conditions: Falco sets the parser's limit to 1000 recursive calls. */
export const DEFAULT_RULE_MAX_DEPTH = 1000;

export interface ParseOptions {
  /** Maximum nesting of parentheses and transformers (default 100, as libsinsp). */
  readonly maxDepth?: number;
}

export function parseCondition(text: string, options: ParseOptions = {}): Expr {
  if (text.length === 0) {
    throw new ConditionSyntaxError('filter input string is empty', { offset: 0, line: 1, column: 1 }, text);
  }
  try {
    return peggyParse(text, { maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH });
  } catch (err) {
    if (err instanceof PeggySyntaxError) {
      const position = positionAt(text, err.location.start.offset);
      throw new ConditionSyntaxError(err.message, position, text);
    }
    if (err instanceof RangeError) {
      // Defence in depth: the grammar limits nesting, so this should be unreachable.
      throw new ConditionSyntaxError('condition is nested too deeply', { offset: 0, line: 1, column: 1 }, text);
    }
    throw err;
  }
}
