// The evaluation plan of a compiled condition: what the compiler (compile.ts) produces once all
// validation is done, and what the two back ends turn into a predicate — generated code (codegen.ts)
// and closures (interpret.ts). Every literal is already parsed to its field's type inside a test
// closure; the plan itself holds no rule text.
//
// Nodes and values are shared between conditions compiled against the same registry (macros expand
// to the same checks in many rules), so a memoised node's slot is shared: per event it is computed
// at most once whichever rule asks first.

import type { BinaryOp } from './ast.js';
import type { FieldType, Multiplicity } from '../fields/types.js';
import type { Slot } from './memo.js';

export type Getter = (ev: unknown) => unknown;
export type Test = (v: unknown) => boolean;

/** How an operand's value is obtained. `get` is complete (given values, normalisation) on its own. */
export interface PlanValue {
  /** The normalised value (an array for multi-valued operands); undefined when unavailable. */
  readonly get: Getter;
  /**
   * For plain fields: the derivation alone, for events with no source-given values
   * (`ev.given === undefined`); its result still needs normalising to `type`.
   */
  readonly derive: Getter | undefined;
  readonly type: FieldType;
  readonly multi: Multiplicity;
  /** Estimated cost of one extraction (rough ns), before memoisation. */
  readonly cost: number;
  /** Where the value is remembered per event, when extraction is costly enough. */
  readonly slot: Slot | undefined;
  /**
   * The value is the event's type (syscall `evt.type`: `event.type`, undefined when empty) for
   * events with no source-given values, so it is known per event-type bucket (specialize.ts).
   */
  readonly eventType?: boolean;
}

/**
 * How a check applies its test to the operand: 'one' — a single value; 'some' — any value of a
 * multi-valued operand; 'every' — every value, and at least one (a list field with `in`).
 */
export type Quantifier = 'one' | 'some' | 'every';

export type PlanNode = PlanAnd | PlanOr | PlanNot | PlanCheck | PlanCustom;

interface Base {
  /** Expected cost of evaluating the node (rough ns), before memoisation (cost model below). */
  readonly cost: number;
  /** Guessed chance that the node holds on an event (cost model below). */
  readonly chance: number;
  /**
   * Where the result is remembered per event: set once the node is shared by more than one use and
   * costly enough (a result used once is cheaper to compute than to remember). Set at most once.
   */
  slot: Slot | undefined;
}

export interface PlanAnd extends Base {
  readonly k: 'and';
  /** Cheapest first: `and` and `or` are commutative here, since checks are pure and never throw. */
  readonly items: readonly PlanNode[];
}

export interface PlanOr extends Base {
  readonly k: 'or';
  readonly items: readonly PlanNode[];
}

export interface PlanNot extends Base {
  readonly k: 'not';
  readonly item: PlanNode;
}

/** `value exists` (test undefined) or `value op literal(s)`; an unavailable value makes it false. */
export interface PlanCheck extends Base {
  readonly k: 'check';
  readonly value: PlanValue;
  readonly quant: Quantifier;
  readonly test: Test | undefined;
}

/** A check evaluated by its own closure (comparisons between two fields). */
export interface PlanCustom extends Base {
  readonly k: 'custom';
  readonly test: (ev: unknown) => boolean;
}

// ---------------------------------------------------------------------------------- inline tests
//
// A test closure may also be described as one operator and one compiled constant, so that generated
// code applies it directly (`x === k3`, `k4.has(x)`, `x.startsWith(k5)`) instead of calling it. The
// description must mean exactly what the closure does; the closure stays the reference (interpret.ts).

export type InlineOp = '===' | '!==' | '<' | '<=' | '>' | '>=' | 'includes' | 'startsWith' | 'endsWith' | 'has';

export interface InlineTest {
  readonly op: InlineOp;
  /** The right operand (or, for 'has', the Set). */
  readonly arg: unknown;
}

const inlineTests = new WeakMap<Test, InlineTest>();

