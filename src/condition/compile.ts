// Compiles a condition AST (macros already expanded) into a predicate `(event) => boolean`, once.
//
// Design: every check becomes a closure over a field extractor chosen at compile time and a
// comparator specialised for the operator and the literal, which is parsed to the field's type here
// (sets for `in`, a prefix trie for `pmatch`, compiled globs and RE2 regexes). No event data ever
// becomes code: predicates are closures, never generated source. Falco's semantics (§2.12): a check
// whose left side (or val() right side) is unavailable is false for every operator, including `!=`.

import { RE2JS } from 're2js';
import type {
  BinaryCheck, BinaryOp, Expr, FieldExpr, FieldLike, ListExpr, Pos, TransformerExpr, TrArg, UnaryCheck, ValueExpr,
} from './ast.js';
import { toString } from './ast.js';
import { ConditionCompileError } from '../common/errors.js';
import { EVENT_TYPE_SET } from '../event/evttypes.js';
import type { FieldRegistry } from '../fields/registry.js';
import type { FieldRef, FieldType, Multiplicity } from '../fields/types.js';
import { asciiLower, asciiUpper, compileGlob } from './glob.js';
import { compilePathPrefixes } from './pmatch.js';
import { ipKey, netContains, parseIp, parseNet, type IpAddr, type IpNet } from './net.js';
import {
  NUMERIC_TYPES, ipFromKey, normaliserFor, parseBoolLiteral, parseHexLiteral, parseNumberLiteral, toBytes, toNum, toStr,
} from './values.js';

export type Predicate = (event: never) => boolean;

export interface CompileWarning {
  readonly code: string;
  readonly message: string;
  readonly position: Pos;
}

export interface CompiledCondition {
  readonly test: Predicate;
  readonly warnings: readonly CompileWarning[];
  /** Every field the condition references (for sysdig replay projections and deprecation checks). */
  readonly fields: readonly FieldRef[];
}

type Getter = (ev: unknown) => unknown;

/** A compiled left or right operand: how to get its normalised value(s), and what it is. */
interface Operand {
  readonly get: Getter;
  readonly type: FieldType;
  readonly multi: Multiplicity;
  readonly text: string;
  readonly loc: Pos;
}

const ALL_TYPES: readonly FieldType[] = ['string', 'bytes', 'int', 'uint', 'port', 'bool', 'ipaddr', 'ipnet', 'reltime', 'abstime', 'double'];
const NUMERIC: readonly FieldType[] = ['int', 'uint', 'port', 'reltime', 'abstime', 'double'];

const OPERATOR_TYPES: Readonly<Record<BinaryOp | 'exists', ReadonlySet<FieldType>>> = {
  exists: new Set(ALL_TYPES),
  '=': new Set(ALL_TYPES),
  '==': new Set(ALL_TYPES),
  '!=': new Set(ALL_TYPES),
  '<': new Set([...NUMERIC, 'string']),
  '<=': new Set([...NUMERIC, 'string']),
  '>': new Set([...NUMERIC, 'string']),
  '>=': new Set([...NUMERIC, 'string']),
  contains: new Set(['string', 'bytes']),
  icontains: new Set(['string']),
  bcontains: new Set(['string', 'bytes']),
  bstartswith: new Set(['string', 'bytes']),
  startswith: new Set(['string', 'bytes']),
  endswith: new Set(['string', 'bytes']),
  glob: new Set(['string']),
  iglob: new Set(['string']),
  regex: new Set(['string']),
  in: new Set(ALL_TYPES),
  intersects: new Set(ALL_TYPES),
  pmatch: new Set(['string']),
};

const TRANSFORMER_SHAPE = /^(val|tolower|toupper|b64|basename|len|join|concat|getopt)\(.*\)$/s;
const FIELD_SHAPE = /^[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+(\[[^\]]*\])?$/;

// ----------------------------------------------------------------------------- per-event memoisation
//
// Rules share most of their work: the same fields (proc.name, fd.name…) and, through macros, the same
// checks (`evt.type in (open, openat, openat2)`, `fd.typechar = f`…) appear in dozens of conditions.
// Each distinct field extraction and each distinct check is compiled to one shared getter that
// remembers its value for the event being evaluated, so per event every field is extracted and every
// check computed at most once, whatever the number of rules. A remembered value is reused only for the
// same event object within the same evaluation generation; the engine starts a new generation per
// event (newEvaluation), so an event object that is reused or changed is never read stale.

