// Source locations and caret snippets shared by every load-time error: a position in a file, and a
// chain of nested locations (file → item → position inside a condition) as Falco reports them.

export interface Position {
  /** 0-based character offset. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

export interface SourceLocation {
  /** What is being pointed at: "rule", "rule condition", "macro", "list", "exception", … (Falco's item_type). */
  readonly itemType: string;
  /** The item's name (rule/macro/list name), or "" when none. */
  readonly itemName: string;
  /** File name or a label such as the item name for condition-relative positions. */
  readonly name: string;
  readonly position: Position;
}

/** Computes line and column (1-based) of `offset` in `text`; a "\r\n" pair counts as one line break. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 13 && text.charCodeAt(i + 1) !== 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: end, line, column: end - lineStart + 1 };
}

/**
 * The line of `text` holding `position`, with a caret under its column. Long lines are cut around the
 * caret; control characters are shown as spaces so the caret stays aligned.
 */
export function caretSnippet(text: string, position: Position, width = 120): string {
  const lines = text.split(/\r\n|\r|\n/);
  const raw = lines[position.line - 1] ?? '';
  const clean = raw.replace(/[\x00-\x1f\x7f]/g, ' ');
  let col = Math.max(position.column - 1, 0);
  let shown = clean;
  if (clean.length > width) {
    const start = Math.max(0, Math.min(col - Math.floor(width / 2), clean.length - width));
    shown = (start > 0 ? '…' : '') + clean.slice(start, start + width) + (start + width < clean.length ? '…' : '');
    col = col - start + (start > 0 ? 1 : 0);
  }
  return `${shown}\n${' '.repeat(Math.min(col, shown.length))}^`;
}
