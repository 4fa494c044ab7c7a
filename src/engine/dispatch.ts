// Evaluation of one bucket of candidate rules (the enabled rules for one event type): one function
// generated per bucket (src/condition/codegen.ts, generateDispatcher). For events whose values are
// all derived (no source-given values: every native and eBPF event) it holds every candidate's
// condition, specialised to the bucket's type (checks on evt.type folded away; rules the type alone
// decides cost nothing), each field extracted at most once per event into a local and each shared
// sub-expression computed at most once; other events call each rule's predicate from a call site
// of its own (direct calls: one indirect call site shared by all rules cost about as much as a
// typical rule). Where code generation is unavailable it is a plain loop over the predicates.

import { generateDispatcher } from '../condition/codegen.js';
import { planForEventType } from '../condition/compile.js';
import type { Event } from '../event/types.js';
import type { CompiledRule } from '../rules/types.js';

/**
 * Evaluates the candidates in order: counts an evaluation per rule in `evals` (by rule id), and for
 * each match counts it in `hits` and appends the rule to `out`; with `first`, stops at the first match.
 */
export type Dispatch = (ev: Event, out: CompiledRule[], first: boolean, evals: Float64Array, hits: Float64Array) => void;

/** The evaluator of the candidates `rules` of events of `type` (in evaluation order). */
export function dispatcherFor(rules: readonly CompiledRule[], type: string): Dispatch {
  const entries = rules.map((rule) => ({ test: rule.test, derived: planForEventType(rule.test, type), item: rule, id: rule.id }));
  return (generateDispatcher(entries) as Dispatch | undefined) ?? loop(rules);
}

function loop(rules: readonly CompiledRule[]): Dispatch {
  return (ev, out, first, evals, hits) => {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      evals[rule.id]!++;
      if ((rule.test as (e: Event) => boolean)(ev)) {
        hits[rule.id]!++;
        out.push(rule);
        if (first) return;
      }
    }
  };
}