let generation = 0;
const NONE = Symbol('none');

/** Starts the evaluation of a new (or changed) event: remembered field values and check results lapse. */
export function newEvaluation(): void {
  generation++;
}

function memo(get: Getter): Getter {
  let lastEv: unknown = NONE;
  let lastGen = -1;
  let lastVal: unknown;
  return (ev) => {
    if (ev === lastEv && lastGen === generation) return lastVal;
    const v = get(ev);
    lastEv = ev;
    lastGen = generation;
    lastVal = v;
    return v;
  };
}

interface Shared {
  /** Compiled expressions by node identity (macro trees are shared between rules). */
  readonly nodes: WeakMap<Expr, { readonly get: Getter; readonly warnings: readonly CompileWarning[]; readonly fields: readonly FieldRef[] }>;
  /** Compiled checks and field getters by canonical text. */
  readonly checks: Map<string, { readonly get: Getter; readonly warnings: readonly CompileWarning[]; readonly fields: readonly FieldRef[] }>;
  readonly fields: Map<string, Getter>;
}

const sharedByRegistry = new WeakMap<FieldRegistry, Shared>();

function sharedFor(registry: FieldRegistry): Shared {
  let s = sharedByRegistry.get(registry);
  if (s === undefined) sharedByRegistry.set(registry, (s = { nodes: new WeakMap(), checks: new Map(), fields: new Map() }));
  return s;
}

export interface CompileOptions {
  /** Reports deprecated fields as warnings (default true). */
  readonly warnDeprecated?: boolean;
}

export function compileCondition(expr: Expr, registry: FieldRegistry, options: CompileOptions = {}): CompiledCondition {
  const c = new Compiler(registry, options);
  const test = c.expr(expr);
  return { test: test as Predicate, warnings: c.warnings, fields: c.fields };
}

/** Compiles a single field or transformer reference (for output templates and explain). */
export function compileOperand(node: FieldLike, registry: FieldRegistry): {
  get: (ev: never) => unknown; type: FieldType; multi: Multiplicity; refs: readonly FieldRef[];
} {
  const c = new Compiler(registry, {});
  const op = c.operand(node, 'output');
  return { get: op.get as (ev: never) => unknown, type: op.type, multi: op.multi, refs: c.fields };
}

class Compiler {
  readonly warnings: CompileWarning[] = [];
  readonly fields: FieldRef[] = [];

  constructor(private readonly registry: FieldRegistry, private readonly options: CompileOptions) {}

  fail(message: string, loc: Pos): never {
    throw new ConditionCompileError(message, loc);
  }

  /** Compiles an expression, sharing (and remembering per event) what other conditions compiled before. */
  expr(e: Expr): Getter {
    const shared = sharedFor(this.registry);
    const known = shared.nodes.get(e);
    if (known !== undefined) return this.reuse(known);
    let key: string | undefined;
    if (e.kind === 'unary' || e.kind === 'binary') {
      key = toString(e);
      const byText = shared.checks.get(key);
      if (byText !== undefined) {
        shared.nodes.set(e, byText);
        return this.reuse(byText);
      }
    }
    const w0 = this.warnings.length;
    const f0 = this.fields.length;
    const get = memo(this.compileExpr(e));
    const entry = { get, warnings: this.warnings.slice(w0), fields: this.fields.slice(f0) };
    shared.nodes.set(e, entry);
    if (key !== undefined) shared.checks.set(key, entry);
    return get;
  }

  private reuse(entry: { readonly get: Getter; readonly warnings: readonly CompileWarning[]; readonly fields: readonly FieldRef[] }): Getter {
    this.warnings.push(...entry.warnings);
    this.fields.push(...entry.fields);
    return entry.get;
  }

