// Output templates (spec §4.1–4.2): a rule's `output` compiled once, at load, into literal parts and
// field parts. A `%` starts a token: an optional decimal width (`%10proc.name` pads or truncates to
// exactly 10 characters), then the LONGEST prefix of the rest that is a valid field expression —
// `proc.name`, `proc.aname[2]`, `evt.arg.flags`, `proc.env[HOME]`, or a transformer such as
// `tolower(proc.name)`. There is no `%%` escape and no `%(field)` form: a `%` not followed by a field
// is an error, as in Falco. Missing values render as `<NA>`.
//
// Extraction reuses the condition compiler's operands (compileOperand), so a field means exactly the
// same thing in an output as in a condition. This module therefore depends on src/condition — the
// one exception to the fields → condition layering, accepted so that there is one field compiler.

import type { FieldExpr, FieldLike } from '../condition/ast.js';
import { compileOperand } from '../condition/compile.js';
import { parseCondition } from '../condition/parse.js';
import type { Event } from '../event/types.js';
import type { OutputTemplate } from '../rules/types.js';
import type { FieldRegistry } from './registry.js';
import type { FieldDef, FieldType, Multiplicity } from './types.js';

/** A problem that makes the template unusable (Falco LOAD_ERR_COMPILE_OUTPUT). */
export class TemplateError extends Error {
  readonly code = 'LOAD_ERR_COMPILE_OUTPUT';
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface TemplateWarning {
  readonly code: 'LOAD_DEPRECATED_ITEM';
  readonly message: string;
  readonly offset: number;
}

/** append_output `extra_fields`: a bare field name, or `{key: format}` (rendered with its fields). */
export type ExtraField = string | Readonly<Record<string, string>>;

export interface TemplateOptions {
  readonly extraFields?: readonly ExtraField[];
}

type Getter = (ev: Event) => unknown;

interface Extract {
  /** output_fields key: the field as written, e.g. "proc.aname[2]". */
  readonly key: string;
  readonly json: Getter;
}

interface FieldPart {
  readonly token: string;
  readonly width: number;
  readonly text: Getter;
}

type Part = string | FieldPart;

const FIELD_NAME = /[a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+/y;
const FIELD_NAME_FULL = /^[a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+$/;
const TRANSFORMER_START = /(?:tolower|toupper|b64|basename|len|join|concat|getopt|val)\(/y;
const NUMERIC: ReadonlySet<FieldType> = new Set(['int', 'uint', 'port', 'reltime', 'abstime', 'double']);

export const NA = '<NA>';

/** Compiles `text`; throws TemplateError (with the offset in `text`) when it is not valid. */
export function compileTemplate(text: string, registry: FieldRegistry, options: TemplateOptions = {}): {
  template: OutputTemplate; warnings: TemplateWarning[];
} {
  const warnings: TemplateWarning[] = [];
  const { parts, extracts } = parseTemplate(text, registry, warnings);
  for (const extra of options.extraFields ?? []) {
    if (typeof extra === 'string') {
      const token = scanToken(extra, 0, registry, warnings, 0);
      if (token === undefined || token.end !== extra.length) {
        throw new TemplateError(`invalid formatting token in extra_fields: '${extra}' is not a field`, 0);
      }
      extracts.push(...token.extracts);
    } else {
      for (const [key, fmt] of Object.entries(extra)) {
        const sub = parseTemplate(fmt, registry, warnings);
        const render = renderer(sub.parts);
        extracts.push({ key, json: (ev) => render(ev) });
      }
    }
  }
  const render = renderer(parts);
  const keys: string[] = [];
  for (const e of extracts) if (!keys.includes(e.key)) keys.push(e.key);
  const template: OutputTemplate = {
    text,
    fieldNames: keys,
    render,
    fields(event: Event): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const e of extracts) {
        const v = e.json(event);
        out[e.key] = v === undefined ? null : v;
      }
      return out;
    },
  };
  return { template, warnings };
}

function renderer(parts: readonly Part[]): (ev: Event) => string {
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const s = parts[0];
    return () => s;
  }
  return (ev) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      const v = p.text(ev);
      let s = v === undefined ? NA : (v as string);
      if (p.width > 0) s = s.length >= p.width ? s.slice(0, p.width) : s + ' '.repeat(p.width - s.length);
      out += s;
    }
    return out;
  };
}

