// The code-generating back end: turns an evaluation plan into one JavaScript function per condition,
// so that every call site in it is monomorphic and V8 can inline the extractors and tests it calls.
//
// SECURITY (hostile events, rules as data): the generated source is built only from fixed fragments
// written here and numbered identifiers. Every compiled object — extractors, test closures (which
// hold the parsed literals: sets, globs, regexes), memo slots — is passed in a constants array and
// referenced by index (`k3(x)`); no rule text, field name or argument, and no event data, ever
// appears in the source. The only string literals in it are the fixed ones of this file: the
// "use strict" directive and `typeof` names (tests assert it).
//
// Shape of a generated module (evaluated once with `new Function('K', source)`):
//   const k0 = K[0], k1 = K[1], …;          // evaluation state, slots, extractors, tests
//   function v1(ev, t) { … }                 // one per distinct operand: given-aware extraction,
//                                            // normalisation, memo slot when costly
//   function n2(ev, t) { … }                 // one per memoised node (shared with other rules)
//   return function (ev) { …stamp…; return <expression>; };

import { evaluation } from './memo.js';
import { inlineTest, type PlanAnd, type PlanCheck, type PlanNode, type PlanOr, type PlanValue, type Test } from './plan.js';
import { toBool, toNum, toStr, normaliserFor } from './values.js';
import { partDerivation } from '../fields/define.js';

type Pred = (ev: unknown) => boolean;

const sources = new WeakMap<object, string>();

/** The generated source of a function (for tests and debugging); undefined for closures. */
export function generatedSource(fn: unknown): string | undefined {
  return typeof fn === 'function' ? sources.get(fn) : undefined;
}

let available = true;
/** Generated predicates are named p1, p2, … (in compile order), so profiles and stack traces tell them apart. */
let generated = 0;

/**
 * Evaluates a generated module: `source` is the body of `function (K) { … }`, which must return a
 * function, and `consts` is K. Returns undefined when the runtime forbids code generation from
 * strings (node --disallow-code-generation-from-strings), so that callers fall back to closures.
 * The caller guarantees that `source` is made only of fixed fragments and numbered names.
 */
export function compileModule<F extends (...args: never[]) => unknown>(source: string, consts: readonly unknown[]): F | undefined {
  if (!available) return undefined;
  let factory: (K: readonly unknown[]) => F;
  try {
    factory = new Function('K', source) as typeof factory;
  } catch (err) {
    if (err instanceof EvalError) {
      available = false;
      return undefined;
    }
    throw err;
  }
  const fn = factory(consts);
  sources.set(fn, source);
  return fn;
}

/** `const k0 = K[0], k1 = K[1], …;` for a module's constants. */
export function constantDeclarations(count: number): string {
  return `const ${Array.from({ length: count }, (_, i) => `k${i} = K[${i}]`).join(', ')};`;
}

/**
 * Generates the predicate of a plan, or returns undefined when the runtime forbids code generation
 * from strings (then the caller interprets the plan).
 */
export function generatePredicate(plan: PlanNode): Pred | undefined {
  if (!available) return undefined;
  const gen = new Generator('predicate');
  const source = gen.predicateModule(plan);
  return compileModule<Pred>(source, gen.consts);
}

/** One condition of a dispatcher, in evaluation order. */
export interface DispatchEntry {
  /** The condition's predicate (for events with source-given values). */
  readonly test: (ev: never) => boolean;
  /**
   * Its plan for the events the dispatcher serves that carry no given values, or the constant the
   * plan folded to (specialize.ts); undefined when unknown (then `test` is called for them too).
   */
  readonly derived: PlanNode | boolean | undefined;
  /** What is appended to `out` on a match. */
  readonly item: unknown;
  /** Index into the evaluation and match counters. */
  readonly id: number;
}

/**
 * `(ev, out, first, evals, hits)`: evaluates the entries in order, counting an evaluation of each in
 * `evals[id]`; for each match counts it in `hits[id]` and appends its item to `out`, stopping there
 * when `first` is true.
 */
