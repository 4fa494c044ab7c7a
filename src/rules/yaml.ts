// The YAML layer of the rule loader: parsing rule files with positions (yaml's LineCounter), location
// chains in Falco's shape (file → item → value), and decoding of scalars with Falco's rules and
// messages (yaml-cpp semantics: every scalar is text; plain scalars keep their source spelling, so
// `items: [010, 0x10]` stays "010", "0x10"; booleans accept yes/no/on/off/y/n as yaml-cpp does).

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { LoadErrorCode, LoadWarningCode } from '../common/load-result.js';

/** One rules file (or named content) being loaded. */
export interface Src {
  readonly name: string;
  /** Position of the file in load order (0-based). */
  readonly fileIndex: number;
  readonly text: string;
  readonly lines: LineCounter;
}

/** A file-relative place in a location chain. */
export interface Loc {
  readonly itemType: string;
  readonly itemName: string;
  readonly src: Src;
  readonly offset: number;
}

/** A place inside a condition or output text (positions relative to that text, as Falco reports them). */
export interface TextLoc {
  readonly itemType: 'condition expression' | 'rule output expression';
  readonly text: string;
  readonly offset: number;
}

/** A location chain, outermost first. */
export class Ctx {
  constructor(readonly chain: readonly Loc[]) {}

  static file(src: Src): Ctx {
    return new Ctx([{ itemType: 'rules content', itemName: '', src, offset: 0 }]);
  }

  push(itemType: string, itemName: string, src: Src, offset: number): Ctx {
    return new Ctx([...this.chain, { itemType, itemName, src, offset }]);
  }

  get last(): Loc {
    return this.chain[this.chain.length - 1] as Loc;
  }
}

/** A load problem raised while reading or validating one item; the item is skipped. */
export class ItemError extends Error {
  constructor(
    readonly code: LoadErrorCode,
    message: string,
    readonly ctx: Ctx,
    readonly textLoc?: TextLoc,
  ) {
    super(message);
    this.name = 'ItemError';
  }
}

/** Ends reading an item whose problems have all been reported already. */
export class SkipItem extends Error {
  constructor() {
    super('item skipped');
    this.name = 'SkipItem';
  }
}

/** Where problems go: the loader turns them into LoadResult entries per file. */
export interface Sink {
  error(code: LoadErrorCode, message: string, ctx: Ctx, textLoc?: TextLoc): void;
  warn(code: LoadWarningCode, message: string, ctx: Ctx, textLoc?: TextLoc): void;
  /** Whether any error has been reported so far. */
  readonly hasErrors: boolean;
}

export function newSrc(name: string, fileIndex: number, text: string): Src {
  return { name, fileIndex, text, lines: new LineCounter() };
}

export interface ParsedDoc {
  readonly doc: Document.Parsed;
  /** File offsets of the YAML errors inside this document (its items overlapping them are skipped). */
  readonly errorOffsets: readonly number[];
}

/**
 * Parses every document of a file. YAML syntax errors are reported (LOAD_ERR_YAML_PARSE, located);
 * the documents are still returned so that items untouched by an error can be read.
 */
export function parseYaml(src: Src, sink: Sink): ParsedDoc[] {
  const docs = parseAllDocuments(src.text, { lineCounter: src.lines, uniqueKeys: false, prettyErrors: false, strict: false });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const out: ParsedDoc[] = [];
  const fileCtx = Ctx.file(src);
  for (const doc of list) {
    const offsets: number[] = [];
    for (const e of doc.errors) {
      const offset = e.pos[0];
      offsets.push(offset);
      sink.error('LOAD_ERR_YAML_PARSE', yamlMessage(e.message), fileCtx.push('value for', '', src, offset));
    }
    out.push({ doc, errorOffsets: offsets });
  }
  return out;
}

/** The first line of a `yaml` error message (the library appends a source excerpt we print ourselves). */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

// ------------------------------------------------------------------------------------ node access

/** Resolves aliases (`*anchor`) to the node they name. */
export function deref(node: unknown, doc: Document.Parsed): Node | null | undefined {
  if (node === null || node === undefined) return node as null | undefined;
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return (target ?? null) as Node | null;
  }
  return node as Node;
}

export function startOf(node: unknown, fallback: number): number {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? r[0] : fallback;
}

export function endOf(node: unknown, fallback: number): number {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? r[2] : fallback;
}

/** yaml-cpp null: an empty plain scalar or `~`, `null`, `Null`, `NULL`. */
export function isNullNode(node: Node | null | undefined): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && node.value === null;
}

/** The text of a scalar as yaml-cpp sees it: plain scalars keep their source spelling. */
export function scalarText(node: Scalar): string {
  if (node.type === 'PLAIN' && typeof node.source === 'string') return node.source;
  const v = node.value;
  return typeof v === 'string' ? v : String(v);
}

/** A YAML mapping read with yaml-cpp lookup semantics (the first of duplicate keys wins). */
export class YMap {
  readonly node: YAMLMap;
  readonly doc: Document.Parsed;
  private readonly firstPairs = new Map<string, Pair>();
  readonly duplicates: Pair[] = [];
  readonly keyOrder: string[] = [];

