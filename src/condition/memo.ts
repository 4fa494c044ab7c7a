// Per-event memoisation state shared by every compiled condition: which event is being evaluated
// (its evaluation stamp), and the slots in which shared fields and checks remember their value.
//
// Contract: a slot's value is valid while `slot.m === evaluation.t`. A predicate entering with an
// event object other than the last one starts a new stamp, and newEvaluation() forces a new stamp
// for the next call even with the same object (the engine calls it per event), so an event object
// that is reused or changed after newEvaluation() is never read stale. Callers that mutate an event
// between direct predicate calls must call newEvaluation() in between.

const NONE: unknown = Symbol('no event');

/** The global evaluation state: the current event and its stamp (a counter, exact up to 2^53). */
export interface EvaluationState {
  ev: unknown;
  t: number;
}

export const evaluation: EvaluationState = { ev: NONE, t: 1 };

/** Starts the evaluation of a new (or changed) event: remembered field values and check results lapse. */
export function newEvaluation(): void {
  evaluation.ev = NONE;
}

/** One remembered value: valid for the evaluation whose stamp is `m`. */
export interface Slot {
  m: number;
  v: unknown;
}

export function newSlot(): Slot {
  return { m: 0, v: undefined };
}