/** Describes `test` as `v op arg` (or `arg.has(v)`); returns `test`. */
export function inlinable(test: Test, op: InlineOp, arg: unknown): Test {
  inlineTests.set(test, { op, arg });
  return test;
}

export function inlineTest(test: Test): InlineTest | undefined {
  return inlineTests.get(test);
}

// ------------------------------------------------------------------------------------- cost model
//
// Static estimates, calibrated on bench/predicate-eval.mjs: the cost of a node in rough nanoseconds
// and the chance that it holds. They decide two things only — which nodes are memoised and the order
// of `and`/`or` operands — neither of which changes any result.
//
// Operand order: for independent operands the expected cost of `and` is least when they are sorted
// by cost ÷ chance of being false (cheap, often-false tests first), and of `or` by cost ÷ chance of
// being true. Chances are guesses by operator: equality, membership and pattern tests rarely hold
// on a given event, `!=` and `exists` usually do.

/** A value or node whose expected cost is at least this is remembered per event (see slots). */
export const MEMO_MIN = 8;
/** What reading a remembered value costs. */
export const MEMO_HIT = 2;

/** Rough costs (ns) of extraction and tests. */
export const COST = {
  /** A field read through a few properties. */
  field: 3,
  /** A field without a separate derivation (always through its given-aware extractor). */
  opaqueField: 8,
  /** Joins, ancestor walks, parsing, multi-valued fields and transformers. */
  costlyField: 25,
  compare: 1,
  prefix: 3,
  contains: 5,
  set: 5,
  pmatch: 15,
  glob: 15,
  regex: 40,
} as const;

export function testCost(op: BinaryOp): number {
  switch (op) {
    case 'startswith': case 'endswith': case 'bstartswith': return COST.prefix;
    case 'contains': case 'bcontains': return COST.contains;
    case 'icontains': case 'glob': case 'iglob': return COST.glob;
    case 'regex': return COST.regex;
    case 'in': case 'intersects': return COST.set;
    case 'pmatch': return COST.pmatch;
    default: return COST.compare;
  }
}

/** The guessed chance that `value op literal` holds on an event. */
export function testChance(op: BinaryOp | 'exists', type: FieldType): number {
  switch (op) {
    case 'exists': case '!=': return 0.9;
    case '<': case '<=': case '>': case '>=': return 0.5;
    default: return type === 'bool' ? 0.5 : 0.1;
  }
}

export function effectiveCost(x: { readonly cost: number; readonly slot: Slot | undefined }): number {
  return x.slot === undefined ? x.cost : MEMO_HIT;
}

export function planCheck(value: PlanValue, quant: Quantifier, test: Test | undefined, cost: number, chance: number): PlanCheck {
  // A remembered value still costs its full extraction to whichever check reads it first.
  return { k: 'check', value, quant, test, cost: value.cost + (quant === 'one' ? cost : 4 * cost), chance, slot: undefined };
}

export function planNot(item: PlanNode): PlanNot {
  return { k: 'not', item, cost: effectiveCost(item), chance: 1 - item.chance, slot: undefined };
}

/** `and`/`or` over planned operands, in the order of least expected cost (stable for ties). */
export function planJunction(k: 'and' | 'or', children: readonly PlanNode[]): PlanNode {
  if (children.length === 1) return children[0] as PlanNode;
  const decisive = (c: PlanNode): number => (k === 'and' ? 1 - c.chance : c.chance);
  const rank = (c: PlanNode): number => effectiveCost(c) / Math.max(decisive(c), 1e-3);
  const items = [...children].sort((a, b) => rank(a) - rank(b));
  let cost = 0;
  let reach = 1;
  for (const c of items) {
    cost += reach * effectiveCost(c);
    reach *= 1 - decisive(c);
  }
  const chance = k === 'and' ? reach : 1 - reach;
  return { k, items, cost, chance, slot: undefined };
}
