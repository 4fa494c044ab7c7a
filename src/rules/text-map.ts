// Mapping from the text the loader builds (conditions after append, exception clauses and list
// substitution; outputs after append) back to positions in the rule files, so that a parse or
// compile error inside a condition can be reported at file:line:col.
//
// A MappedText is a string plus the pieces it was built from: either a slice of a YAML scalar's
// value (mapped character by character, lazily, on the error path only) or synthetic text anchored
// at one file position (generated exception syntax, list items, separators).

import type { Scalar } from 'yaml';
import { startOf, type Src } from './yaml.js';

/** A position in a file. */
export interface Origin {
  readonly src: Src;
  readonly offset: number;
}

interface Piece {
  /** Start of the piece in the built text. */
  readonly start: number;
  readonly length: number;
  /** The scalar this piece is a slice of, or undefined for synthetic text. */
  readonly scalar?: Scalar;
  /** Offset of the piece's first character inside the scalar's value. */
  readonly valueOffset: number;
  /** Where synthetic text (or an unmappable scalar character) points. */
  readonly anchor: Origin;
}

export class MappedText {
  private constructor(readonly text: string, private readonly pieces: readonly Piece[]) {}

  /** The value of a YAML scalar (`value` is the decoded text, or a substring of it from `from`). */
  static scalar(src: Src, node: Scalar, value: string, from = 0): MappedText {
    const anchor = { src, offset: startOf(node, 0) };
    return new MappedText(value, value === '' ? [] : [{ start: 0, length: value.length, scalar: node, valueOffset: from, anchor }]);
  }

  static anchored(text: string, anchor: Origin): MappedText {
    return new MappedText(text, text === '' ? [] : [{ start: 0, length: text.length, valueOffset: 0, anchor }]);
  }

  concat(...others: MappedText[]): MappedText {
    let text = this.text;
    const pieces = [...this.pieces];
    for (const o of others) {
      const base = text.length;
      for (const p of o.pieces) pieces.push({ ...p, start: p.start + base });
      text += o.text;
    }
    return new MappedText(text, pieces);
  }

  /** A copy whose leading and trailing whitespace is trimmed (Falco trims rule outputs). */
  trim(): MappedText {
    const lead = this.text.length - this.text.trimStart().length;
    const text = this.text.trim();
    const pieces: Piece[] = [];
    for (const p of this.pieces) {
      const s = Math.max(p.start, lead);
      const e = Math.min(p.start + p.length, lead + text.length);
      if (e <= s) continue;
      pieces.push({ ...p, start: s - lead, length: e - s, valueOffset: p.valueOffset + (s - p.start) });
    }
    return new MappedText(text, pieces);
  }

  /** The file position of character `offset` (the end of the text maps to its last character). */
  origin(offset: number): Origin | undefined {
    if (this.pieces.length === 0) return undefined;
    if (offset >= this.text.length && this.text.length > 0) {
      // Just past the end (e.g. "unexpected end of condition"): one past the last character.
      const last = this.origin(this.text.length - 1);
      return last === undefined ? undefined : { src: last.src, offset: last.offset + 1 };
    }
    const at = Math.max(0, Math.min(offset, this.text.length - 1));
    let best: Piece | undefined;
    for (const p of this.pieces) {
      if (at >= p.start && at < p.start + p.length) {
        best = p;
        break;
      }
      if (p.start <= at) best = p;
    }
    const piece = best ?? (this.pieces[0] as Piece);
    if (piece.scalar === undefined) return piece.anchor;
    const inValue = piece.valueOffset + Math.min(Math.max(at - piece.start, 0), piece.length - 1);
    const fileOffset = scalarCharOffset(piece.anchor.src, piece.scalar, inValue);
    return fileOffset === undefined ? piece.anchor : { src: piece.anchor.src, offset: fileOffset };
  }

  /** The first file position of the text (for "point at the scalar"). */
  get start(): Origin | undefined {
    return this.pieces[0]?.anchor;
  }
}

const cache = new WeakMap<Scalar, Int32Array>();

/**
 * File offset of character `i` of a scalar's value. Works for plain, quoted (with escapes) and
 * block scalars by aligning the value with the source: equal characters advance both; folded line
 * breaks and indentation are skipped in the source; escapes map to their backslash.
 */
export function scalarCharOffset(src: Src, node: Scalar, i: number): number | undefined {
  let map = cache.get(node);
  if (map === undefined) {
    map = alignScalar(src.text, node);
    cache.set(node, map);
  }
  if (map.length === 0) return undefined;
  const v = map[Math.max(0, Math.min(i, map.length - 1))];
  return v === undefined || v < 0 ? undefined : v;
}

function alignScalar(text: string, node: Scalar): Int32Array {
  const value = node.type === 'PLAIN' && typeof node.source === 'string' ? node.source : typeof node.value === 'string' ? node.value : String(node.value);
  const range = node.range;
  if (!range) return new Int32Array(0);
  let j = range[0];
  const end = Math.min(range[1], text.length);
  const type = node.type;
  if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') j++;
  else if (type === 'BLOCK_FOLDED' || type === 'BLOCK_LITERAL') {
    const nl = text.indexOf('\n', j);
    j = nl < 0 ? end : nl + 1;
  }
  const map = new Int32Array(value.length).fill(-1);
  let i = 0;
  let guard = 0;
  while (i < value.length && j < end && guard++ < 4 * (value.length + end)) {
    const c = value[i];
    const f = text[j];
    if (f === c) {
      map[i++] = j++;
      continue;
    }
    if (type === 'QUOTE_DOUBLE' && f === '\\') {
      const next = text[j + 1];
      if (next === '\n' || next === '\r') {
        j += 2;
        continue;
      }
      map[i++] = j;
      j += next === 'x' ? 4 : next === 'u' ? 6 : next === 'U' ? 10 : 2;
      continue;
    }
    if (type === 'QUOTE_SINGLE' && f === "'" && text[j + 1] === "'") {
      map[i++] = j;
      j += 2;
      continue;
    }
    if (f === ' ' || f === '\t' || f === '\n' || f === '\r') {
      // A folded line break becomes one space in the value: map it to the break, skip the rest.
      if ((c === ' ' || c === '\n') && (f === '\n' || f === '\r')) map[i++] = j;
      j++;
      continue;
    }
    j++;
  }
  // Characters past the alignment (trailing newline of block scalars) point at the scalar's end.
  for (let k = 0; k < map.length; k++) if (map[k] === -1) map[k] = Math.max(range[0], Math.min(j, end) - 1);
  return map;
}
