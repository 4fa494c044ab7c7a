// The condition AST: a discriminated union mirroring libsinsp's filter AST (ast.h), with a location on
// every node, and the canonical printer Falco's golden tests compare against (`as_string`, §2.13).

/** A position inside the condition text: 0-based offset, 1-based line and column. */
export interface Pos {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export type Expr = AndExpr | OrExpr | NotExpr | IdentifierExpr | UnaryCheck | BinaryCheck;

export interface AndExpr {
  readonly kind: 'and';
  readonly children: readonly Expr[];
  readonly loc: Pos;
}

export interface OrExpr {
  readonly kind: 'or';
  readonly children: readonly Expr[];
  readonly loc: Pos;
}

export interface NotExpr {
  readonly kind: 'not';
  readonly child: Expr;
  readonly loc: Pos;
}

/** A macro reference (an undotted word in boolean position). */
export interface IdentifierExpr {
  readonly kind: 'identifier';
  readonly name: string;
  readonly loc: Pos;
}

export interface UnaryCheck {
  readonly kind: 'unary';
  readonly left: FieldLike;
  readonly op: 'exists';
  readonly loc: Pos;
}

export type NumOp = '<' | '<=' | '>' | '>=';
export type StrOp =
  | '=' | '==' | '!=' | 'glob' | 'iglob' | 'contains' | 'icontains' | 'bcontains'
  | 'startswith' | 'bstartswith' | 'endswith' | 'regex';
export type ListOp = 'in' | 'intersects' | 'pmatch';
export type BinaryOp = NumOp | StrOp | ListOp;
export type Modifier = 'oneof' | 'anyof' | 'allof';

export interface BinaryCheck {
  readonly kind: 'binary';
  readonly left: FieldLike;
  readonly op: BinaryOp;
  readonly modifier?: Modifier;
  readonly right: ValueExpr | ListExpr | TransformerExpr;
  readonly loc: Pos;
}

export interface FieldExpr {
  readonly kind: 'field';
  /** Dotted name as written, e.g. `evt.arg.flags` or `proc.aname`. */
  readonly name: string;
  /** Bracket argument: `proc.aname[2]` → "2". Absent when there are no brackets; "" for `x[""]`. */
  readonly arg?: string;
  readonly loc: Pos;
}

export type TransformerName =
  | 'val' | 'tolower' | 'toupper' | 'b64' | 'basename' | 'len' | 'join' | 'concat' | 'getopt';

export interface TransformerExpr {
  readonly kind: 'transformer';
  readonly name: TransformerName;
  /** One field or transformer for the unary transformers and val(); any TrArg list for join/concat/getopt. */
  readonly args: readonly TrArg[];
  readonly arg?: string;
  readonly loc: Pos;
}

export type FieldLike = FieldExpr | TransformerExpr;

/** All literal values are strings in the AST; conversion to a field's type happens at compile time. */
export interface ValueExpr {
  readonly kind: 'value';
  readonly value: string;
  readonly loc: Pos;
}

export interface ListExpr {
  readonly kind: 'list';
  readonly values: readonly string[];
  readonly loc: Pos;
}

/** A parenthesised argument list inside join/concat/getopt. */
export interface TrListExpr {
  readonly kind: 'trlist';
  readonly items: readonly TrArg[];
  readonly loc: Pos;
}

export type TrArg = FieldExpr | TransformerExpr | ValueExpr | TrListExpr;

export type Node = Expr | FieldExpr | TransformerExpr | ValueExpr | ListExpr | TrListExpr;

/** libsinsp escape_str: quote a value when it holds a blank, `=`, a quote, a backslash or a control character. */
export function escapeValue(value: string): string {
  let out = '';
  let quote = value === '';
  for (const c of value) {
    switch (c) {
      case '\b': out += '\\b'; quote = true; break;
      case '\f': out += '\\f'; quote = true; break;
      case '\n': out += '\\n'; quote = true; break;
      case '\r': out += '\\r'; quote = true; break;
      case '\t': out += '\\t'; quote = true; break;
      case ' ': out += ' '; quote = true; break;
      case '\\': out += '\\\\'; quote = true; break;
      case '"': out += '\\"'; quote = true; break;
      case "'": out += "'"; quote = true; break;
      case '=': out += c; quote = true; break;
      default:
        if (c < ' ' || c === '\x7f') { quote = true; }
        out += c;
    }
  }
  return quote ? `"${out}"` : out;
}

/** Falco's canonical form of a node (libsinsp `ast::as_string`). */
export function toString(node: Node): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.children.map(toString).join(` ${node.kind} `)})`;
    case 'not':
      return `not ${toString(node.child)}`;
    case 'identifier':
      return node.name;
    case 'unary':
      return `${toString(node.left)} ${node.op}`;
    case 'binary':
      return node.modifier
        ? `${toString(node.left)} ${node.op} ${node.modifier} ${toString(node.right)}`
        : `${toString(node.left)} ${node.op} ${toString(node.right)}`;
    case 'field':
      return node.arg === undefined ? node.name : `${node.name}[${escapeValue(node.arg)}]`;
    case 'transformer': {
      const inner = node.args.map(toString).join(',');
      return `${node.name}(${inner})${node.arg === undefined ? '' : `[${escapeValue(node.arg)}]`}`;
    }
    case 'value':
      return escapeValue(node.value);
    case 'list':
      return `(${node.values.map(escapeValue).join(', ')})`;
    case 'trlist':
      return `(${node.items.map(toString).join(',')})`;
  }
}

/** Field references in evaluation order, including those inside transformers and val(). */
export function* fieldsOf(node: Node): Generator<FieldExpr> {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) yield* fieldsOf(c);
      return;
    case 'not':
      yield* fieldsOf(node.child);
      return;
    case 'unary':
      yield* fieldsOf(node.left);
      return;
    case 'binary':
      yield* fieldsOf(node.left);
      yield* fieldsOf(node.right);
      return;
    case 'field':
      yield node;
      return;
    case 'transformer':
      for (const a of node.args) yield* fieldsOf(a);
      return;
    case 'trlist':
      for (const a of node.items) yield* fieldsOf(a);
      return;
    default:
      return;
  }
}

/** Macro identifiers referenced by an expression. */
export function* identifiersOf(expr: Expr): Generator<IdentifierExpr> {
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const c of expr.children) yield* identifiersOf(c);
      return;
    case 'not':
      yield* identifiersOf(expr.child);
      return;
    case 'identifier':
      yield expr;
      return;
    default:
      return;
  }
}
