// Specialisation of a plan to one event type: the engine evaluates rules per event-type bucket, and
// for events with no source-given values `evt.type` is the bucket's type, so every check on it is a
// constant there (`evt.type in (open, openat, openat2)` holds for every openat event). Folding
// those checks away — and the `and`/`or`/`not` nodes they decide — leaves less to evaluate.
//
// A specialised node computes, for events of its type, exactly what the node it replaces computes,
// so it keeps that node's memo slot: specialised and general predicates may share remembered
// results for the same event.

import type { PlanNode } from './plan.js';

export type Folded = PlanNode | boolean;

/** Specialised nodes by node and type: shared nodes stay shared, and each is folded once. */
const folded = new WeakMap<PlanNode, Map<string, Folded>>();

/**
 * `node` for events of `type` with no given values: a constant when decided by the type, else a
 * plan without checks on the type (the same node when it holds none).
 */
export function specialize(node: PlanNode, type: string): Folded {
  let byType = folded.get(node);
  if (byType === undefined) folded.set(node, (byType = new Map()));
  let out = byType.get(type);
  if (out === undefined) {
    out = fold(node, type);
    byType.set(type, out);
  }
  return out;
}

function fold(node: PlanNode, type: string): Folded {
  switch (node.k) {
    case 'check': {
      if (node.value.eventType !== true || node.quant !== 'one') return node;
      if (type === '') return false;
      return node.test === undefined ? true : node.test(type);
    }
    case 'custom':
      return node;
    case 'not': {
      const item = specialize(node.item, type);
      if (typeof item === 'boolean') return !item;
      return item === node.item ? node : { ...node, item };
    }
    case 'and':
    case 'or': {
      const decisive = node.k === 'or';
      const items: PlanNode[] = [];
      let changed = false;
      for (const c of node.items) {
        const f = specialize(c, type);
        if (f === decisive) return decisive;
        if (f === !decisive) {
          changed = true;
          continue;
        }
        if (f !== c) changed = true;
        items.push(f as PlanNode);
      }
      if (!changed) return node;
      if (items.length === 0) return !decisive;
      if (items.length === 1 && node.slot === undefined) return items[0] as PlanNode;
      return { ...node, items };
    }
  }
}
