// Event-type inference: the set of `evt.type` values a condition can match, computed from the AST as
// Falco does (§5.2): AND intersects, OR unions, NOT is pushed to the leaves by De Morgan. Checks on
// `evt.type` with = == != in intersects contribute their names; `evt.num` checks that can never hold
// contribute the empty set; every other check is neutral (all types), negated or not.
//
// Sets are kept as either "only these names" or "all names except these", so no universe is needed
// until someone asks for a count.

import type { BinaryCheck, Expr } from './ast.js';
import { EVENT_TYPE_SET, EVENT_TYPES } from '../event/evttypes.js';
import { ConditionCompileError } from '../common/errors.js';

export interface TypeSet {
  /** When true the set is "every type except `names`"; otherwise exactly `names`. */
  readonly except: boolean;
  readonly names: ReadonlySet<string>;
}

export const ALL_TYPES: TypeSet = { except: true, names: new Set() };
export const NO_TYPES: TypeSet = { except: false, names: new Set() };

export function typeSetHas(s: TypeSet, type: string): boolean {
  return s.names.has(type) !== s.except;
}

export function isAllTypes(s: TypeSet): boolean {
  return s.except && s.names.size === 0;
}

/** Number of catalogued event types in the set (Falco's LOAD_NO_EVTTYPE counts event codes). */
export function typeSetSize(s: TypeSet): number {
  if (!s.except) return s.names.size;
  let excluded = 0;
  for (const n of s.names) if (EVENT_TYPE_SET.has(n)) excluded++;
  return EVENT_TYPES.length - excluded;
}

export function union(a: TypeSet, b: TypeSet): TypeSet {
  if (!a.except && !b.except) return { except: false, names: new Set([...a.names, ...b.names]) };
  if (a.except && b.except) return { except: true, names: new Set([...a.names].filter((n) => b.names.has(n))) };
  const [only, exc] = a.except ? [b, a] : [a, b];
  return { except: true, names: new Set([...exc.names].filter((n) => !only.names.has(n))) };
}

export function intersect(a: TypeSet, b: TypeSet): TypeSet {
  if (!a.except && !b.except) return { except: false, names: new Set([...a.names].filter((n) => b.names.has(n))) };
  if (a.except && b.except) return { except: true, names: new Set([...a.names, ...b.names]) };
  const [only, exc] = a.except ? [b, a] : [a, b];
  return { except: false, names: new Set([...only.names].filter((n) => !exc.names.has(n))) };
}

export function complement(a: TypeSet): TypeSet {
  return { except: !a.except, names: a.names };
}

export function inferEventTypes(expr: Expr): TypeSet {
  return infer(expr, false);
}

function infer(e: Expr, negated: boolean): TypeSet {
  switch (e.kind) {
    case 'and': {
      const sets = e.children.map((c) => infer(c, negated));
      return sets.reduce(negated ? union : intersect);
    }
    case 'or': {
      const sets = e.children.map((c) => infer(c, negated));
      return sets.reduce(negated ? intersect : union);
    }
    case 'not':
      return infer(e.child, !negated);
    case 'binary':
      return binary(e, negated);
    default:
      return ALL_TYPES;
  }
}

function binary(e: BinaryCheck, negated: boolean): TypeSet {
  if (e.left.kind !== 'field' || e.left.arg !== undefined) return ALL_TYPES;
  if (e.left.name === 'evt.num') {
    if (e.right.kind !== 'value') return ALL_TYPES;
    const n = Number(e.right.value);
    const never = (e.op === '=' || e.op === '==') ? n === 0 : e.op === '<' ? n <= 1 : e.op === '<=' ? n < 1 : false;
    if (!never) return ALL_TYPES;
    return negated ? ALL_TYPES : NO_TYPES;
  }
  if (e.left.name !== 'evt.type') return ALL_TYPES;
  if (e.right.kind === 'transformer') {
    throw new ConditionCompileError("filter error: 'evt.type' can't be compared with a field value", e.right.loc);
  }
  if (e.modifier !== undefined) return ALL_TYPES;
  const names = e.right.kind === 'list' ? e.right.values : [e.right.value];
  let set: TypeSet;
  switch (e.op) {
    case '=':
    case '==':
    case 'in':
    case 'intersects':
      set = { except: false, names: new Set(names) };
      break;
    case '!=':
      set = { except: true, names: new Set(names) };
      break;
    default:
      return ALL_TYPES;
  }
  return negated ? complement(set) : set;
}
