// What the loader hands to its consumers (engine, CLI): the compiled rules (CompiledRule, see
// types.ts), the macros and lists with their use, the per-file load results, and what the rule files
// and the selection asked of the engine.

import type { LoadResult } from '../common/load-result.js';
import type { Priority } from '../common/priority.js';
import type { CompiledRule, RuleLocation } from './types.js';

export interface MacroSummary {
  readonly name: string;
  /** The condition as written, after appends. */
  readonly condition: string;
  /** The macro fully expanded, in Falco's canonical form (undefined when it did not compile). */
  readonly expanded: string | undefined;
  readonly used: boolean;
  readonly location: RuleLocation;
}

export interface ListSummary {
  readonly name: string;
  /** Items as written, after appends (before list-in-list expansion). */
  readonly items: readonly string[];
  readonly used: boolean;
  readonly location: RuleLocation;
}

export interface ExceptionSummary {
  readonly name: string;
  /** A field name (scalar form) or a list of field names (tuple form). */
  readonly fields: string | readonly string[];
  readonly comps: string | readonly string[];
  /** Values as written: scalars, or tuples whose elements may themselves be lists. */
  readonly values: readonly unknown[];
}

export interface RuleDetails {
  readonly name: string;
  readonly source: string;
  readonly priority: Priority;
  readonly desc: string;
  readonly enabled: boolean;
  readonly tags: readonly string[];
  /** The condition as written, after appends and overrides. */
  readonly condition: string;
  readonly exceptions: readonly ExceptionSummary[];
  /** The full definition in effect. */
  readonly definedAt: RuleLocation;
  /** Every item that defined, appended to, overrode or enabled the rule, in load order. */
  readonly history: readonly RuleLocation[];
}

/** A rule that is defined but not compiled. */
export interface SkippedRule {
  readonly name: string;
  readonly source: string;
  readonly priority: Priority;
  readonly enabled: boolean;
  readonly tags: readonly string[];
  /** unknown-source: no registry for its source; unknown-filter: skip-if-unknown-filter applied; error: failed to compile. */
  readonly reason: 'unknown-source' | 'unknown-filter' | 'error';
  readonly location: RuleLocation;
}

export type RuleMatching = 'first' | 'all';

export interface RequiredPlugin {
  readonly alternatives: ReadonlyArray<{ readonly name: string; readonly version: string }>;
  readonly location: RuleLocation;
}

export interface LoadedRules {
  /** Compiled rules visible at the priority threshold, in first-definition order (`id` = index). */
  readonly rules: readonly CompiledRule[];
  readonly skipped: readonly SkippedRule[];
  readonly details: ReadonlyMap<string, RuleDetails>;
  readonly macros: readonly MacroSummary[];
  readonly lists: readonly ListSummary[];
  /** One result per rules file (load order), plus entries for paths that matched nothing. */
  readonly results: readonly LoadResult[];
  /** True when no file has an error. */
  readonly successful: boolean;
  readonly errorCount: number;
  readonly warningCount: number;
  readonly ruleMatching: RuleMatching;
  readonly priority: Priority;
  /** The files loaded, in order. */
  readonly files: readonly string[];
  /** The highest required_engine_version seen, as x.y.z. */
  readonly requiredEngineVersion: string | undefined;
  readonly requiredPlugins: readonly RequiredPlugin[];
}
