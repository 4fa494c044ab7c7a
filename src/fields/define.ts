// Helpers to declare fields compactly: a definition from a name, type, description and an extractor
// factory, wrapped so that values a source already gave (`event.given`) win over derived ones.

import type { ArgKind, Extractor, FieldDef, FieldType, Multiplicity } from './types.js';

type AnyEvent = { given: Record<string, unknown> | undefined };

export interface FieldSpec<E extends AnyEvent> {
  readonly type: FieldType;
  readonly desc: string;
  readonly arg?: ArgKind;
  readonly argRequired?: boolean;
  readonly dotted?: boolean;
  readonly filterOnly?: boolean;
  readonly noRhs?: boolean;
  readonly noTransformer?: boolean;
  readonly deprecated?: boolean;
  /** Multiplicity (default: single). */
  readonly multi?: Multiplicity | ((arg: string | undefined) => Multiplicity);
  /** Whether a given value may override (default true). */
  readonly givenWins?: boolean;
  /** Builds the derived extractor, or an error message for a bad argument. */
  readonly make: (arg: string | undefined) => ((ev: E) => unknown) | string;
  /** Extraction is costly (ancestor walks, joins, parsing): the condition compiler remembers it per event. */
  readonly costly?: boolean;
  /** JSON rendering for alerts, when it differs from the filter value. */
  readonly json?: (arg: string | undefined) => (ev: E) => unknown;
}

/** Keys under which a source may have given this field's value. */
export function givenKeys(name: string, arg: string | undefined, dotted: boolean): string[] {
  if (arg === undefined) return [name];
  return dotted ? [`${name}.${arg}`, `${name}[${arg}]`] : [`${name}[${arg}]`];
}

/**
 * Wraps a derived extractor so that a value in `event.given` under `keys` wins. A given null means
 * the source could not extract the field: it is missing, and is not derived instead (an absent
 * key — undefined — falls through to the derivation).
 */
export function preferGiven<E extends AnyEvent>(keys: readonly string[], derived: (ev: E) => unknown): (ev: E) => unknown {
  const [k0, k1] = keys;
  if (k0 === undefined) return derived;
  if (k1 === undefined) {
    return (ev) => {
      const g = ev.given;
      if (g !== undefined) {
        const v = g[k0];
        if (v !== undefined && typeof v !== 'function') return v === null ? undefined : v;
      }
      return derived(ev);
    };
  }
  return (ev) => {
    const g = ev.given;
    if (g !== undefined) {
      const v0 = g[k0];
      if (v0 !== undefined && typeof v0 !== 'function') return v0 === null ? undefined : v0;
      const v1 = g[k1];
      if (v1 !== undefined && typeof v1 !== 'function') return v1 === null ? undefined : v1;
    }
    return derived(ev);
  };
}

export function defineField<E extends AnyEvent>(source: string, name: string, spec: FieldSpec<E>): FieldDef {
  const dotted = spec.dotted ?? false;
  const multi = spec.multi ?? 'single';
  const givenWins = spec.givenWins ?? true;
  const def: FieldDef = {
    name,
    source,
    type: spec.type,
    argKind: spec.arg ?? 'none',
    argRequired: spec.argRequired ?? false,
    dottedArg: dotted,
    filterOnly: spec.filterOnly ?? false,
    noRhs: spec.noRhs ?? false,
    noTransformer: spec.noTransformer ?? false,
    deprecated: spec.deprecated ?? false,
    desc: spec.desc,
    multiplicity: typeof multi === 'function' ? multi : () => multi,
    extractor(arg) {
      const derived = spec.make(arg);
      if (typeof derived === 'string') return derived;
      const ex = givenWins ? preferGiven(givenKeys(name, arg, dotted), derived) : derived;
      return ex as Extractor;
    },
    derivation(arg) {
      const derived = spec.make(arg);
      return typeof derived === 'string' ? undefined : derived as Extractor;
    },
    costly: spec.costly ?? false,
  };
  if (spec.json) {
    const json = spec.json;
    def.jsonExtractor = (arg) => preferGiven(givenKeys(name, arg, dotted), json(arg)) as Extractor;
  }
  return def;
}

export const none = (): undefined => undefined;

/**
 * How a derivation that reads one part of the event first (its process, fd, container) is built:
 * `derive(ev)` is `part(ev) === undefined ? undefined : read(part(ev), ev)`. Wrappers such as
 * `proc(read)` are shared by many fields, so the call of `read` inside them sees every field's
 * `read` and cannot be inlined; generated condition code (src/condition/codegen.ts) uses this
 * description to call `part` and `read` from call sites of its own instead.
 */
export interface PartDerivation {
  readonly part: (ev: never) => unknown;
  readonly read: (x: never, ev: never) => unknown;
}

const partDerivations = new WeakMap<object, PartDerivation>();

/** Declares that `derive` is the composition of `part` and `read` described above; returns `derive`. */
export function throughPart<E, P>(part: (ev: E) => P | undefined, read: (x: P, ev: E) => unknown, derive: (ev: E) => unknown): (ev: E) => unknown {
  partDerivations.set(derive, { part, read } as unknown as PartDerivation);
  return derive;
}

export function partDerivation(derive: unknown): PartDerivation | undefined {
  return typeof derive === 'function' ? partDerivations.get(derive) : undefined;
}