export type Dispatcher = (ev: never, out: unknown[], first: boolean, evals: Float64Array, hits: Float64Array) => void;

/**
 * Generates a dispatcher: one function evaluating every entry. Events without given values take
 * the entries' derived plans, one generated function each, sharing the dispatcher's frame: each
 * operand is extracted at most once per event, each sub-expression shared by several entries
 * computed at most once, and an entry one of whose shared conjuncts an earlier entry already settled
 * against it (found false, or true under a `not`) costs no call. Events with given values call the
 * entries' predicates. Undefined when the runtime forbids code generation.
 */
export function generateDispatcher(entries: readonly DispatchEntry[]): Dispatcher | undefined {
  if (!available) return undefined;
  const gen = new Generator('dispatch');
  const source = gen.dispatchModule(entries);
  return compileModule<Dispatcher>(source, gen.consts);
}

/** Shared conjuncts checked before calling a condition in a dispatcher (see Generator.guard). */
const MAX_GUARDS = 3;

/** Marks a value not extracted yet in a dispatcher's locals (never a value). */
const UNSET = Object.freeze({});

class Generator {
  readonly consts: unknown[] = [evaluation, UNSET];
  private readonly constIds = new Map<unknown, string>([[evaluation, 'k0'], [UNSET, 'k1']]);
  private readonly helpers: string[] = [];
  private readonly valueHelpers = new Map<PlanValue, string>();
  private readonly nodeHelpers = new Map<PlanNode, string>();
  /**
   * Dispatch mode: cells, each holding something computed at most once per event — an operand's
   * value ('a', initially k1: not extracted yet), a shared node's result ('b', 0: not computed yet,
   * 1: false, 2: true) or a fused membership mask ('m', -1: not looked up yet). A cell reached by
   * several conditions lives in the dispatcher's frame (F, reset per event); one reached by one
   * condition only is a local of that condition's function.
   */
  private readonly frameCells = new Map<object, { readonly name: string; readonly init: string }>();
  private localCells = new Map<object, { readonly name: string; readonly init: string }>();
  private cellCount = 0;
  /** Dispatch mode: how many conditions reach each operand, node and fused mask (by key). */
  private users = new Map<object, number>();
  /** Dispatch mode: nodes reached more than once over all entries (shared sub-expressions). */
  private shared = new Set<PlanNode>();
  /** Dispatch mode: set memberships of one operand answered by one fused lookup (fuseSets). */
  private fused = new Map<PlanValue, Map<unknown, { readonly key: object; readonly members: ReadonlyMap<unknown, number>; readonly bit: number }>>();

  /**
   * 'predicate': one condition; memoised nodes and values go through their slots (memo.ts), so
   * predicates share results per event. 'dispatch': the derived plans of a bucket of conditions, one
   * function each, sharing extracted values and results through the dispatcher's frame (an object
   * reset per event) instead of slots.
   */
  constructor(private readonly mode: 'predicate' | 'dispatch') {}

  predicateModule(plan: PlanNode): string {
    const body = this.expr(plan);
    return [
      "'use strict';",
      constantDeclarations(this.consts.length),
      ...this.helpers,
      `return function p${++generated}(ev) {`,
      '  if (ev !== k0.ev) { k0.ev = ev; k0.t++; }',
      '  const t = k0.t;',
      '  let x;',
      `  return ${body};`,
      '};',
    ].join('\n');
  }