function parseTemplate(text: string, registry: FieldRegistry, warnings: TemplateWarning[]): { parts: Part[]; extracts: Extract[] } {
  if (text.length === 0) throw new TemplateError('empty formatting token', 0);
  const parts: Part[] = [];
  const extracts: Extract[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const pct = text.indexOf('%', i);
    if (pct < 0) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, pct);
    let j = pct + 1;
    if (j >= text.length) throw new TemplateError('formatting cannot end with a %', pct);
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const width = j > pct + 1 ? Number(text.slice(pct + 1, j)) : 0;
    if (j >= text.length) throw new TemplateError('formatting cannot end with a %', pct);
    const token = scanToken(text, j, registry, warnings, pct);
    if (token === undefined) {
      const near = text.slice(pct, Math.min(text.length, pct + 24));
      throw new TemplateError(
        `unknown filter: '${near}': a '%' must be followed by a field such as %proc.name or a transformer such as %tolower(proc.name) (there is no escape for a literal '%')`,
        pct);
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ token: token.text, width, text: token.render });
    extracts.push(...token.extracts);
    i = token.end;
  }
  if (literal !== '') parts.push(literal);
  return { parts, extracts };
}

interface Token {
  readonly text: string;
  readonly end: number;
  readonly render: Getter;
  readonly extracts: Extract[];
}

/** The longest valid field expression starting at `at`, or undefined when there is none. */
function scanToken(text: string, at: number, registry: FieldRegistry, warnings: TemplateWarning[], offset: number): Token | undefined {
  TRANSFORMER_START.lastIndex = at;
  if (TRANSFORMER_START.test(text)) return scanTransformer(text, at, registry, warnings, offset);
  FIELD_NAME.lastIndex = at;
  const m = FIELD_NAME.exec(text);
  if (m === null) return undefined;
  const name = m[0];
  let end = at + name.length;
  let arg: string | undefined;
  let argEnd = end;
  if (text[end] === '[') {
    const a = scanArg(text, end);
    if (a !== undefined) {
      arg = a.arg;
      argEnd = a.end;
    }
  }
  let firstError: string | undefined;
  if (arg !== undefined) {
    const t = tryField(name, arg, registry);
    if (typeof t !== 'string') return fieldToken(t, text.slice(at, argEnd), argEnd, warnings, offset);
    firstError = t;
  }
  for (let len = name.length; len > 0; len--) {
    const prefix = name.slice(0, len);
    if (!FIELD_NAME_FULL.test(prefix) || !plausible(prefix, registry)) continue;
    const t = tryField(prefix, undefined, registry);
    if (typeof t !== 'string') {
      end = at + len;
      return fieldToken(t, prefix, end, warnings, offset);
    }
    firstError ??= t;
  }
  const res = registry.resolve(name, arg);
  throw new TemplateError(`invalid formatting token %${text.slice(at, argEnd)}: ${res.ok ? firstError ?? 'not a valid field' : res.message}`, offset);
}

/** Cheap pre-check before a full resolve: the name, or a dotted-argument parent of it, exists. */
function plausible(name: string, registry: FieldRegistry): boolean {
  if (registry.get(name) !== undefined) return true;
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
    if (registry.get(name.slice(0, dot))?.dottedArg) return true;
  }
  return false;
}

interface Compiled {
  readonly node: FieldExpr;
  readonly def: FieldDef;
  readonly get: (ev: never) => unknown;
  readonly type: FieldType;
  readonly multi: Multiplicity;
}

