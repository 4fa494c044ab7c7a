// Explains a condition on one event: the expanded condition as a tree, with each field's value and
// each sub-expression's result, marking where evaluation short-circuited. Every check is compiled
// with the real compiler, so the explanation can never disagree with the engine.

import type { Expr, FieldLike } from './ast.js';
import { toString } from './ast.js';
import { compileCondition, compileOperand, newEvaluation } from './compile.js';
import type { FieldRegistry } from '../fields/registry.js';

export interface ExplainedValue {
  /** The field or transformer as written. */
  readonly text: string;
  /** The extracted value; undefined when the field is unavailable. */
  readonly value: unknown;
}

export interface ExplainNode {
  readonly kind: Expr['kind'];
  /** Falco's canonical text of this sub-expression. */
  readonly text: string;
  /** The result, or 'skipped' when short-circuiting meant it was never evaluated. */
  readonly result: boolean | 'skipped';
  readonly children: readonly ExplainNode[];
  /** For checks: the values they read (left side, and a val()/transformer right side). */
  readonly values: readonly ExplainedValue[];
  /** For checks that failed because a value was unavailable. */
  readonly missing: boolean;
}

type Test = (ev: unknown) => boolean;

export function explainCondition(expr: Expr, registry: FieldRegistry, event: unknown): ExplainNode {
  newEvaluation();
  return explain(expr, registry, event, false);
}

function readValue(node: FieldLike, registry: FieldRegistry, event: unknown): ExplainedValue {
  try {
    const inner = node.kind === 'transformer' && node.name === 'val' ? node.args[0] : node;
    if (inner === undefined || (inner.kind !== 'field' && inner.kind !== 'transformer')) return { text: toString(node), value: undefined };
    const op = compileOperand(inner, registry);
    return { text: toString(node), value: (op.get as (e: unknown) => unknown)(event) };
  } catch {
    return { text: toString(node), value: undefined };
  }
}

function explain(expr: Expr, registry: FieldRegistry, event: unknown, skipped: boolean): ExplainNode {
  const text = toString(expr);
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const children: ExplainNode[] = [];
      let decided = false;
      let result = expr.kind === 'and';
      for (const c of expr.children) {
        const child = explain(c, registry, event, skipped || decided);
        children.push(child);
        if (!skipped && !decided && child.result !== 'skipped') {
          if (expr.kind === 'and' && child.result === false) {
            result = false;
            decided = true;
          } else if (expr.kind === 'or' && child.result === true) {
            result = true;
            decided = true;
          }
        }
      }
      return { kind: expr.kind, text, result: skipped ? 'skipped' : result, children, values: [], missing: false };
    }
    case 'not': {
      const child = explain(expr.child, registry, event, skipped);
      const result = skipped || child.result === 'skipped' ? 'skipped' : !child.result;
      return { kind: 'not', text, result, children: [child], values: [], missing: false };
    }
    case 'identifier':
      return { kind: 'identifier', text, result: skipped ? 'skipped' : false, children: [], values: [], missing: false };
    case 'unary':
    case 'binary': {
      const values: ExplainedValue[] = [readValue(expr.left, registry, event)];
      if (expr.kind === 'binary' && expr.right.kind === 'transformer') values.push(readValue(expr.right, registry, event));
      const missing = values.some((v) => v.value === undefined || (Array.isArray(v.value) && v.value.length === 0));
      if (skipped) return { kind: expr.kind, text, result: 'skipped', children: [], values, missing };
      const { test } = compileCondition(expr, registry);
      return { kind: expr.kind, text, result: (test as Test)(event), children: [], values, missing };
    }
  }
}

function show(v: unknown): string {
  if (v === undefined) return '<NA> (unavailable)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return String(v);
}

function mark(r: boolean | 'skipped'): string {
  return r === 'skipped' ? '·' : r ? '✓' : '✗';
}

function label(n: ExplainNode): string {
  const head = n.kind === 'and' || n.kind === 'or' || n.kind === 'not' ? n.kind : n.text;
  let s = `${mark(n.result)} ${head}`;
  if (n.values.length > 0) s += `    [${n.values.map((v) => `${v.text} = ${show(v.value)}`).join('; ')}]`;
  if (n.result === false && n.missing) s += '    (false: value unavailable)';
  if (n.result === 'skipped') s += '    (not evaluated: short-circuit)';
  return s;
}

export interface RenderExplainOptions {
  /**
   * Print each sub-expression short-circuiting skipped as one line of its canonical text (cut at
   * 160 characters), instead of its whole subtree with the values it would have read.
   */
  readonly collapseSkipped?: boolean;
}

function collapsed(n: ExplainNode): string {
  const text = n.text.length > 160 ? `${n.text.slice(0, 159)}…` : n.text;
  return `· ${text}    (not evaluated: short-circuit)`;
}

/** Renders an explanation as a tree: ✓ true, ✗ false, · not evaluated (short-circuit). */
export function renderExplain(node: ExplainNode, options: RenderExplainOptions = {}): string {
  const lines: string[] = [];
  const collapse = options.collapseSkipped === true;
  const walk = (n: ExplainNode, prefix: string, childPrefix: string): void => {
    if (collapse && n.result === 'skipped') {
      lines.push(prefix + collapsed(n));
      return;
    }
    lines.push(prefix + label(n));
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      walk(c, childPrefix + (last ? '└── ' : '├── '), childPrefix + (last ? '    ' : '│   '));
    });
  };
  walk(node, '', '');
  return `${lines.join('\n')}\n`;
}

function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

/** An explanation as plain JSON: values that are unavailable are null, big integers are strings. */
export function explainJson(n: ExplainNode): unknown {
  return {
    kind: n.kind,
    text: n.text,
    result: n.result,
    ...(n.values.length > 0 ? { values: n.values.map((v) => ({ field: v.text, value: jsonValue(v.value) })) } : {}),
    ...(n.missing ? { missing: true } : {}),
    ...(n.children.length > 0 ? { children: n.children.map(explainJson) } : {}),
  };
}