  dispatchModule(entries: readonly DispatchEntry[]): string {
    const plans = entries.map((e) => e.derived).filter((d): d is PlanNode => typeof d === 'object');
    this.shared = sharedNodes(plans);
    this.fuseSets(plans);
    this.users = countUsers(plans, this.fused);
    const derived: string[] = [];
    const general: string[] = [];
    for (const e of entries) {
      const id = this.k(e.id);
      const matched = `{ hits[${id}]++; out.push(${this.k(e.item)}); if (first) return; }`;
      derived.push(`    evals[${id}]++;`);
      if (e.derived === true) {
        derived.push(`    ${matched}`);
      } else if (typeof e.derived === 'object') {
        const name = `r${this.helpers.length + 1}`;
        this.localCells = new Map();
        const body = this.expr(e.derived);
        const locals = [...this.localCells.values()].map((c) => `, ${c.name} = ${c.init}`).join('');
        this.helpers.push([`function ${name}(ev) {`, `  let x${locals};`, `  return ${body};`, '}'].join('\n'));
        derived.push(`    if (${this.guard(e.derived)}${name}(ev)) ${matched}`);
      } else if (e.derived === undefined) {
        derived.push(`    if (${this.k(e.test)}(ev)) ${matched}`);
      }
      general.push(`  evals[${id}]++;`, `  if (${this.k(e.test)}(ev)) ${matched}`);
    }
    // The frame: what the conditions of one event share, reset per event (k1: not extracted yet;
    // 0: not computed yet; -1: no mask yet).
    const fields = [...this.frameCells.values()].map((c) => [c.name, c.init]);
    return [
      "'use strict';",
      constantDeclarations(this.consts.length),
      `const F = { ${fields.map(([f, init]) => `${f}: ${init}`).join(', ')} };`,
      ...this.helpers,
      `return function d${++generated}(ev, out, first, evals, hits) {`,
      '  if (ev.given === undefined) {',
      ...fields.map(([f, init]) => `    F.${f} = ${init};`),
      ...derived,
      '    return;',
      '  }',
      ...general,
      '};',
    ].join('\n');
  }

  /**
   * `F.bN !== 1 && …` for the conjuncts a condition shares with others (macros such as open_write or
   * spawned_process, and negated ones such as `not user_known_…`): once an earlier condition settled
   * one of them against this one for this event, the dispatcher skips the condition without a call.
   * Conjuncts of nested `and`s count too; at most MAX_GUARDS, in evaluation order (cheapest first).
   */
  private guard(plan: PlanNode): string {
    const guards: string[] = [];
    const visit = (n: PlanNode): void => {
      if (n.k !== 'and') return;
      for (const item of n.items) {
        if (guards.length === MAX_GUARDS) return;
        const cell = this.frameCells.get(item);
        const negated = item.k === 'not' ? this.frameCells.get(item.item) : undefined;
        if (cell !== undefined) guards.push(`F.${cell.name} !== 1`);
        else if (negated !== undefined) guards.push(`F.${negated.name} !== 2`);
        else visit(item);
      }
    };
    visit(plan);
    return guards.map((g) => `${g} && `).join('');
  }

  /** The identifier of a compiled object in the constants array. */
  private k(obj: unknown): string {
    let id = this.constIds.get(obj);
    if (id === undefined) {
      id = `k${this.consts.length}`;
      this.consts.push(obj);
      this.constIds.set(obj, id);
    }
    return id;
  }

  /**
   * A boolean expression for a node; reads `ev` (and `t` in a predicate) and may assign the scratch
   * variable `x`. Shared nodes: through their memo slot in a predicate (a helper), through a local
   * in a dispatcher (0: not computed yet, 1: false, 2: true).
   */
  private expr(n: PlanNode): string {
    if (this.mode === 'dispatch') {
      if (!this.shared.has(n)) return this.bare(n);
      const b = this.cell(n, 'b', '0');
      return `(${b} !== 0 ? ${b} === 2 : (${b} = ${this.bare(n)} ? 2 : 1) === 2)`;
    }
    if (n.slot === undefined) return this.bare(n);
    let name = this.nodeHelpers.get(n);
    if (name === undefined) {
      name = `n${this.nodeHelpers.size + 1}`;
      this.nodeHelpers.set(n, name);
      const s = this.k(n.slot);
      const body = this.bare(n);
      this.helpers.push([
        `function ${name}(ev, t) {`,
        `  if (${s}.m === t) return ${s}.v;`,
        '  let x;',
        `  const r = ${body};`,
        `  ${s}.v = r; ${s}.m = t;`,
        '  return r;',
        '}',
      ].join('\n'));
    }
    return `${name}(ev, t)`;
  }

