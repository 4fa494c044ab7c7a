// Compiles a condition AST (macros already expanded) into a predicate `(event) => boolean`, once.
//
// Design: the compiler validates the condition and builds its evaluation plan (plan.ts): every check
// pairs a field extractor chosen at compile time with a test specialised for the operator and the
// literal, which is parsed to the field's type here (sets for `in`, a prefix trie for `pmatch`,
// compiled globs and RE2 regexes). The plan becomes one generated function per condition
// (codegen.ts), or closures where code generation is unavailable (interpret.ts); rule text and event
// data never become code. Falco's semantics (§2.12): a check whose left side (or val() right side)
// is unavailable is false for every operator, including `!=`.

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
  NUMERIC_TYPES, ipFromKey, ipv4Number, normaliserFor, parseBoolLiteral, parseHexLiteral, parseNumberLiteral, toBytes, toNum, toStr,
} from './values.js';
import {
  COST, MEMO_MIN, inlinable, planCheck, planJunction, planNot, testChance, testCost, type Getter, type PlanNode, type PlanValue,
  type Quantifier, type Test,
} from './plan.js';
import { newSlot } from './memo.js';
import { generatePredicate } from './codegen.js';
import { interpretPredicate } from './interpret.js';
import { specialize } from './specialize.js';

export { newEvaluation } from './memo.js';

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

