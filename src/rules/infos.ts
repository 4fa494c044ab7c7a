// The loader's internal records of what the rule files define, as the reader decodes them and the
// collector merges them (Falco's list_info / macro_info / rule_info / rule_update_info).

import type { Scalar } from 'yaml';
import type { Priority } from '../common/priority.js';
import type { MappedText } from './text-map.js';
import type { Ctx, Src } from './yaml.js';

/** A scalar or a (nested) sequence inside an exception's fields/comps/values. */
export interface ExEntry {
  readonly isList: boolean;
  /** The scalar text (when !isList). */
  readonly item: string;
  readonly items: readonly ExEntry[];
  readonly src: Src;
  /** The YAML scalar, for precise positions (undefined for sequences). */
  readonly node?: Scalar;
  readonly offset: number;
}

export interface ExceptionInfo {
  readonly name: string;
  readonly fields?: ExEntry;
  readonly comps?: ExEntry;
  readonly values: ExEntry[];
  readonly ctx: Ctx;
}

interface Indexed {
  /** First-definition index (the slot); shared counter across lists, macros and rules. */
  index: number;
  /** Index of the latest define/append/replace. */
  visibility: number;
  /** File of the first definition. */
  firstFile: number;
}

export interface ListInfo extends Indexed {
  readonly name: string;
  items: string[];
  ctx: Ctx;
  /** Every item that defined, appended to or replaced this list. */
  history: Ctx[];
}

export interface MacroInfo extends Indexed {
  readonly name: string;
  cond: MappedText;
  ctx: Ctx;
  condCtx: Ctx;
  history: Ctx[];
}

/** The condition of a rule as it stood at the end of one file (Falco compiles after every file). */
export interface CondState {
  readonly fileIndex: number;
  readonly cond: MappedText;
  readonly ctx: Ctx;
}

export interface RuleInfo extends Indexed {
  readonly name: string;
  source: string;
  cond: MappedText;
  condCtx: Ctx;
  output: MappedText;
  outputCtx: Ctx;
  desc: string;
  priority: Priority;
  enabled: boolean;
  tags: Set<string>;
  exceptions: ExceptionInfo[];
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  capture: boolean;
  captureDuration: number;
  ctx: Ctx;
  history: Ctx[];
  condStates: CondState[];
}

/** An `append: true` or `override:` item for a rule: only the keys it names are set. */
export interface RuleUpdate {
  readonly name: string;
  readonly ctx: Ctx;
  source?: string;
  cond?: MappedText;
  condCtx?: Ctx;
  output?: MappedText;
  outputCtx?: Ctx;
  desc?: string;
  tags?: Set<string>;
  exceptions?: ExceptionInfo[];
  priority?: Priority;
  enabled?: boolean;
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
  capture?: boolean;
  captureDuration?: number;
}

export interface EngineRequirement {
  readonly version: string;
  readonly ctx: Ctx;
}

export interface PluginAlternative {
  readonly name: string;
  readonly version: string;
}

export interface PluginRequirement {
  readonly alternatives: readonly PluginAlternative[];
  readonly ctx: Ctx;
}
