// The field registry of one event source: resolves a field reference as written in a condition
// (`evt.arg.flags`, `proc.aname[2]`, `evt.arg["key"]`) to its definition, validates the argument,
// and suggests the closest known name for typos.

import type { FieldDef, FieldRef } from './types.js';

export type ResolveResult = { ok: true; ref: FieldRef } | { ok: false; message: string };

export class FieldRegistry {
  readonly source: string;
  private readonly byName = new Map<string, FieldDef>();

  constructor(source: string, defs: readonly FieldDef[]) {
    this.source = source;
    for (const d of defs) this.byName.set(d.name, d);
  }

  get(name: string): FieldDef | undefined {
    return this.byName.get(name);
  }

  all(): FieldDef[] {
    return [...this.byName.values()];
  }

  /**
   * Resolves `name` (possibly with a dotted argument) and an optional bracket argument. An unknown
   * name's message suggests the closest field unless `suggest` is false (the edit-distance search
   * over every field is the only costly step, so callers probing many names turn it off).
   */
  resolve(name: string, bracketArg?: string, options: { suggest?: boolean } = {}): ResolveResult {
    const text = bracketArg === undefined ? name : `${name}[${bracketArg}]`;
    let def = this.byName.get(name);
    let arg = bracketArg;
    if (def === undefined) {
      // A dotted argument: the longest registered prefix that accepts one (`evt.arg` + `flags`).
      for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
        const candidate = this.byName.get(name.slice(0, dot));
        if (candidate?.dottedArg && bracketArg === undefined) {
          def = candidate;
          arg = name.slice(dot + 1);
          break;
        }
      }
    }
    if (def === undefined) {
      const hint = options.suggest === false ? undefined : this.suggest(name);
      return { ok: false, message: `filter_check called with nonexistent field ${text}${hint ? ` (did you mean '${hint}'?)` : ''}` };
    }
    if (arg === undefined && def.argRequired) {
      return { ok: false, message: `field '${def.name}' requires an argument but none provided` };
    }
    if (arg !== undefined && def.argKind === 'none') {
      return { ok: false, message: `field '${def.name}' does not support arguments, but '${arg}' was given` };
    }
    if (arg !== undefined && def.argKind === 'index' && !/^[0-9]+$/.test(arg)) {
      return { ok: false, message: `field '${def.name}' needs a numeric index argument, got '${arg}'` };
    }
    return { ok: true, ref: { def, arg, text } };
  }

  /** The known field name closest to `name` (edit distance), if reasonably close. */
  suggest(name: string): string | undefined {
    let best: string | undefined;
    let bestScore = Infinity;
    for (const candidate of this.byName.keys()) {
      const d = editDistance(name, candidate, bestScore);
      if (d < bestScore) {
        bestScore = d;
        best = candidate;
      }
    }
    return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
  }
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot be below `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return prev[b.length] ?? limit;
}