  private compileExpr(e: Expr): Getter {
    switch (e.kind) {
      case 'and':
        return and(e.children.map((c) => this.expr(c)));
      case 'or':
        return or(e.children.map((c) => this.expr(c)));
      case 'not': {
        const inner = this.expr(e.child);
        return (ev) => !inner(ev);
      }
      case 'identifier':
        return this.fail(`filter error: unexpected identifier '${e.name}'`, e.loc);
      case 'unary':
        return this.unary(e);
      case 'binary':
        return this.binary(e);
    }
  }

  // ------------------------------------------------------------------------------------- operands

  field(node: FieldExpr, role: 'lhs' | 'rhs' | 'output'): Operand {
    const res = this.registry.resolve(node.name, node.arg);
    if (!res.ok) this.fail(res.message, node.loc);
    const { def, arg } = res.ref;
    if (role === 'rhs' && def.noRhs) this.fail(`field '${res.ref.text}' can't be used on the right-hand side of a comparison`, node.loc);
    this.fields.push(res.ref);
    if (def.deprecated && this.options.warnDeprecated !== false) {
      this.warnings.push({ code: 'LOAD_DEPRECATED_ITEM', message: `field '${def.name}' is deprecated`, position: node.loc });
    }
    const multi = def.multiplicity(arg);
    const shared = sharedFor(this.registry).fields;
    let get = shared.get(res.ref.text);
    if (get === undefined) {
      const ex = def.extractor(arg);
      if (typeof ex === 'string') this.fail(ex, node.loc);
      const norm = normaliserFor(def.type);
      const raw = ex as Getter;
      if (multi === 'single') {
        get = norm === toStr
          ? (ev) => { const v = raw(ev); return typeof v === 'string' ? v : v === undefined ? undefined : toStr(v); }
          : (ev) => { const v = raw(ev); return v === undefined ? undefined : norm(v); };
      } else {
        get = (ev) => normaliseMany(raw(ev), norm);
      }
      get = memo(get);
      shared.set(res.ref.text, get);
    }
    return { get, type: def.type, multi, text: res.ref.text, loc: node.loc };
  }

  operand(node: FieldLike, role: 'lhs' | 'rhs' | 'output'): Operand {
    return node.kind === 'field' ? this.field(node, role) : this.transformer(node, role);
  }

  transformer(node: TransformerExpr, role: 'lhs' | 'rhs' | 'output'): Operand {
    const text = toString(node);
    if (node.arg !== undefined && node.name !== 'getopt') {
      this.fail(`field transformer '${node.name}' does not support arguments`, node.loc);
    }
    if (node.name === 'val') {
      if (role !== 'rhs') this.fail("'val' can only be used on the right-hand side of a comparison", node.loc);
      const [inner] = node.args;
      if (inner === undefined || inner.kind !== 'field') this.fail("expected a field within 'val' transformer", node.loc);
      return this.field(inner as FieldExpr, 'rhs');
    }
    if (node.name === 'join' || node.name === 'concat' || node.name === 'getopt') return this.multiTransformer(node, text);
    const [inner] = node.args;
    if (inner === undefined || (inner.kind !== 'field' && inner.kind !== 'transformer')) {
      this.fail(`expected a field or a nested transformer within '${node.name}'`, node.loc);
    }
    const arg = this.operand(inner as FieldLike, role === 'rhs' ? 'rhs' : 'lhs');
    if (inner.kind === 'field') {
      const res = this.registry.resolve(inner.name, inner.arg);
      if (res.ok && res.ref.def.noTransformer) {
        this.fail(`can't add field transformer: field '${res.ref.text}' does not support transformers`, node.loc);
      }
    }
    const unsupported = (): never =>
      this.fail(`can't add field transformer: type '${arg.type}' is not supported by '${node.name}'`, node.loc);
    const textLike = arg.type === 'string' || arg.type === 'bytes';
    let map: (v: unknown) => unknown;
    let type: FieldType = arg.type;
    switch (node.name) {
      case 'tolower':
        if (!textLike) unsupported();
        map = (v) => asciiLower(v as string);
        break;
      case 'toupper':
        if (!textLike) unsupported();
        map = (v) => asciiUpper(v as string);
        break;
      case 'basename':
        if (!textLike) unsupported();
        map = (v) => { const s = v as string; const i = s.lastIndexOf('/'); return i < 0 ? s : s.slice(i + 1); };
        break;
      case 'b64':
        if (!textLike) unsupported();
        type = 'bytes';
        map = (v) => decodeBase64(v as string);
        break;
      case 'len':
        if (!textLike && arg.multi !== 'list') unsupported();
        type = 'uint';
        if (arg.multi === 'list') {
          const g = arg.get;
          return { get: (ev) => { const vs = g(ev) as unknown[] | undefined; return vs === undefined ? undefined : vs.length; }, type, multi: 'single', text, loc: node.loc };
        }
        map = (v) => Buffer.byteLength(v as string, arg.type === 'bytes' ? 'latin1' : 'utf8');
        break;
      default:
        return this.fail(`unknown transformer '${String(node.name)}'`, node.loc);
    }
    const g = arg.get;
    const get: Getter = arg.multi === 'single'
      ? (ev) => { const v = g(ev); return v === undefined ? undefined : map(v); }
      : (ev) => { const vs = g(ev) as unknown[] | undefined; return vs === undefined ? undefined : vs.map(map).filter((x) => x !== undefined); };
    return { get, type, multi: arg.multi, text, loc: node.loc };
  }