  private bare(n: PlanNode): string {
    switch (n.k) {
      case 'and':
      case 'or':
        return this.junction(n);
      case 'not':
        return `!${this.expr(n.item)}`;
      case 'custom':
        return `${this.k(n.test)}(ev)`;
      case 'check': {
        const v = this.value(n.value);
        if (n.test === undefined) {
          return n.quant === 'one' ? `(${v} !== undefined)` : `((x = ${v}) !== undefined && x.length > 0)`;
        }
        const test = this.k(n.test);
        switch (n.quant) {
          case 'one':
            return `((x = ${v}) !== undefined && ${this.apply(n.test, n.value)})`;
          case 'some':
            return `((x = ${v}) !== undefined && ${this.loop(test, true)}(x))`;
          case 'every':
            return `((x = ${v}) !== undefined && x.length > 0 && ${this.loop(test, false)}(x))`;
        }
      }
    }
  }

  /**
   * `and`/`or`, with the plain single-value checks of one operand grouped so that the value is read
   * once: `(v !== undefined && a(v)) || (v !== undefined && b(v))` is `v !== undefined && (a(v) || b(v))`.
   * Groups take the place of their first member (the order of operands is free, plan.ts).
   */
  private junction(n: PlanAnd | PlanOr): string {
    const op = n.k === 'and' ? ' && ' : ' || ';
    const groups: { readonly value: PlanValue | undefined; readonly items: PlanNode[] }[] = [];
    const byValue = new Map<PlanValue, { readonly value: PlanValue; readonly items: PlanNode[] }>();
    for (const c of n.items) {
      if (c.k === 'check' && !this.remembered(c) && c.quant === 'one' && c.test !== undefined) {
        const known = byValue.get(c.value);
        if (known !== undefined) {
          known.items.push(c);
          continue;
        }
        const group = { value: c.value, items: [c] };
        byValue.set(c.value, group);
        groups.push(group);
      } else {
        groups.push({ value: undefined, items: [c] });
      }
    }
    const parts = groups.map((g) => {
      if (g.value === undefined || g.items.length === 1) return this.expr(g.items[0] as PlanNode);
      const tests = g.items.map((c) => this.apply((c as PlanCheck).test as Test, g.value as PlanValue));
      return `((x = ${this.value(g.value)}) !== undefined && (${tests.join(op)}))`;
    });
    return `(${parts.join(op)})`;
  }

  /** Whether a node's result is remembered (so it is not merged into a group). */
  private remembered(n: PlanNode): boolean {
    return this.mode === 'dispatch' ? this.shared.has(n) : n.slot !== undefined;
  }

  /**
   * `test` applied to `x`, the value of `value`: inline when it has an inline form, else a call of
   * the closure. A fused set membership reads a bit of the operand's membership mask.
   */
  private apply(test: Test, value: PlanValue): string {
    const form = inlineTest(test);
    if (form === undefined) return `${this.k(test)}(x)`;
    const fused = form.op === 'has' ? this.fused.get(value)?.get(form.arg) : undefined;
    if (fused !== undefined) {
      const m = this.cell(fused.key, 'm', '-1');
      const mask = `(${m} !== -1 ? ${m} : (${m} = (x = ${this.value(value)}) === undefined ? 0 : (${this.k(fused.members)}.get(x) ?? 0)))`;
      return `(${mask} & ${this.k(fused.bit)}) !== 0`;
    }
    const arg = this.k(form.arg);
    switch (form.op) {
      case '===': return `x === ${arg}`;
      case '!==': return `x !== ${arg}`;
      case '<': return `x < ${arg}`;
      case '<=': return `x <= ${arg}`;
      case '>': return `x > ${arg}`;
      case '>=': return `x >= ${arg}`;
      case 'includes': return `x.includes(${arg})`;
      case 'startsWith': return `x.startsWith(${arg})`;
      case 'endsWith': return `x.endsWith(${arg})`;
      case 'has': return `${arg}.has(x)`;
    }
  }

