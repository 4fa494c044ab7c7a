// The contract between the rule loader (src/rules) and its consumers (engine, format, CLI): what a
// loaded, compiled rule is. The loader fills these in; nothing downstream re-parses rule text.

import type { Expr } from '../condition/ast.js';
import type { Predicate } from '../condition/compile.js';
import type { TypeSet } from '../condition/evttypes.js';
import type { Priority } from '../common/priority.js';
import type { Event } from '../event/types.js';

/** A rule output format compiled once at load (spec §4.1–4.2). */
export interface OutputTemplate {
  /** The format text after append_output and %container.info handling. */
  readonly text: string;
  /** Renders the message; unavailable values print `<NA>`. Control characters are not escaped here. */
  render(event: Event): string;
  /**
   * Falco's `output_fields`: token text (e.g. "proc.aname[2]") → typed JSON value, null when missing.
   * Fields wrapped in transformers are omitted (their inner plain fields are listed).
   */
  fields(event: Event): Record<string, unknown>;
  /** The field tokens, in template order, as they appear as `output_fields` keys. */
  readonly fieldNames: readonly string[];
}

export interface RuleLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface CompiledRule {
  /** Dense index in first-definition order across all files (the evaluation order). */
  readonly id: number;
  readonly name: string;
  readonly desc: string;
  readonly priority: Priority;
  readonly source: string;
  /** Sorted and de-duplicated. */
  readonly tags: readonly string[];
  enabled: boolean;
  /** The condition as written, after append/override (before exceptions, lists and macros). */
  readonly condition: string;
  /** The fully expanded condition (exceptions, lists, macros) in Falco's canonical form. */
  readonly expandedCondition: string;
  readonly ast: Expr;
  readonly test: Predicate;
  /** Event types the condition can match; the engine indexes the rule under these. */
  readonly eventTypes: TypeSet;
  readonly output: OutputTemplate;
  readonly exceptionFields: readonly string[];
  readonly capture: boolean;
  readonly captureDuration: number;
  readonly location: RuleLocation;
}
