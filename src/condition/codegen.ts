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

type Pred = (ev: unknown) => boolean;

const sources = new WeakMap<Pred, string>();

/** The generated source of a predicate (for tests and debugging); undefined for closure predicates. */
export function generatedSource(test: unknown): string | undefined {
  return typeof test === 'function' ? sources.get(test as Pred) : undefined;
}

let available = true;
/** Generated predicates are named p1, p2, … (in compile order), so profiles and stack traces tell them apart. */
let generated = 0;

/**
 * Generates the predicate of a plan, or returns undefined when the runtime forbids code generation
 * from strings (then the caller interprets the plan).
 */
export function generatePredicate(plan: PlanNode): Pred | undefined {
  if (!available) return undefined;
  const gen = new Generator();
  const source = gen.module(plan);
  let factory: (K: readonly unknown[]) => Pred;
  try {
    factory = new Function('K', source) as typeof factory;
  } catch (err) {
    if (err instanceof EvalError) {
      available = false;
      return undefined;
    }
    throw err;
  }
  const test = factory(gen.consts);
  sources.set(test, source);
  return test;
}

class Generator {
  readonly consts: unknown[] = [evaluation];
  private readonly constIds = new Map<unknown, string>([[evaluation, 'k0']]);
  private readonly helpers: string[] = [];
  private readonly valueHelpers = new Map<PlanValue, string>();
  private readonly nodeHelpers = new Map<PlanNode, string>();
  private next = 1;

  module(plan: PlanNode): string {
    const body = this.expr(plan);
    const decls = this.consts.map((_, i) => `k${i} = K[${i}]`).join(', ');
    return [
      "'use strict';",
      `const ${decls};`,
      ...this.helpers,
      `return function p${++generated}(ev) {`,
      '  if (ev !== k0.ev) { k0.ev = ev; k0.t++; }',
      '  const t = k0.t;',
      '  let x;',
      `  return ${body};`,
      '};',
    ].join('\n');
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

  /** A boolean expression for a node; reads `ev`, `t` and may assign the scratch variable `x`. */
  private expr(n: PlanNode): string {
    if (n.slot === undefined) return this.bare(n);
    let name = this.nodeHelpers.get(n);
    if (name === undefined) {
      name = `n${this.next++}`;
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
        const v = `${this.value(n.value)}(ev, t)`;
        if (n.test === undefined) {
          return n.quant === 'one' ? `(${v} !== undefined)` : `((x = ${v}) !== undefined && x.length > 0)`;
        }
        const test = this.k(n.test);
        switch (n.quant) {
          case 'one':
            return `((x = ${v}) !== undefined && ${this.apply(n.test)})`;
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
      if (c.k === 'check' && c.slot === undefined && c.quant === 'one' && c.test !== undefined) {
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
      const tests = g.items.map((c) => this.apply((c as PlanCheck).test as Test));
      return `((x = ${this.value(g.value)}(ev, t)) !== undefined && (${tests.join(op)}))`;
    });
    return `(${parts.join(op)})`;
  }

  /** `test` applied to `x`: inline when it has an inline form, else a call of the closure. */
  private apply(test: Test): string {
    const form = inlineTest(test);
    if (form === undefined) return `${this.k(test)}(x)`;
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

  /** A helper applying `test` to the values of an array: any (some) or all (every). */
  private loop(test: string, some: boolean): string {
    const name = `q${this.next++}`;
    this.helpers.push([
      `function ${name}(vs) {`,
      `  for (let i = 0; i < vs.length; i++) if (${some ? '' : '!'}${test}(vs[i])) return ${some};`,
      `  return ${!some};`,
      '}',
    ].join('\n'));
    return name;
  }

  /** The helper extracting one operand's normalised value. */
  private value(v: PlanValue): string {
    let name = this.valueHelpers.get(v);
    if (name !== undefined) return name;
    name = `v${this.next++}`;
    this.valueHelpers.set(v, name);
    const lines = [`function ${name}(ev, t) {`];
    const s = v.slot === undefined ? undefined : this.k(v.slot);
    if (s !== undefined) lines.push(`  if (${s}.m === t) return ${s}.v;`);
    const get = this.k(v.get);
    if (v.derive === undefined) {
      lines.push(`  const x = ${get}(ev);`);
    } else {
      // Events with source-given values take the complete extractor; others (every native and
      // eBPF event) only the derivation, normalised here.
      lines.push('  let x;', `  if (ev.given !== undefined) x = ${get}(ev);`, `  else {`, `    x = ${this.k(v.derive)}(ev);`);
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