/** A compiled left or right operand: how to get its normalised value(s), and what it is. */
interface Operand {
  readonly get: Getter;
  readonly type: FieldType;
  readonly multi: Multiplicity;
  readonly text: string;
  readonly loc: Pos;
  readonly value: PlanValue;
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

// ------------------------------------------------------------------------------------- sharing
//
// Rules share most of their work: the same fields (proc.name, fd.name…) and, through macros, the same
// checks (`evt.type in (open, openat, openat2)`, `fd.typechar = f`…) appear in dozens of conditions.
// Each distinct field and each distinct check or sub-expression is planned once per registry and the
// plan node is shared, so a node that is memoised (plan.ts: costly enough) is computed at most once
// per event whatever the number of rules that contain it (memo.ts has the contract).

interface Entry {
  readonly node: PlanNode;
  readonly warnings: readonly CompileWarning[];
  readonly fields: readonly FieldRef[];
}

interface Shared {
  /** Planned expressions by node identity (macro trees are shared between rules). */
  readonly nodes: WeakMap<Expr, Entry>;
  /** Planned checks by canonical text. */
  readonly checks: Map<string, Entry>;
  /** Field operands by canonical text. */
  readonly fields: Map<string, PlanValue>;
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
  /**
   * 'code' (default): one generated function per condition, or closures where the runtime forbids
   * code generation; 'closures': always closures (the reference the generated code is tested against).
   */
  readonly backend?: 'code' | 'closures';
}

/** Compiles a condition: validation, planning and its predicate at once. */
export function compileCondition(expr: Expr, registry: FieldRegistry, options: CompileOptions = {}): CompiledCondition {
  const planned = planCondition(expr, registry, options);
  return { test: predicateOf(planned), warnings: planned.warnings, fields: planned.fields };
}

/** A validated condition whose predicate is not built yet (see planCondition). */
export interface PlannedCondition {
  readonly plan: PlanNode;
  readonly warnings: readonly CompileWarning[];
  readonly fields: readonly FieldRef[];
  readonly backend: 'code' | 'closures';
}

/**
 * The first half of compileCondition: validates the condition (throwing ConditionCompileError) and
 * plans it. A rule set is best compiled by planning every condition first and building predicates
 * after (predicateOf): which sub-expressions several conditions share — and so are worth
 * remembering per event — is then known to every predicate, including the first that uses them.
 */
export function planCondition(expr: Expr, registry: FieldRegistry, options: CompileOptions = {}): PlannedCondition {
  const c = new Compiler(registry, options);
  const plan = c.expr(expr);
  return { plan, warnings: c.warnings, fields: c.fields, backend: options.backend ?? 'code' };
}

/** The predicate of a planned condition (generated code, or closures where code generation is unavailable). */
export function predicateOf(planned: PlannedCondition): Predicate {
  const test = build(planned.plan, planned.backend);
  plans.set(test, planned);
  return test;
}

function build(plan: PlanNode, backend: 'code' | 'closures'): Predicate {
  return ((backend === 'closures' ? undefined : generatePredicate(plan)) ?? interpretPredicate(plan)) as Predicate;
}

/** The planned condition of each predicate built here (for specialisation). */
const plans = new WeakMap<Predicate, PlannedCondition>();
/**
 * The plan of a predicate built by compileCondition or predicateOf, specialised for events of `type`
 * whose values are all derived (`event.given === undefined`): checks on `evt.type` folded away
 * (specialize.ts). A boolean when the type alone decides the condition; undefined when `test` was
 * not built here. For generated dispatchers (codegen.ts), which serve one event type.
 */
export function planForEventType(test: Predicate, type: string): PlanNode | boolean | undefined {
  const planned = plans.get(test);
  if (planned === undefined || planned.backend === 'closures') return undefined;
  return specialize(planned.plan, type);
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

  /** Plans an expression, sharing what other conditions planned before. */
  expr(e: Expr): PlanNode {
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
    const entry: Entry = { node: this.planExpr(e), warnings: this.warnings.slice(w0), fields: this.fields.slice(f0) };
    shared.nodes.set(e, entry);
    if (key !== undefined) shared.checks.set(key, entry);
    return entry.node;
  }

  /**
   * A node planned before, for another condition or elsewhere in this one: from now on it is shared,
   * so when costly enough it gets a memo slot (conditions generated from now on use it).
   */
  private reuse(entry: Entry): PlanNode {
    this.warnings.push(...entry.warnings);
    this.fields.push(...entry.fields);
    const node = entry.node;
    if (node.slot === undefined && node.cost >= MEMO_MIN) node.slot = newSlot();
    return node;
  }

  private planExpr(e: Expr): PlanNode {
    switch (e.kind) {
      case 'and':
      case 'or':
        return planJunction(e.kind, e.children.map((c) => this.expr(c)));
      case 'not':
        return planNot(this.expr(e.child));
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
    let value = shared.get(res.ref.text);
    if (value === undefined) {
      const ex = def.extractor(arg);
      if (typeof ex === 'string') this.fail(ex, node.loc);
      const norm = normaliserFor(def.type);
      const raw = ex as Getter;
      let get: Getter;
      if (multi === 'single') {
        get = norm === toStr
          ? (ev) => { const v = raw(ev); return typeof v === 'string' ? v : v === undefined ? undefined : toStr(v); }
          : (ev) => { const v = raw(ev); return v === undefined ? undefined : norm(v); };
      } else {
        get = (ev) => normaliseMany(raw(ev), norm);
      }
      const derive = multi === 'single' ? def.derivation?.(arg) as Getter | undefined : undefined;
      const cost = multi !== 'single' || def.costly ? COST.costlyField : derive === undefined ? COST.opaqueField : COST.field;
      const eventType = this.registry.source === 'syscall' && def.name === 'evt.type' && arg === undefined;
      value = { get, derive, type: def.type, multi, cost, slot: cost >= MEMO_MIN ? newSlot() : undefined, eventType };
      shared.set(res.ref.text, value);
    }
    return { get: value.get, type: def.type, multi, text: res.ref.text, loc: node.loc, value };
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
          return operand((ev) => { const vs = g(ev) as unknown[] | undefined; return vs === undefined ? undefined : vs.length; }, type, 'single', text, node.loc, arg.value.cost);
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
    return operand(get, type, arg.multi, text, node.loc, arg.value.cost);
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
      return operand((ev) => {
        let out = '';
        for (const f of args) {
          const v = f(ev);
          if (v === undefined) return undefined;
          out += Array.isArray(v) ? v.join('') : String(v);
        }
        return out;
      }, 'string', 'single', text, node.loc, COST.costlyField);
    }
    if (node.name === 'join') {
      const [sepNode, listNode] = node.args;
      if (node.args.length !== 2 || sepNode?.kind !== 'value' || listNode?.kind !== 'trlist') {
        this.fail("'join' expects a separator string and a list: join(sep, (a, b, ...))", node.loc);
      }
      const sep = (sepNode as ValueExpr).value;
      const list = args[1] as Getter;
      return operand((ev) => {
        const vs = list(ev) as unknown[];
        const parts: string[] = [];
        for (const v of vs) {
          if (v === undefined) return undefined;
          if (Array.isArray(v)) parts.push(...v.map(String)); else parts.push(String(v));
        }
        return parts.join(sep);
      }, 'string', 'single', text, node.loc, COST.costlyField);
    }
    // getopt(args, "optstring")[opt]: the value of option `opt` in a command-line argument string.
    const [argsNode, optsNode] = node.args;
    if (node.args.length !== 2 || optsNode?.kind !== 'value' || argsNode === undefined) {
      this.fail("'getopt' expects an argument string and an option string: getopt(proc.args, \"ab:c\")[b]", node.loc);
    }
    const spec = (optsNode as ValueExpr).value;
    const want = node.arg;
    const source = args[0] as Getter;
    return operand((ev) => {
      const v = source(ev);
      if (v === undefined) return undefined;
      const parsed = getopt(String(v), spec);
      return want === undefined ? Object.keys(parsed).join(' ') : parsed[want];
    }, 'string', 'single', text, node.loc, COST.costlyField);
  }

  // --------------------------------------------------------------------------------------- checks

  unary(e: UnaryCheck): PlanNode {
    const op = this.operand(e.left, 'lhs');
    return planCheck(op.value, op.multi === 'single' ? 'one' : 'some', undefined, 0, testChance('exists', op.type));
  }

  binary(e: BinaryCheck): PlanNode {
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
    return planCheck(left.value, left.multi === 'single' ? 'one' : 'some', cmp, testCost(e.op), testChance(e.op, left.type));
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
      return op === '!=' ? inlinable((v) => v !== b, '!==', b) : inlinable((v) => v === b, '===', b);
    }
    if (NUMERIC_TYPES.has(left.type)) {
      const n = lit as number;
      switch (op) {
        case '=': case '==': return inlinable((v) => v === n, '===', n);
        case '!=': return inlinable((v) => v !== n, '!==', n);
        case '<': return inlinable((v) => (v as number) < n, '<', n);
        case '<=': return inlinable((v) => (v as number) <= n, '<=', n);
        case '>': return inlinable((v) => (v as number) > n, '>', n);
        case '>=': return inlinable((v) => (v as number) >= n, '>=', n);
        default: return this.fail(`operator '${op}' is not supported by field '${left.text}' of type ${left.type}`, loc);
      }
    }
    const s = lit as string;
    switch (op) {
      case '=': case '==': return inlinable((v) => v === s, '===', s);
      case '!=': return inlinable((v) => v !== s, '!==', s);
      case '<': return inlinable((v) => (v as string) < s, '<', s);
      case '<=': return inlinable((v) => (v as string) <= s, '<=', s);
      case '>': return inlinable((v) => (v as string) > s, '>', s);
      case '>=': return inlinable((v) => (v as string) >= s, '>=', s);
      case 'contains': return inlinable((v) => (v as string).includes(s), 'includes', s);
      case 'icontains': { const low = asciiLower(s); return (v) => asciiLower(v as string).includes(low); }
      case 'startswith': return inlinable((v) => (v as string).startsWith(s), 'startsWith', s);
      case 'endswith': return inlinable((v) => (v as string).endsWith(s), 'endsWith', s);
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

  private setCheck(e: BinaryCheck, left: Operand, values: readonly string[], loc: Pos): PlanNode {
    let member: Test;
    if (e.op === 'pmatch') {
      const trie = compilePathPrefixes(values);
      member = (v) => trie(v as string);
    } else if (left.type === 'ipaddr' || left.type === 'ipnet') {
      const ipTest = ipMatcher(values.map((v) => this.literal(left, v, loc, e.op) as IpAddr | IpNet));
      member = (v) => ipTest(v as string);
    } else {
      const set = new Set(values.map((v) => this.literal(left, v, loc, e.op)));
      member = inlinable((v) => set.has(v), 'has', set);
    }
    const quant: Quantifier = left.multi === 'single' ? 'one' : left.multi === 'list' && e.op === 'in' ? 'every' : 'some';
    return planCheck(left.value, quant, member, testCost(e.op), testChance(e.op, left.type));
  }

  private modifierCheck(e: BinaryCheck, left: Operand, values: readonly string[], loc: Pos): PlanNode {
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
    return planCheck(left.value, left.multi === 'single' ? 'one' : 'some', test, testCost(e.op) * Math.max(1, cmps.length), testChance(e.op, left.type));
  }

  /** `field op val(other)` or `field op transformer(other)`: both sides extracted per event. */
  private fieldComparison(e: BinaryCheck, left: Operand, right: Operand): PlanNode {
    const test = this.fieldComparisonTest(e, left, right);
    const cost = left.value.cost + right.value.cost + COST.compare;
    return { k: 'custom', test, cost, chance: testChance(e.op, left.type), slot: undefined };
  }

  private fieldComparisonTest(e: BinaryCheck, left: Operand, right: Operand): (ev: unknown) => boolean {
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

function operand(get: Getter, type: FieldType, multi: Multiplicity, text: string, loc: Pos, innerCost: number): Operand {
  const cost = innerCost + COST.costlyField;
  return { get, type, multi, text, loc, value: { get, derive: undefined, type, multi, cost, slot: cost >= MEMO_MIN ? newSlot() : undefined } };
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

/**
 * Membership of a normalised address (canonical text) in a set of addresses and networks. IPv4
 * networks are matched on the address as a 32-bit number read from its canonical text (no parsing
 * into objects, no cache: client addresses are too many to cache); IPv6 ones through netContains.
 */
function ipMatcher(items: readonly (IpAddr | IpNet)[]): (v: string) => boolean {
  const keys = new Set<string>();
  const nets6: IpNet[] = [];
  const bases4: number[] = [];
  const masks4: number[] = [];
  for (const it of items) {
    if (!('prefix' in it)) {
      keys.add(ipKey(it));
    } else if (it.prefix === (it.addr.v6 ? 128 : 32)) {
      keys.add(ipKey(it.addr));
    } else {
      const v4 = ipv4Net(it);
      if (v4 === undefined) {
        nets6.push(it);
      } else {
        bases4.push(v4.base);
        masks4.push(v4.mask);
      }
    }
  }
  const n4 = bases4.length;
  return (v) => {
    if (keys.has(v)) return true;
    const ip4 = ipv4Number(v);
    if (ip4 >= 0) {
      for (let i = 0; i < n4; i++) if (((ip4 & (masks4[i] as number)) >>> 0) === bases4[i]) return true;
      return false;
    }
    if (nets6.length === 0) return false;
    const ip = ipFromKey(v);
    if (ip === undefined) return false;
    for (const n of nets6) if (netContains(n, ip)) return true;
    return false;
  };
}

/** An IPv4 network (also written IPv4-mapped) as base and mask numbers; undefined for IPv6 networks. */
function ipv4Net(net: IpNet): { base: number; mask: number } | undefined {
  // netContains decides which networks an IPv4 address can fall in: probe with the network's own
  // address to learn whether it is an IPv4 one, then compute its mask as netContains applies it.
  const key = ipKey(net.addr);
  const base = ipv4Number(key);
  if (base < 0) return undefined;
  const bits = net.addr.v6 ? net.prefix - 96 : net.prefix;
  const mask = bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (base & mask) >>> 0, mask };
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
