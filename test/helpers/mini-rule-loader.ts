// TEST-ONLY stand-in for the rule loader (being written in parallel; the integrator switches these tests
// to it). It does the minimum Falco does to a rules file such as k8s_audit_rules.yaml: collect lists,
// macros and rules (no append/override/exceptions — that file uses none), expand list references
// inside lists (one level, defined-before only), substitute lists textually into conditions exactly
// like Falco's resolve_list, parse, expand macros by AST substitution, and compile each rule.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Expr } from '../../src/condition/ast.js';
import { compileCondition, type CompileWarning, type Predicate } from '../../src/condition/compile.js';
import { DEFAULT_RULE_MAX_DEPTH, parseCondition } from '../../src/condition/parse.js';
import type { FieldRegistry } from '../../src/fields/registry.js';

export interface MiniRule {
  readonly name: string;
  readonly condition: string;
  readonly priority: string;
  readonly source: string;
  readonly enabled: boolean;
  readonly test: Predicate;
  readonly warnings: readonly CompileWarning[];
}

export interface MiniLoadResult {
  readonly rules: MiniRule[];
  readonly macros: ReadonlyMap<string, Expr>;
  readonly errors: { item: string; message: string }[];
}

interface Item {
  list?: string; items?: unknown[]; macro?: string; rule?: string; condition?: string; priority?: string; source?: string;
  enabled?: boolean;
}

const BLANKS = ' \t\n\r';
const DELIMS = `${BLANKS}(),=`;

/** Falco's resolve_list: textual substitution of one list's items into a condition. */
export function resolveList(cnd: string, name: string, items: readonly string[]): string {
  let start = cnd.indexOf(name);
  while (start >= 0) {
    let end = start + name.length;
    if ((start === 0 || DELIMS.includes(cnd[start - 1] as string)) && (end >= cnd.length || DELIMS.includes(cnd[end] as string))) {
      while (start > 0 && BLANKS.includes(cnd[start - 1] as string)) start--;
      while (end < cnd.length && BLANKS.includes(cnd[end] as string)) end++;
      const sub = items.join(', ');
      if (sub === '') {
        if (start > 0 && cnd[start - 1] === ',') start--;
        else if (end < cnd.length && cnd[end] === ',') end++;
      }
      let next = start > 0 ? `${cnd.slice(0, start)} ` : '';
      next += `${sub} `;
      next += cnd.slice(end);
      cnd = next;
      start += sub.length + 1;
    }
    start = cnd.indexOf(name, start + 1);
  }
  return cnd;
}

/** A list item as Falco renders it into a condition: quoted when it holds a space. */
function quoteItem(item: string): string {
  return item.includes(' ') && !item.startsWith('"') && !item.startsWith("'") ? `"${item}"` : item;
}

function expandMacros(e: Expr, macros: ReadonlyMap<string, Expr>, seen: readonly string[] = []): Expr {
  switch (e.kind) {
    case 'and':
    case 'or':
      return { ...e, children: e.children.map((c) => expandMacros(c, macros, seen)) };
    case 'not':
      return { ...e, child: expandMacros(e.child, macros, seen) };
    case 'identifier': {
      const body = macros.get(e.name);
      if (body === undefined) throw new Error(`undefined macro '${e.name}'`);
      if (seen.includes(e.name)) throw new Error(`macro '${e.name}' references itself`);
      return expandMacros(body, macros, [...seen, e.name]);
    }
    default:
      return e;
  }
}

/**
 * Loads `path`, then `extraYaml` (later definitions of a list or macro replace earlier ones, as a
 * redefinition does in Falco — used to apply the allow-lists the upstream tests used).
 */
export function loadRulesFile(path: string, registry: FieldRegistry, extraYaml?: string): MiniLoadResult {
  const docs = [
    ...(parseYaml(readFileSync(path, 'utf8')) as Item[]),
    ...(extraYaml === undefined ? [] : (parseYaml(extraYaml) as Item[])),
  ];
  const lists = new Map<string, string[]>();
  const macroText = new Map<string, string>();
  const ruleItems: Item[] = [];
  for (const it of docs) {
    if (it.list !== undefined) {
      const items: string[] = [];
      for (const raw of it.items ?? []) {
        const s = String(raw);
        const inner = lists.get(s);
        if (inner !== undefined) items.push(...inner);
        else items.push(quoteItem(s));
      }
      lists.set(it.list, items);
    } else if (it.macro !== undefined) {
      macroText.set(it.macro, it.condition ?? '');
    } else if (it.rule !== undefined) {
      ruleItems.push(it);
    }
  }
  const substitute = (cnd: string): string => {
    let out = cnd;
    for (const [name, items] of lists) out = resolveList(out, name, items);
    return out;
  };
  const errors: { item: string; message: string }[] = [];
  const macros = new Map<string, Expr>();
  for (const [name, text] of macroText) {
    try {
      macros.set(name, parseCondition(substitute(text), { maxDepth: DEFAULT_RULE_MAX_DEPTH }));
    } catch (err) {
      errors.push({ item: `macro ${name}`, message: (err as Error).message });
    }
  }
  const expanded = new Map<string, Expr>();
  for (const [name, body] of macros) {
    try {
      const e = expandMacros(body, macros, [name]);
      expanded.set(name, e);
      compileCondition(e, registry);
    } catch (err) {
      errors.push({ item: `macro ${name}`, message: (err as Error).message });
    }
  }
  const rules: MiniRule[] = [];
  for (const it of ruleItems) {
    const name = it.rule as string;
    const condition = it.condition ?? '';
    try {
      const expr = expandMacros(parseCondition(substitute(condition), { maxDepth: DEFAULT_RULE_MAX_DEPTH }), expanded);
      const compiled = compileCondition(expr, registry);
      rules.push({
        name, condition, priority: it.priority ?? '', source: it.source ?? 'syscall', enabled: it.enabled ?? true,
        test: compiled.test, warnings: compiled.warnings,
      });
    } catch (err) {
      errors.push({ item: `rule ${name}`, message: (err as Error).message });
    }
  }
  return { rules, macros: expanded, errors };
}
