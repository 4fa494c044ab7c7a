// The closure back end: turns an evaluation plan into nested closures. Used where code generation
// is unavailable (node --disallow-code-generation-from-strings), and as the reference the generated
// code is tested against. Memoised nodes and values follow memo.ts exactly as generated code does.

import { evaluation, type Slot } from './memo.js';
import type { Getter, PlanNode, PlanValue, Test } from './plan.js';

type Pred = (ev: unknown) => boolean;

export function interpretPredicate(plan: PlanNode): (ev: unknown) => boolean {
  const run = node(plan, new Map());
  const E = evaluation;
  return (ev) => {
    if (ev !== E.ev) {
      E.ev = ev;
      E.t++;
    }
    return run(ev);
  };
}

function remembered<T>(slot: Slot | undefined, f: (ev: unknown) => T): (ev: unknown) => T {
  if (slot === undefined) return f;
  const E = evaluation;
  return (ev) => {
    if (slot.m === E.t) return slot.v as T;
    const v = f(ev);
    slot.v = v;
    slot.m = E.t;
    return v;
  };
}

function node(n: PlanNode, values: Map<PlanValue, Getter>): Pred {
  return remembered(n.slot, bare(n, values));
}

function bare(n: PlanNode, values: Map<PlanValue, Getter>): Pred {
  switch (n.k) {
    case 'and': {
      const items = n.items.map((c) => node(c, values));
      return (ev) => {
        for (let i = 0; i < items.length; i++) if (!(items[i] as Pred)(ev)) return false;
        return true;
      };
    }
    case 'or': {
      const items = n.items.map((c) => node(c, values));
      return (ev) => {
        for (let i = 0; i < items.length; i++) if ((items[i] as Pred)(ev)) return true;
        return false;
      };
    }
    case 'not': {
      const item = node(n.item, values);
      return (ev) => !item(ev);
    }
    case 'custom':
      return n.test;
    case 'check': {
      let get = values.get(n.value);
      if (get === undefined) values.set(n.value, (get = remembered(n.value.slot, n.value.get)));
      const g = get;
      const test = n.test;
      if (test === undefined) {
        if (n.quant === 'one') return (ev) => g(ev) !== undefined;
        return (ev) => { const vs = g(ev) as unknown[] | undefined; return vs !== undefined && vs.length > 0; };
      }
      switch (n.quant) {
        case 'one':
          return (ev) => { const v = g(ev); return v !== undefined && test(v); };
        case 'some':
          return (ev) => { const vs = g(ev) as unknown[] | undefined; return vs !== undefined && some(vs, test); };
        case 'every':
          return (ev) => { const vs = g(ev) as unknown[] | undefined; return vs !== undefined && vs.length > 0 && every(vs, test); };
      }
    }
  }
}

function some(vs: readonly unknown[], test: Test): boolean {
  for (let i = 0; i < vs.length; i++) if (test(vs[i])) return true;
  return false;
}

function every(vs: readonly unknown[], test: Test): boolean {
  for (let i = 0; i < vs.length; i++) if (!test(vs[i])) return false;
  return true;
}