  private trArg(a: TrArg): Getter {
    switch (a.kind) {
      case 'value': {
        const v = a.value;
        return () => v;
      }
      case 'field':
      case 'transformer': {
        const op = this.operand(a, 'lhs');
        const g = op.get;
        return op.multi === 'single' ? (ev) => { const v = g(ev); return v === undefined ? undefined : toStr(v); } : g;
      }
      case 'trlist': {
        const items = a.items.map((x) => this.trArg(x));
        return (ev) => items.map((f) => f(ev));
      }
    }
  }

  private multiTransformer(node: TransformerExpr, text: string): Operand {
    const args = node.args.map((a) => this.trArg(a));
    if (node.name === 'concat') {
      return {
        get: (ev) => {
          let out = '';
          for (const f of args) {
            const v = f(ev);
            if (v === undefined) return undefined;
            out += Array.isArray(v) ? v.join('') : String(v);
          }
          return out;
        },
        type: 'string', multi: 'single', text, loc: node.loc,
      };
    }
    if (node.name === 'join') {
      const [sepNode, listNode] = node.args;
      if (node.args.length !== 2 || sepNode?.kind !== 'value' || listNode?.kind !== 'trlist') {
        this.fail("'join' expects a separator string and a list: join(sep, (a, b, ...))", node.loc);
      }
      const sep = (sepNode as ValueExpr).value;
      const list = args[1] as Getter;
      return {
        get: (ev) => {
          const vs = list(ev) as unknown[];
          const parts: string[] = [];
          for (const v of vs) {
            if (v === undefined) return undefined;
            if (Array.isArray(v)) parts.push(...v.map(String)); else parts.push(String(v));
          }
          return parts.join(sep);
        },
        type: 'string', multi: 'single', text, loc: node.loc,
      };
    }
    // getopt(args, "optstring")[opt]: the value of option `opt` in a command-line argument string.
    const [argsNode, optsNode] = node.args;
    if (node.args.length !== 2 || optsNode?.kind !== 'value' || argsNode === undefined) {
      this.fail("'getopt' expects an argument string and an option string: getopt(proc.args, \"ab:c\")[b]", node.loc);
    }
    const spec = (optsNode as ValueExpr).value;
    const want = node.arg;
    const source = args[0] as Getter;
    return {
      get: (ev) => {
        const v = source(ev);
        if (v === undefined) return undefined;
        const parsed = getopt(String(v), spec);
        return want === undefined ? Object.keys(parsed).join(' ') : parsed[want];
      },
      type: 'string', multi: 'single', text, loc: node.loc,
    };
  }

  // --------------------------------------------------------------------------------------- checks

  unary(e: UnaryCheck): Getter {
    const op = this.operand(e.left, 'lhs');
    const g = op.get;
    if (op.multi === 'single') return (ev) => g(ev) !== undefined;
    return (ev) => { const vs = g(ev) as unknown[] | undefined; return vs !== undefined && vs.length > 0; };
  }

