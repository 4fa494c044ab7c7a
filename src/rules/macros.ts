// Macro expansion on the AST (Falco filter_macro_resolver): every identifier in boolean position is
// replaced by the named macro's (already expanded) AST, recursively, with loop detection. Which
// macros are visible is decided by the caller: a macro sees macros first defined before its own
// last update (index < visibility); rules see every macro.
//
// The AST is immutable, so instead of cloning a macro's tree for each use (as libsinsp must), the
// expansion shares it: only the and/or/not nodes on the path to a substituted identifier are
// rebuilt. The result is the same tree Falco builds; node positions keep pointing into the text
// they were parsed from, which is how errors are traced back to the macro that holds them.

import type { Expr, Pos } from '../condition/ast.js';

export interface MacroDef {
  readonly name: string;
  readonly index: number;
  /** The macro's AST, undefined when its condition did not parse or failed to resolve. */
  readonly ast: Expr | undefined;
}

export interface ResolveIssue {
  readonly name: string;
  readonly message: string;
  readonly position: Pos;
}

export interface ResolveResult {
  readonly expr: Expr;
  /** Loops found (Falco reports these before unknown macros). */
  readonly errors: readonly ResolveIssue[];
  /** Identifiers naming no visible macro. */
  readonly unknown: readonly ResolveIssue[];
  /** References to macros that exist but are broken (already reported on their own). */
  readonly broken: readonly string[];
  /** Every macro substituted, including nested ones. */
  readonly resolved: ReadonlySet<string>;
}

/**
 * Expands the macros visible to a condition. `visible(def)` decides visibility; `macros` maps names
 * to definitions.
 */
export function resolveMacros(expr: Expr, macros: ReadonlyMap<string, MacroDef>, visible: (def: MacroDef) => boolean): ResolveResult {
  const errors: ResolveIssue[] = [];
  const unknown: ResolveIssue[] = [];
  const broken: string[] = [];
  const resolved = new Set<string>();
  const path: string[] = [];

  const visit = (e: Expr): Expr => {
    switch (e.kind) {
      case 'and':
      case 'or': {
        let changed = false;
        const children = e.children.map((c) => {
          const r = visit(c);
          if (r !== c) changed = true;
          return r;
        });
        return changed ? { kind: e.kind, children, loc: e.loc } : e;
      }
      case 'not': {
        const child = visit(e.child);
        return child === e.child ? e : { kind: 'not', child, loc: e.loc };
      }
      case 'identifier': {
        const def = macros.get(e.name);
        if (def === undefined || !visible(def)) {
          unknown.push({ name: e.name, message: `Undefined macro '${e.name}' used in filter.`, position: e.loc });
          return e;
        }
        if (def.ast === undefined) {
          broken.push(e.name);
          return e;
        }
        if (path.includes(def.name)) {
          errors.push({ name: def.name, message: `reference loop in macro '${def.name}'`, position: e.loc });
          return e;
        }
        path.push(def.name);
        const body = visit(def.ast);
        path.pop();
        resolved.add(def.name);
        return body;
      }
      default:
        return e;
    }
  };

  return { expr: visit(expr), errors, unknown, broken, resolved };
}