  /**
   * Set fusion (dispatch mode): when one operand is tested for membership in several sets (proc.name
   * against a dozen process lists), one Map from every member to a bit mask of the sets holding it
   * answers them all with a single lookup per event; each test then reads one bit. Up to 30 sets
   * per map (bits of a small integer). The mask is computed once per event into a local.
   */
  private fuseSets(plans: readonly PlanNode[]): void {
    const setsByValue = new Map<PlanValue, Set<ReadonlySet<unknown>>>();
    const seen = new Set<object>();
    for (const p of plans) {
      visitChecks(p, seen, (n) => {
        if (n.quant !== 'one' || n.test === undefined) return;
        const form = inlineTest(n.test);
        if (form?.op !== 'has') return;
        let sets = setsByValue.get(n.value);
        if (sets === undefined) setsByValue.set(n.value, (sets = new Set()));
        sets.add(form.arg as ReadonlySet<unknown>);
      });
    }
    for (const [value, sets] of setsByValue) {
      if (sets.size < 2) continue;
      const bySet = new Map<unknown, { key: object; members: ReadonlyMap<unknown, number>; bit: number }>();
      const all = [...sets];
      for (let start = 0; start < all.length; start += 30) {
        const chunk = all.slice(start, start + 30);
        const members = new Map<unknown, number>();
        chunk.forEach((set, i) => {
          for (const m of set) members.set(m, (members.get(m) ?? 0) | (1 << i));
        });
        const key = {};
        chunk.forEach((set, i) => bySet.set(set, { key, members, bit: 1 << i }));
      }
      this.fused.set(value, bySet);
    }
  }

  /** A helper applying `test` to the values of an array: any (some) or all (every). */
  private loop(test: string, some: boolean): string {
    const name = `q${this.helpers.length + 1}`;
    this.helpers.push([
      `function ${name}(vs) {`,
      `  for (let i = 0; i < vs.length; i++) if (${some ? '' : '!'}${test}(vs[i])) return ${some};`,
      `  return ${!some};`,
      '}',
    ].join('\n'));
    return name;
  }

  /**
   * An expression for one operand's normalised value: a predicate calls its helper (which goes
   * through the memo slot, if any); a dispatcher extracts it once into a local.
   */
  private value(v: PlanValue): string {
    const helper = this.valueHelper(v);
    if (this.mode === 'predicate') return `${helper}(ev, t)`;
    const a = this.cell(v, 'a', 'k1');
    return `(${a} === k1 ? (${a} = ${helper}(ev)) : ${a})`;
  }

  /** The reference to the cell of `key` (see frameCells): `F.a3` in the frame, or a local `a3`. */
  private cell(key: object, prefix: 'a' | 'b' | 'm', init: string): string {
    const inFrame = (this.users.get(key) ?? 0) > 1;
    const cells = inFrame ? this.frameCells : this.localCells;
    let c = cells.get(key);
    if (c === undefined) {
      c = { name: `${prefix}${++this.cellCount}`, init };
      cells.set(key, c);
    }
    return inFrame ? `F.${c.name}` : c.name;
  }

