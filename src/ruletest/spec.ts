// The rule-test file model (`peregrine test`): what a parsed test file holds. A file has defaults
// (rules files, config, input format) and cases; a case names its events (inline or lines of a
// sample file) and what the rules must do with them. Parsing is in parse.ts, the format's reference
// in README "Testing rules".

import type { SelectionEntry } from '../rules/selection.js';
import type { RuleMatching } from '../rules/loaded.js';

/** A place in a test file (1-based line and column). */
export interface Where {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Input formats a case may use: the syscall decoders, and Kubernetes audit events. */
export type TestFormat = 'auto' | 'native' | 'falco-json' | 'sysdig' | 'tetragon' | 'tracee' | 'k8s_audit';
export const TEST_FORMATS: readonly TestFormat[] = ['auto', 'native', 'falco-json', 'sysdig', 'tetragon', 'tracee', 'k8s_audit'];

/** One input record of a case, with where it came from (for messages). */
export interface EventLine {
  readonly text: string;
  /** The sample file as written in the test file, or the test file itself for inline events. */
  readonly source: string;
  /** Line in `source`. */
  readonly line: number;
}

/** A group of records decoded by one decoder: an inline event, or a sample file's line range. */
export interface EventEntry {
  readonly kind: 'inline' | 'sample';
  /** "samples/x.jsonl:3-7" or "tests.yaml:12:9", for messages. */
  readonly label: string;
  readonly lines: readonly EventLine[];
  readonly where: Where;
}

export interface Expectation {
  readonly rule: string;
  /** Exactly this many alerts (0: the rule must not fire). */
  readonly count: number | undefined;
  /** At least this many alerts (the default, 1, when neither count nor at_least is given). */
  readonly atLeast: number | undefined;
  /** output_fields values at least one of the rule's alerts must have (null: the field is missing). */
  readonly outputFields: Readonly<Record<string, unknown>> | undefined;
  readonly where: Where;
}

export interface CaseConfig {
  /** Minimum rule priority loaded (Falco `priority:`). */
  readonly priority: string | undefined;
  /** Default `all` in tests, so that every rule is evaluated on every event. */
  readonly ruleMatching: RuleMatching;
  /** Falco `rules:` enable/disable entries. */
  readonly selection: readonly SelectionEntry[];
}

export interface TestCase {
  readonly name: string;
  readonly where: Where;
  /** Absolute rules paths (files, directories, globs); undefined: the runner's default rules. */
  readonly rulesFiles: readonly string[] | undefined;
  readonly config: CaseConfig;
  readonly format: TestFormat;
  readonly events: readonly EventEntry[];
  readonly expect: readonly Expectation[];
  /** No rule other than those expected to fire may fire. */
  readonly noOtherRules: boolean;
}

export interface TestFile {
  /** The path as given (for messages). */
  readonly path: string;
  readonly cases: readonly TestCase[];
}

/** A problem that makes a test file unusable (exit status 2). */
export interface TestFileProblem {
  readonly where: Where;
  readonly message: string;
  /** The source line with a caret, when known. */
  readonly snippet: string | undefined;
}

/** True when the expectation asks for the rule to fire. */
export function isPositive(e: Expectation): boolean {
  return e.count === undefined ? true : e.count > 0;
}