  binary(e: BinaryCheck): Getter {
    const left = this.operand(e.left, 'lhs');
    if (!OPERATOR_TYPES[e.op].has(left.type)) {
      this.fail(`operator '${e.op}' is not supported by field '${left.text}' of type ${left.type}`, e.loc);
    }
    if ((left.type === 'ipaddr' || left.type === 'ipnet' || left.type === 'bool') && !['=', '==', '!=', 'in', 'intersects'].includes(e.op)) {
      this.fail(`operator '${e.op}' is not supported by field '${left.text}' of type ${left.type}`, e.loc);
    }
    // libsinsp (flt_is_comparable): a list field (EPF_IS_LIST, also when indexed) only takes the set
    // operators; `=`, `contains`, modifiers, … on it are compile errors, not "any value matches".
    if (left.multi === 'list' && e.op !== 'in' && e.op !== 'intersects') {
      this.fail(`'${e.op}' operator not supported list filters (field '${left.text}' is a list: use 'in' or 'intersects')`, e.loc);
    }
    const right = e.right;
    if (right.kind === 'transformer') return this.fieldComparison(e, left, this.operand(right, 'rhs'));

    const values = right.kind === 'list' ? right.values : [right.value];
    this.valueWarnings(e, left, right);
    if (this.registry.source === 'syscall' && e.left.kind === 'field' && e.left.name === 'evt.type' && e.left.arg === undefined
      && ['=', '==', '!=', 'in', 'intersects'].includes(e.op)) {
      for (const v of values) if (!EVENT_TYPE_SET.has(v)) this.fail(`unknown event type ${v}`, right.loc);
    }
    if (e.modifier !== undefined) return this.modifierCheck(e, left, values, right.loc);
    const isSetOp = e.op === 'in' || e.op === 'intersects' || e.op === 'pmatch';
    if (!isSetOp && right.kind === 'list') this.fail(`operator '${e.op}' does not accept a list`, right.loc);
    if (isSetOp) return this.setCheck(e, left, values, right.loc);
    const cmp = this.comparator(e.op, left, (right as ValueExpr).value, right.loc);
    return applyOne(left, cmp);
  }

