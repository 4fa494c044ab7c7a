// Walking parsed JSON documents the way Falco's k8saudit and json plugins do (they use Go's fastjson):
// key paths where a numeric key indexes an array, RFC 6901 JSON pointers, the k8saudit plugin's
// "values recursive" walk that fans out over arrays, and the rendering of any JSON value as text.
//
// Only own properties are ever read, so event data such as `/constructor` or `/__proto__` can never
// reach Object.prototype. Nothing here throws on hostile input.

/** A JSON value as JSON.parse returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Marks an array element the walk could not follow (Go's nil in the plugin), kept so lists line up. */
export const ABSENT: unique symbol = Symbol('absent');
export type Walked = Json | typeof ABSENT;

const INDEX = /^[+-]?[0-9]{1,10}$/;
/** Names an object inherits (`constructor`, `toString`, `__proto__`, …): these need an own-property check. */
const INHERITED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** One step of a path, prepared once: the array index the key denotes, and whether it needs hasOwn. */
interface Step {
  readonly key: string;
  readonly index: number;
  readonly guarded: boolean;
}

function stepOf(key: string): Step {
  const index = INDEX.test(key) ? Number(key) : -1;
  return { key, index, guarded: INHERITED.has(key) };
}

function take(value: unknown, step: Step): Json | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return step.index >= 0 && step.index < value.length ? (value[step.index] as Json) : undefined;
  if (step.guarded && !Object.hasOwn(value, step.key)) return undefined;
  return (value as Record<string, Json>)[step.key];
}

/**
 * One step, as fastjson's `Value.Get(key)`: an own property of an object, or an element of an array
 * when the key is a decimal index. Undefined when absent; JSON null is a present value.
 */
export function child(value: unknown, key: string): Json | undefined {
  return take(value, stepOf(key));
}

/** Follows `keys` from `value` (fastjson `Get(keys...)`). */
export function getPath(value: unknown, keys: readonly string[]): Json | undefined {
  return compilePath(keys)(value);
}

/**
 * `getPath` specialised for fixed keys, prepared once: field extractors use this so that each event
 * costs only the property loads (plus an own-property check for inherited names such as `constructor`).
 */
export function compilePath(keys: readonly string[]): (value: unknown) => Json | undefined {
  const steps = keys.map(stepOf);
  const [a, b, c] = steps;
  if (steps.length === 1 && a) return (v) => take(v, a);
  if (steps.length === 2 && a && b) {
    return (v) => { const x = take(v, a); return x === undefined ? undefined : take(x, b); };
  }
  if (steps.length === 3 && a && b && c) {
    return (v) => {
      const x = take(v, a);
      if (x === undefined) return undefined;
      const y = take(x, b);
      return y === undefined ? undefined : take(y, c);
    };
  }
  return (v) => {
    let cur: unknown = v;
    for (const st of steps) {
      cur = take(cur, st);
      if (cur === undefined) return undefined;
    }
    return cur as Json;
  };
}

/**
 * Parses an RFC 6901 pointer the way the json plugin does: one leading '/' is dropped, the rest is
 * split on '/', and `~1` then `~0` are unescaped in each token. An empty pointer is invalid (the
 * plugin rejects it) — returns undefined.
 */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer.length === 0) return undefined;
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return body.split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

const MAX_FAN_OUT_DEPTH = 32;

/**
 * The k8saudit plugin's `getValuesRecursive`: follows `keys`, and whenever the current value is an
 * array either fans out over every element (no index) or takes element `index` (an index argument
 * such as `ka.req.pod.containers.image[1]`). Elements where the path breaks yield ABSENT.
 * Undefined when the path breaks before any fan-out, or the index is out of range.
 */
export function valuesRecursive(value: unknown, index: number | undefined, keys: readonly string[], from = 0, depth = 0): Walked[] | undefined {
  let cur: unknown = value;
  for (let i = from; i < keys.length; i++) {
    if (Array.isArray(cur)) {
      if (index === undefined) {
        // Arrays nested in arrays fan out again at the same key: bound it, hostile input nests deeply.
        if (depth >= MAX_FAN_OUT_DEPTH) return undefined;
        const out: Walked[] = [];
        for (const el of cur) {
          const sub = valuesRecursive(el, index, keys, i, depth + 1);
          if (sub === undefined) out.push(ABSENT);
          else for (const s of sub) out.push(s);
        }
        return out;
      }
      if (index >= cur.length) return undefined;
      cur = cur[index];
    }
    const k = keys[i] as string;
    // An empty key is fastjson's `Get()`: the value itself.
    cur = k === '' ? cur : child(cur, k);
    if (cur === undefined) return undefined;
  }
  return [cur as Json];
}

/**
 * JSON.stringify that cannot throw: JSON.parse accepts nesting thousands of levels deep that
 * JSON.stringify then overflows the stack on (hostile input can do this). Undefined when it fails.
 */
export function renderJson(value: unknown, indent?: number): string | undefined {
  try {
    return JSON.stringify(value, null, indent);
  } catch {
    return undefined;
  }
}

/**
 * A JSON value as the plugins render it (`jsonValueAsString`): strings as they are, anything else as
 * compact JSON text (`201`, `true`, `null`, `{"a":1}`). Undefined only for structures too deep to render.
 */
export function jsonText(value: Json): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  // Objects and arrays (configmap data, role rules, subjects) are rendered once per event however many
  // checks read them; the cache entry dies with the event.
  let text = rendered.get(value);
  if (text === undefined) {
    text = renderJson(value);
    if (text === undefined) return undefined;
    rendered.set(value, text);
  }
  return text;
}

const rendered = new WeakMap<object, string>();

/** Texts of `values`, dropping any that cannot be rendered. */
export function texts(values: readonly Json[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const t = jsonText(v);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** `arrayAsStringsSkipNil`: every present value as text, ABSENT ones dropped. */
export function textsSkipAbsent(values: readonly Walked[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (v === ABSENT) continue;
    const t = jsonText(v);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** `arrayAsStrings`: every value as text, or undefined (field unavailable) when any is ABSENT. */
export function textsStrict(values: readonly Walked[]): string[] | undefined {
  const out: string[] = [];
  for (const v of values) {
    if (v === ABSENT) return undefined;
    const t = jsonText(v);
    if (t === undefined) return undefined;
    out.push(t);
  }
  return out;
}

export function isObject(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