function tryField(name: string, arg: string | undefined, registry: FieldRegistry): Compiled | string {
  const res = registry.resolve(name, arg);
  if (!res.ok) return res.message;
  if (res.ref.def.filterOnly) return `field '${res.ref.text}' can only be used in conditions, not in outputs`;
  const node: FieldExpr = arg === undefined
    ? { kind: 'field', name, loc: { offset: 0, line: 1, column: 1 } }
    : { kind: 'field', name, arg, loc: { offset: 0, line: 1, column: 1 } };
  try {
    const op = compileOperand(node, registry);
    return { node, def: res.ref.def, get: op.get, type: op.type, multi: op.multi };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function fieldToken(c: Compiled, key: string, end: number, warnings: TemplateWarning[], offset: number): Token {
  if (c.def.deprecated) warnings.push({ code: 'LOAD_DEPRECATED_ITEM', message: `field '${c.def.name}' in output is deprecated`, offset });
  const exact = exactTime(c);
  const render = textGetter(exact ?? c.get, c.type, c.multi);
  return { text: key, end, render, extracts: [{ key, json: jsonGetter(c) }] };
}

/** `[arg]` right after a field name: a quoted string or a bare run without brackets, quotes or blanks. */
function scanArg(text: string, at: number): { arg: string; end: number } | undefined {
  let k = at + 1;
  const q = text[k];
  if (q === '"' || q === "'") {
    let out = '';
    k++;
    while (k < text.length && text[k] !== q) {
      if (text[k] === '\\' && k + 1 < text.length) {
        out += text[k + 1];
        k += 2;
        continue;
      }
      out += text[k++];
    }
    if (text[k] !== q || text[k + 1] !== ']') return undefined;
    return { arg: out, end: k + 2 };
  }
  const start = k;
  while (k < text.length && !/[\][\s"']/.test(text[k] as string)) k++;
  if (k === start || text[k] !== ']') return undefined;
  return { arg: text.slice(start, k), end: k + 1 };
}

function scanTransformer(text: string, at: number, registry: FieldRegistry, warnings: TemplateWarning[], offset: number): Token {
  // The balanced extent of `name(...)`, skipping quoted strings, then an optional `[arg]`.
  let depth = 0;
  let k = at;
  let quote: string | undefined;
  for (; k < text.length; k++) {
    const c = text[k];
    if (quote !== undefined) {
      if (c === '\\') k++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) break;
  }
  if (depth !== 0 || k >= text.length) throw new TemplateError(`invalid formatting token %${text.slice(at)}: missing ')'`, offset);
  let end = k + 1;
  if (text[end] === '[') {
    const a = scanArg(text, end);
    if (a !== undefined) end = a.end;
  }
  const expr = text.slice(at, end);
  let left: FieldLike;
  try {
    const parsed = parseCondition(`${expr} exists`);
    if (parsed.kind !== 'unary') throw new Error('not a field expression');
    left = parsed.left;
  } catch (err) {
    throw new TemplateError(`invalid formatting token %${expr}: ${err instanceof Error ? err.message : String(err)}`, offset);
  }
  let op: ReturnType<typeof compileOperand>;
  try {
    op = compileOperand(left, registry);
  } catch (err) {
    throw new TemplateError(`invalid formatting token %${expr}: ${err instanceof Error ? err.message : String(err)}`, offset);
  }
  // Transformer tokens are left out of output_fields; the plain fields inside them are listed.
  const extracts: Extract[] = [];
  for (const ref of op.refs) {
    if (ref.def.deprecated) warnings.push({ code: 'LOAD_DEPRECATED_ITEM', message: `field '${ref.def.name}' in output is deprecated`, offset });
    const bracketed = ref.arg !== undefined && ref.text === `${ref.def.name}[${ref.arg}]`;
    const inner = bracketed ? tryField(ref.def.name, ref.arg, registry) : tryField(ref.text, undefined, registry);
    if (typeof inner !== 'string') extracts.push({ key: ref.text, json: jsonGetter(inner) });
  }
  return { text: expr, end, render: textGetter(op.get, op.type, op.multi), extracts };
}

// ------------------------------------------------------------------------------------- rendering

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

function textGetter(get: ((ev: never) => unknown) | Getter, _type: FieldType, multi: Multiplicity): Getter {
  const g = get as (ev: Event) => unknown;
  if (multi === 'single') {
    return (ev) => {
      const v = g(ev);
      return v === undefined || v === null ? undefined : textOf(v);
    };
  }
  return (ev) => {
    const v = g(ev);
    if (v === undefined || v === null) return undefined;
    const arr = Array.isArray(v) ? v : [v];
    return `(${arr.map(textOf).join(',')})`;
  };
}

function jsonScalar(v: unknown, type: FieldType): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return v;
  if (NUMERIC.has(type)) return typeof v === 'number' ? v : Number(v);
  if (type === 'bool') return typeof v === 'boolean' ? v : v === 'true';
  return textOf(v);
}

/**
 * For nanosecond time fields (abstime, reltime), a getter that keeps integers beyond 2^53 exact
 * (as bigint): the condition compiler normalises them to doubles, which is fine for comparisons
 * but not for printing them.
 */
function exactTime(c: Compiled): Getter | undefined {
  if (c.multi !== 'single' || (c.type !== 'abstime' && c.type !== 'reltime')) return undefined;
  const raw = c.def.extractor(c.node.arg);
  if (typeof raw !== 'function') return undefined;
  const r = raw as (ev: Event) => unknown;
  const g = c.get as (ev: Event) => unknown;
  return (ev) => {
    const v = r(ev);
    if (typeof v === 'bigint') return v;
    if (typeof v === 'string' && /^-?[0-9]{16,}$/.test(v) && !Number.isSafeInteger(Number(v))) return BigInt(v);
    return g(ev);
  };
}

/**
 * The typed JSON value of a field for `output_fields`: numbers as numbers, bools as bools, other
 * types as strings, lists as arrays; time fields as integer nanoseconds (their jsonExtractor). An
 * integer beyond 2^53 is a bigint, so that nanosecond timestamps stay exact: serialise with a
 * bigint-aware writer.
 */
function jsonGetter(c: Compiled): Getter {
  if (c.def.jsonExtractor !== undefined) {
    const j = c.def.jsonExtractor(c.node.arg) as (ev: Event) => unknown;
    return (ev) => {
      const v = j(ev);
      return v === undefined || v === null ? null : v;
    };
  }
  const g = c.get as (ev: Event) => unknown;
  const type = c.type;
  const exact = exactTime(c);
  if (exact !== undefined) return (ev) => jsonScalar(exact(ev), type);
  if (c.multi === 'single') return (ev) => jsonScalar(g(ev), type);
  return (ev) => {
    const v = g(ev);
    if (v === undefined || v === null) return null;
    return (Array.isArray(v) ? v : [v]).map((x) => jsonScalar(x, type));
  };
}
