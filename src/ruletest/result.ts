// What running one rule-test case produces, for the reporters (text, JUnit) and coverage.

import type { NearMiss } from './closest.js';
import type { CaseOutcome } from './outcome.js';
import type { TestCase } from './spec.js';

/** Why an expected rule did not fire (enough): its closest event, or why it never ran. */
export interface Diagnosis {
  readonly rule: string;
  /** Set when the rule could not have fired at all (disabled, not loaded, no events of its types). */
  readonly note: string | undefined;
  /** Events the rule was evaluated on (its source and event types). */
  readonly candidates: number;
  readonly nearMiss: NearMiss | undefined;
}

export interface CaseResult {
  readonly testCase: TestCase;
  readonly passed: boolean;
  /** Problems that stopped the case from running or made it fail outright (rules that did not load, bad records). */
  readonly errors: readonly string[];
  /** Undefined when the case could not run. */
  readonly outcome: CaseOutcome | undefined;
  readonly diagnoses: readonly Diagnosis[];
  readonly events: number;
  readonly alerts: number;
  readonly ms: number;
}

/** A test file that could be parsed and run, or the problems that stopped it. */
export interface FileResult {
  readonly path: string;
  readonly cases: readonly CaseResult[];
  /** Problems in the test file itself (it was not run). */
  readonly problems: readonly string[];
}