  /** The helper extracting one operand's normalised value (in a dispatcher: for events without given values). */
  private valueHelper(v: PlanValue): string {
    let name = this.valueHelpers.get(v);
    if (name !== undefined) return name;
    name = `v${this.valueHelpers.size + 1}`;
    this.valueHelpers.set(v, name);
    const predicate = this.mode === 'predicate';
    const lines = [predicate ? `function ${name}(ev, t) {` : `function ${name}(ev) {`];
    const s = v.slot === undefined || !predicate ? undefined : this.k(v.slot);
    if (s !== undefined) lines.push(`  if (${s}.m === t) return ${s}.v;`);
    const get = this.k(v.get);
    if (v.derive === undefined) {
      lines.push(`  const x = ${get}(ev);`);
    } else {
      // Events with source-given values take the complete extractor; others (every native and
      // eBPF event) only the derivation, normalised here. A derivation through a part of the event
      // (fields/define.ts, throughPart) is inlined: part and reader each get a call site here.
      lines.push('  let x;');
      if (predicate) lines.push(`  if (ev.given !== undefined) x = ${get}(ev);`, '  else {');
      else lines.push('  {');
      const through = partDerivation(v.derive);
      if (through === undefined) {
        lines.push(`    x = ${this.k(v.derive)}(ev);`);
      } else {
        lines.push(`    x = ${this.k(through.part)}(ev);`, `    if (x !== undefined) x = ${this.k(through.read)}(x, ev);`);
      }
      lines.push(`    ${this.normalise(v)}`, '  }');
    }
    if (s !== undefined) lines.push(`  ${s}.v = x; ${s}.m = t;`);
    lines.push('  return x;', '}');
    this.helpers.push(lines.join('\n'));
    return name;
  }

  /** A statement normalising the derived `x` to the value's type, as values.ts does (undefined stays). */
  private normalise(v: PlanValue): string {
    const norm = normaliserFor(v.type);
    const call = `x = ${this.k(norm)}(x);`;
    if (norm === toStr) return `if (typeof x !== 'string' && x !== undefined) ${call}`;
    if (norm === toNum) return `if (typeof x !== 'number' ? x !== undefined : x !== x) ${call}`;
    if (norm === toBool) return `if (typeof x !== 'boolean' && x !== undefined) ${call}`;
    return `if (x !== undefined) ${call}`;
  }
}

/** Walks the nodes of a plan not in `seen` (adding them), calling `onCheck` for each check reached. */
function visitChecks(n: PlanNode, seen: Set<object>, onCheck: (check: PlanCheck) => void): void {
  if (seen.has(n)) return;
  seen.add(n);
  if (n.k === 'and' || n.k === 'or') for (const c of n.items) visitChecks(c, seen, onCheck);
  else if (n.k === 'not') visitChecks(n.item, seen, onCheck);
  else if (n.k === 'check') onCheck(n);
}

/**
 * How many of the plans reach each operand, node and fused mask key (a plan reaching one several
 * times counts once).
 */
function countUsers(plans: readonly PlanNode[], fused: ReadonlyMap<PlanValue, ReadonlyMap<unknown, { readonly key: object }>>): Map<object, number> {
  const users = new Map<object, number>();
  for (const plan of plans) {
    const reached = new Set<object>();
    visitChecks(plan, reached, (n) => {
      reached.add(n.value);
      for (const f of fused.get(n.value)?.values() ?? []) reached.add(f.key);
    });
    for (const key of reached) users.set(key, (users.get(key) ?? 0) + 1);
  }
  return users;
}

/**
 * Nodes reached more than once when walking all the plans: shared sub-expressions, worth a local
 * (but not `not`, whose operand gets one instead).
 */
function sharedNodes(plans: readonly PlanNode[]): Set<PlanNode> {
  const seen = new Set<PlanNode>();
  const shared = new Set<PlanNode>();
  const walk = (n: PlanNode): void => {
    if (seen.has(n)) {
      if (n.k === 'not') walk(n.item);
      else shared.add(n);
      return;
    }
    seen.add(n);
    if (n.k === 'and' || n.k === 'or') for (const c of n.items) walk(c);
    else if (n.k === 'not') walk(n.item);
  };
  for (const p of plans) walk(p);
  return shared;
}
