// "Why didn't my rule fire?" for a failing test: among the events a rule was evaluated on, finds the
// one that came closest to matching — the most top-level conditions (the rule's AND-ed clauses,
// exceptions included) true, and among those the longest run of true clauses from the start, so
// that an event stopped only by an exception beats one that is not what the rule looks for — and
// keeps the explanation tree of the rule on that event. Events must be offered as they are applied
// to the state (explanations read live state).

import type { Expr } from '../condition/ast.js';
import { compileCondition } from '../condition/compile.js';
import { typeSetHas } from '../condition/evttypes.js';
import { explainCondition, type ExplainNode } from '../condition/explain.js';
import type { Event } from '../event/types.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { CompiledRule } from '../rules/types.js';

/** The AND-ed clauses of a condition: nested ANDs flattened. */
export function conjuncts(expr: Expr): Expr[] {
  if (expr.kind !== 'and') return [expr];
  return expr.children.flatMap(conjuncts);
}

export interface NearMiss {
  readonly source: string;
  readonly line: number;
  readonly eventType: string;
  /** Clauses that held, of `total`. */
  readonly held: number;
  /** Clauses that held before the first that did not (rules read "what, then qualifiers, then exceptions"). */
  readonly leading: number;
  readonly total: number;
  readonly tree: ExplainNode;
}

type Test = (ev: Event) => boolean;

export class ClosestEvent {
  /** Events of the rule's source and event types (the ones the engine evaluates it on). */
  candidates = 0;
  private best: NearMiss | undefined;
  private readonly clauses: Test[];

  constructor(
    readonly rule: CompiledRule,
    private readonly registry: FieldRegistry,
  ) {
    this.clauses = conjuncts(rule.ast).map((c) => {
      try {
        return compileCondition(c, registry).test as Test;
      } catch {
        return () => false;
      }
    });
  }

  consider(ev: Event, source: string, line: number): void {
    if (ev.source !== this.rule.source || !typeSetHas(this.rule.eventTypes, ev.type)) return;
    this.candidates++;
    let held = 0;
    let leading = -1;
    for (let i = 0; i < this.clauses.length; i++) {
      let ok = false;
      try {
        ok = (this.clauses[i] as Test)(ev);
      } catch {
        // a failing clause counts as not holding
      }
      if (ok) held++;
      else if (leading < 0) leading = i;
    }
    if (leading < 0) leading = this.clauses.length;
    const best = this.best;
    if (best !== undefined && (held < best.held || (held === best.held && leading <= best.leading))) return;
    this.best = { source, line, eventType: ev.type, held, leading, total: this.clauses.length, tree: explainCondition(this.rule.ast, this.registry, ev) };
  }

  result(): NearMiss | undefined {
    return this.best;
  }
}
