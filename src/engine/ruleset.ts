// The ruleset of one event source: its enabled rules in evaluation order, indexed by event type.
//
// Index: a bucket per event type holds, in rule order, the enabled rules whose inferred type set
// contains that type, and the function that evaluates them (dispatch.ts). Buckets are built lazily
// the first time a type is seen (rules restricted with `evt.type != x` or not at all can match
// types nobody listed) and dropped when rules are enabled or disabled. Per event: one Map lookup,
// then only the candidate rules run.

import type { CompiledRule } from '../rules/types.js';
import { typeSetHas } from '../condition/evttypes.js';
import { dispatcherFor, type Dispatch } from './dispatch.js';

export type RuleMatching = 'first' | 'all';

export interface Bucket {
  readonly rules: readonly CompiledRule[];
  readonly dispatch: Dispatch;
}

export class SourceRuleset {
  readonly source: string;
  private readonly rules: readonly CompiledRule[];
  private buckets = new Map<string, Bucket>();

  constructor(source: string, rules: readonly CompiledRule[]) {
    this.source = source;
    this.rules = [...rules].sort((a, b) => a.id - b.id);
  }

  /** The enabled rules that can match an event of `type`, in evaluation order, and their evaluator. */
  bucket(type: string): Bucket {
    let bucket = this.buckets.get(type);
    if (bucket === undefined) {
      const rules = this.rules.filter((r) => r.enabled && typeSetHas(r.eventTypes, type));
      bucket = { rules, dispatch: dispatcherFor(rules, type) };
      this.buckets.set(type, bucket);
    }
    return bucket;
  }

  /** The enabled rules that can match an event of `type`, in evaluation order. */
  candidates(type: string): readonly CompiledRule[] {
    return this.bucket(type).rules;
  }

  all(): readonly CompiledRule[] {
    return this.rules;
  }

  /** Call after changing any rule's `enabled` flag. */
  invalidate(): void {
    this.buckets = new Map();
  }
}