  constructor(node: YAMLMap, doc: Document.Parsed) {
    this.node = node;
    this.doc = doc;
    for (const p of node.items) {
      const k = deref(p.key, doc);
      const key = k && isScalar(k) ? scalarText(k) : String(k === null ? '' : (k as { toString(): string }).toString());
      if (this.firstPairs.has(key)) {
        this.duplicates.push(p);
        continue;
      }
      this.firstPairs.set(key, p);
      this.keyOrder.push(key);
    }
  }

  has(key: string): boolean {
    return this.firstPairs.has(key);
  }

  /** The value node (aliases resolved): undefined when the key is absent, null for a YAML null. */
  get(key: string): Node | null | undefined {
    const p = this.firstPairs.get(key);
    if (p === undefined) return undefined;
    const v = deref(p.value, this.doc);
    return v ?? null;
  }

  /** Offset of the key's value (or of the key, when the value is empty). */
  valueOffset(key: string): number {
    const p = this.firstPairs.get(key);
    if (p === undefined) return startOf(this.node, 0);
    const kOff = startOf(p.key, startOf(this.node, 0));
    return p.value ? startOf(p.value, kOff) : kOff;
  }

  keyOffset(key: string): number {
    const p = this.firstPairs.get(key);
    return p === undefined ? startOf(this.node, 0) : startOf(p.key, startOf(this.node, 0));
  }

  get start(): number {
    return startOf(this.node, 0);
  }
}

export function asMap(node: Node | null | undefined, doc: Document.Parsed): YMap | undefined {
  return node && isMap(node) ? new YMap(node, doc) : undefined;
}

export { isMap, isScalar, isSeq };
export type { Node, Scalar, YAMLMap, YAMLSeq, Document };

// ---------------------------------------------------------------------------------------- decoding

/** The scalar under `key`, decoded with Falco's checks; undefined when optional and absent. */
export function decodeScalar(m: YMap, key: string, ctx: Ctx, src: Src, optional = false): { text: string; node: Scalar } | undefined {
  if (!m.has(key)) {
    if (optional) return undefined;
    throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Item has no mapping for key '${key}'`, ctx);
  }
  const v = m.get(key);
  if (isNullNode(v)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Mapping for key '${key}' is empty`, ctx);
  if (!isScalar(v)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Value is not a scalar value', ctx.push('value for', key, src, m.valueOffset(key)));
  const text = scalarText(v);
  if (text === '') throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Value must be non-empty', ctx.push('value for', key, src, m.valueOffset(key)));
  return { text, node: v };
}

export function decodeString(m: YMap, key: string, ctx: Ctx, src: Src): string {
  return (decodeScalar(m, key, ctx, src) as { text: string }).text;
}

const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/** yaml-cpp's bool conversion. */
export function parseYamlBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

export function decodeBool(m: YMap, key: string, ctx: Ctx, src: Src, optional: boolean): boolean | undefined {
  const s = decodeScalar(m, key, ctx, src, optional);
  if (s === undefined) return undefined;
  const b = parseYamlBool(s.text);
  if (b === undefined) {
    throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Can't decode YAML scalar value: '${s.text}' is not a boolean (use true or false)`,
      ctx.push('value for', key, src, m.valueOffset(key)));
  }
  return b;
}

/** A non-negative integer (yaml-cpp integer conversion: decimal, 0x hex, 0o/leading-0 octal). */
export function parseYamlUint(text: string): number | undefined {
  const t = text.trim();
  let n: number;
  if (/^[0-9]+$/.test(t)) n = Number(t);
  else if (/^0[xX][0-9a-fA-F]+$/.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^0o[0-7]+$/.test(t)) n = parseInt(t.slice(2), 8);
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

export function decodeUint(m: YMap, key: string, ctx: Ctx, src: Src, optional: boolean): number | undefined {
  const s = decodeScalar(m, key, ctx, src, optional);
  if (s === undefined) return undefined;
  const n = parseYamlUint(s.text);
  if (n === undefined) {
    throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Can't decode YAML scalar value: '${s.text}' is not a non-negative integer`,
      ctx.push('value for', key, src, m.valueOffset(key)));
  }
  return n;
}

/** A sequence of scalars (list items, tags); undefined when optional and absent. */
export function decodeScalarSeq(m: YMap, key: string, ctx: Ctx, src: Src, optional: boolean): string[] | undefined {
  if (!m.has(key)) {
    if (optional) return undefined;
    throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Item has no mapping for key '${key}'`, ctx);
  }
  const v = m.get(key);
  const vctx = (): Ctx => ctx.push('value for', key, src, m.valueOffset(key));
  if (!v || !isSeq(v)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Value is not a sequence', vctx());
  const out: string[] = [];
  for (const raw of v.items) {
    const item = deref(raw, m.doc);
    if (!item || !isScalar(item) || item.value === null) {
      throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'sequence value is not scalar', vctx().push('list item', '', src, startOf(raw, m.valueOffset(key))));
    }
    out.push(scalarText(item));
  }
  return out;
}