  /** Compile-time checks of literal values that Falco reports as warnings (§2.11). */
  private valueWarnings(e: BinaryCheck, left: Operand, right: ValueExpr | ListExpr): void {
    const values = right.kind === 'list' ? right.values : [right.value];
    for (const v of values) {
      const squashed = v.replace(/\s+/g, '');
      if (FIELD_SHAPE.test(squashed)) {
        const m = /^([^[]+)(?:\[(.*)\])?$/.exec(squashed);
        if (m && this.registry.resolve(m[1] as string, m[2], { suggest: false }).ok) {
          this.warnings.push({ code: 'LOAD_COMPILE_CONDITION', message: `'${v}' may be a valid field misused as a const string value`, position: right.loc });
        }
      } else if (TRANSFORMER_SHAPE.test(squashed)) {
        this.warnings.push({ code: 'LOAD_COMPILE_CONDITION', message: `'${v}' may be a valid field transformer misused as a const string value`, position: right.loc });
      }
      if (v === '<NA>' && /^(ka|jevt)\./.test(left.text) && ['=', '==', '!=', 'in', 'intersects', 'pmatch'].includes(e.op)) {
        this.warnings.push({
          code: 'LOAD_UNSAFE_NA_CHECK',
          message: `comparing '${left.text}' with '<NA>' is unsafe: a missing value never equals '<NA>'; use 'exists' instead`,
          position: right.loc,
        });
      }
    }
    if (e.op === 'regex' && right.kind === 'value') {
      const core = right.value.replace(/^\^/, '').replace(/^\.[*+?]/, '').replace(/\$$/, '').replace(/\.[*+?]$/, '');
      if (!/[\\.^$|?*+()[\]{}]/.test(core)) {
        this.warnings.push({
          code: 'LOAD_COMPILE_CONDITION',
          message: `regex value '${right.value}' has no regex metacharacters: consider '=', 'contains', 'startswith' or 'endswith', which are faster`,
          position: right.loc,
        });
      }
    }
  }

  /** Parses a literal into the left operand's type; fails with a located error when it can't. */
  private literal(left: Operand, text: string, loc: Pos, op: string): unknown {
    if (text.includes('\0') && !(left.type === 'bytes' && (op === '=' || op === '=='))) {
      this.fail('filter values cannot contain NUL bytes', loc);
    }
    switch (left.type) {
      case 'string':
        return text;
      case 'bytes':
        return toBytes(text);
      case 'bool': {
        const b = parseBoolLiteral(text);
        if (b === undefined) this.fail(`'${text}' is not a valid bool value for field '${left.text}': use true or false`, loc);
        return b;
      }
      case 'ipaddr': {
        const ip = parseIp(text);
        if (ip !== undefined) return ip;
        const net = parseNet(text);
        if (net !== undefined) return net;
        return this.fail(`'${text}' is not a valid IP address for field '${left.text}'`, loc);
      }
      case 'ipnet': {
        const net = parseNet(text);
        if (net === undefined) this.fail(`'${text}' is not a valid IP network for field '${left.text}'`, loc);
        return net;
      }
      default: {
        const n = parseNumberLiteral(text, left.type);
        if (n === undefined) this.fail(`'${text}' is not a valid number for field '${left.text}' of type ${left.type}`, loc);
        return n;
      }
    }
  }

  /** A comparator for one operator and one literal, over normalised values of the left operand. */
  private comparator(op: BinaryOp, left: Operand, text: string, loc: Pos): (v: unknown) => boolean {
    if (op === 'bcontains' || op === 'bstartswith') {
      const needle = parseHexLiteral(text);
      if (needle === undefined) this.fail('bcontains and bstartswith operator support hex strings only', loc);
      const n = needle as string;
      const toB = left.type === 'bytes' ? (v: unknown) => v as string : (v: unknown) => toBytes(v) ?? '';
      return op === 'bcontains' ? (v) => toB(v).includes(n) : (v) => toB(v).startsWith(n);
    }
    const lit = this.literal(left, text, loc, op);
    if (left.type === 'ipaddr' || left.type === 'ipnet') {
      const test = ipMatcher([lit as IpAddr | IpNet]);
      if (op === '!=') return (v) => !test(v as string);
      return (v) => test(v as string);
    }
    if (left.type === 'bool') {
      const b = lit as boolean;
      return op === '!=' ? (v) => v !== b : (v) => v === b;
    }
    if (NUMERIC_TYPES.has(left.type)) {
      const n = lit as number;
      switch (op) {
        case '=': case '==': return (v) => v === n;
        case '!=': return (v) => v !== n;
        case '<': return (v) => (v as number) < n;
        case '<=': return (v) => (v as number) <= n;
        case '>': return (v) => (v as number) > n;
        case '>=': return (v) => (v as number) >= n;
        default: return this.fail(`operator '${op}' is not supported by field '${left.text}' of type ${left.type}`, loc);
      }
    }
    const s = lit as string;
    switch (op) {
      case '=': case '==': return (v) => v === s;
      case '!=': return (v) => v !== s;
      case '<': return (v) => (v as string) < s;
      case '<=': return (v) => (v as string) <= s;
      case '>': return (v) => (v as string) > s;
      case '>=': return (v) => (v as string) >= s;
      case 'contains': return (v) => (v as string).includes(s);
      case 'icontains': { const low = asciiLower(s); return (v) => asciiLower(v as string).includes(low); }
      case 'startswith': return (v) => (v as string).startsWith(s);
      case 'endswith': return (v) => (v as string).endsWith(s);
      case 'glob': { const g = compileGlob(s); return (v) => g(v as string); }
      case 'iglob': { const g = compileGlob(s, true); return (v) => g(v as string); }
      case 'regex': {
        let re: RE2JS;
        try {
          re = RE2JS.compile(s);
        } catch (err) {
          return this.fail(`invalid regex '${s}': ${(err as Error).message}`, loc);
        }
        return (v) => re.matches(v as string);
      }
      default:
        return this.fail(`operator '${op}' is not supported by field '${left.text}' of type ${left.type}`, loc);
    }
  }

  private setCheck(e: BinaryCheck, left: Operand, values: readonly string[], loc: Pos): Getter {
    let member: (v: unknown) => boolean;
    if (e.op === 'pmatch') {
      const trie = compilePathPrefixes(values);
      member = (v) => trie(v as string);
    } else if (left.type === 'ipaddr' || left.type === 'ipnet') {
      const ipTest = ipMatcher(values.map((v) => this.literal(left, v, loc, e.op) as IpAddr | IpNet));
      member = (v) => ipTest(v as string);
    } else {
      const set = new Set(values.map((v) => this.literal(left, v, loc, e.op)));
      member = (v) => set.has(v);
    }
    const g = left.get;
    if (left.multi === 'single') return (ev) => { const v = g(ev); return v !== undefined && member(v); };
    if (left.multi === 'list' && e.op === 'in') {
      return (ev) => {
        const vs = g(ev) as unknown[] | undefined;
        if (vs === undefined || vs.length === 0) return false;
        for (const v of vs) if (!member(v)) return false;
        return true;
      };
    }
    return (ev) => {
      const vs = g(ev) as unknown[] | undefined;
      if (vs === undefined) return false;
      for (const v of vs) if (member(v)) return true;
      return false;
    };
  }

  private modifierCheck(e: BinaryCheck, left: Operand, values: readonly string[], loc: Pos): Getter {
    if (e.op === 'in' || e.op === 'intersects' || e.op === 'pmatch' || NUMERIC_TYPES.has(left.type) && !['=', '==', '!='].includes(e.op)) {
      this.fail(`modifier '${e.modifier}' can't be used with operator '${e.op}'`, loc);
    }
    const cmps = values.map((v) => this.comparator(e.op, left, v, loc));
    const mod = e.modifier;
    const test = (v: unknown): boolean => {
      if (cmps.length === 0) return false;
      let hits = 0;
      for (const c of cmps) {
        if (c(v)) {
          hits++;
          if (mod === 'anyof') return true;
          if (mod === 'oneof' && hits > 1) return false;
        } else if (mod === 'allof') {
          return false;
        }
      }
      return mod === 'oneof' ? hits === 1 : mod === 'allof';
    };
    return applyOne(left, test);
  }

  /** `field op val(other)` or `field op transformer(other)`: both sides extracted per event. */
  private fieldComparison(e: BinaryCheck, left: Operand, right: Operand): Getter {
    if (e.op === 'regex' || e.op === 'pmatch') this.fail(`operator '${e.op}' does not support a field on the right-hand side`, right.loc);
    if (e.modifier !== undefined) this.fail(`modifier '${e.modifier}' does not support a field on the right-hand side`, right.loc);
    const sameFamily = (a: FieldType): string => (a === 'bytes' ? 'string' : NUMERIC_TYPES.has(a) ? 'number' : a === 'ipnet' ? 'ipaddr' : a);
    if (sameFamily(left.type) !== sameFamily(right.type) || (left.multi === 'list') !== (right.multi === 'list')) {
      this.fail(`field '${right.text}' has incompatible type ${right.type} for comparison with '${left.text}' of type ${left.type}`, right.loc);
    }
    const op = e.op;
    const lg = left.get;
    const rg = right.get;
    const compare = dynamicComparator(op, left.type);
    if (op === 'in' || op === 'intersects') {
      return (ev) => {
        const r = rg(ev);
        const l = lg(ev);
        if (l === undefined || r === undefined) return false;
        const set = Array.isArray(r) ? r : [r];
        const ls = Array.isArray(l) ? l : [l];
        if (ls.length === 0) return false;
        return op === 'in' ? ls.every((x) => set.includes(x)) : ls.some((x) => set.includes(x));
      };
    }
    return (ev) => {
      const l = lg(ev);
      if (l === undefined) return false;
      const r = rg(ev);
      if (r === undefined) return false;
      if (Array.isArray(l)) return l.some((x) => compare(x, r));
      return compare(l, r);
    };
  }
}

// ------------------------------------------------------------------------------------------ helpers

function and(preds: Getter[]): Getter {
  const [a, b, c] = preds;
  if (preds.length === 1 && a) return a;
  if (preds.length === 2 && a && b) return (ev) => a(ev) && b(ev);
  if (preds.length === 3 && a && b && c) return (ev) => a(ev) && b(ev) && c(ev);
  return (ev) => {
    for (let i = 0; i < preds.length; i++) if (!(preds[i] as Getter)(ev)) return false;
    return true;
  };
}

function or(preds: Getter[]): Getter {
  const [a, b, c] = preds;
  if (preds.length === 1 && a) return a;
  if (preds.length === 2 && a && b) return (ev) => a(ev) || b(ev);
  if (preds.length === 3 && a && b && c) return (ev) => a(ev) || b(ev) || c(ev);
  return (ev) => {
    for (let i = 0; i < preds.length; i++) if ((preds[i] as Getter)(ev)) return true;
    return false;
  };
}

/** Applies a value comparator with Falco's rules: missing → false; 'any' → any value matches ('list' never gets here). */
function applyOne(left: Operand, cmp: (v: unknown) => boolean): Getter {
  const g = left.get;
  if (left.multi === 'single') return (ev) => { const v = g(ev); return v !== undefined && cmp(v); };
  return (ev) => {
    const vs = g(ev) as unknown[] | undefined;
    if (vs === undefined) return false;
    for (const v of vs) if (cmp(v)) return true;
    return false;
  };
}

function normaliseMany(raw: unknown, norm: (v: unknown) => unknown): unknown[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const arr = Array.isArray(raw) ? raw : [raw];
  const out: unknown[] = [];
  for (const x of arr) {
    if (x === undefined || x === null) continue;
    const v = norm(x);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** Membership of a normalised address (canonical text) in a set of addresses and networks. */
function ipMatcher(items: readonly (IpAddr | IpNet)[]): (v: string) => boolean {
  const keys = new Set<string>();
  const nets: IpNet[] = [];
  for (const it of items) {
    if ('prefix' in it) {
      if (it.prefix === (it.addr.v6 ? 128 : 32)) keys.add(ipKey(it.addr));
      else nets.push(it);
    } else {
      keys.add(ipKey(it));
    }
  }
  return (v) => {
    if (keys.has(v)) return true;
    if (nets.length === 0) return false;
    const ip = ipFromKey(v);
    if (ip === undefined) return false;
    for (const n of nets) if (netContains(n, ip)) return true;
    return false;
  };
}

function dynamicComparator(op: BinaryOp, type: FieldType): (a: unknown, b: unknown) => boolean {
  const numeric = NUMERIC_TYPES.has(type);
  switch (op) {
    case '=': case '==': return (a, b) => a === b;
    case '!=': return (a, b) => a !== b;
    case '<': return (a, b) => (numeric ? (toNum(a) ?? NaN) < (toNum(b) ?? NaN) : String(a) < String(b));
    case '<=': return (a, b) => (numeric ? (toNum(a) ?? NaN) <= (toNum(b) ?? NaN) : String(a) <= String(b));
    case '>': return (a, b) => (numeric ? (toNum(a) ?? NaN) > (toNum(b) ?? NaN) : String(a) > String(b));
    case '>=': return (a, b) => (numeric ? (toNum(a) ?? NaN) >= (toNum(b) ?? NaN) : String(a) >= String(b));
    case 'contains': return (a, b) => String(a).includes(String(b));
    case 'icontains': return (a, b) => asciiLower(String(a)).includes(asciiLower(String(b)));
    case 'startswith': case 'bstartswith': return (a, b) => String(a).startsWith(String(b));
    case 'endswith': return (a, b) => String(a).endsWith(String(b));
    case 'bcontains': return (a, b) => String(a).includes(String(b));
    case 'glob': return (a, b) => compileGlob(String(b))(String(a));
    case 'iglob': return (a, b) => compileGlob(String(b), true)(String(a));
    default: return () => false;
  }
}

function decodeBase64(s: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64').toString('latin1');
}

/** POSIX getopt over a whitespace-separated argument string: option letter → value ("" for flags). */
export function getopt(args: string, spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  const argv = args.split(/\s+/).filter((a) => a !== '');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') continue;
    for (let j = 1; j < a.length; j++) {
      const opt = a[j] as string;
      const at = spec.indexOf(opt);
      if (at < 0) continue;
      if (spec[at + 1] === ':') {
        out[opt] = j + 1 < a.length ? a.slice(j + 1) : argv[++i] ?? '';
        break;
      }
      out[opt] = '';
    }
  }
  return out;
}
