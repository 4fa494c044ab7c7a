// Collects load problems into one LoadResult per file. A problem belongs to the file of its innermost
// file location (where the fix goes); its snippets are computed here, once, from the file text.

import { caretSnippet, positionAt, type Position, type SourceLocation } from '../common/location.js';
import { LoadResult, type LoadErrorCode, type LoadProblem, type LoadWarningCode } from '../common/load-result.js';
import type { Ctx, Sink, Src, TextLoc } from './yaml.js';

export class Diagnostics implements Sink {
  private readonly results = new Map<string, LoadResult>();
  private readonly seen = new Set<string>();

  /** Registers a file so that it gets a result even when it has no problems (in load order). */
  result(name: string): LoadResult {
    let r = this.results.get(name);
    if (r === undefined) {
      r = new LoadResult(name);
      this.results.set(name, r);
    }
    return r;
  }

  /** The results in load order, each file's problems sorted by position (stable). */
  all(): LoadResult[] {
    const byPosition = (a: LoadProblem, b: LoadProblem): number => (a.at?.position.offset ?? -1) - (b.at?.position.offset ?? -1);
    for (const r of this.results.values()) {
      r.errors.sort(byPosition);
      r.warnings.sort(byPosition);
    }
    return [...this.results.values()];
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  get errorCount(): number {
    let n = 0;
    for (const r of this.results.values()) n += r.errors.length;
    return n;
  }

  error(code: LoadErrorCode, message: string, ctx: Ctx, textLoc?: TextLoc): void {
    this.add('error', code, message, ctx, textLoc);
  }

  warn(code: LoadWarningCode, message: string, ctx: Ctx, textLoc?: TextLoc): void {
    this.add('warning', code, message, ctx, textLoc);
  }

  /** A problem with no file location (e.g. a path that matched nothing). */
  plain(name: string, severity: 'error' | 'warning', code: LoadErrorCode | LoadWarningCode, message: string): void {
    const position = { offset: 0, line: 1, column: 1 };
    this.result(name).add({
      severity, code, message, snippet: '',
      locations: [{ itemType: 'rules content', itemName: '', name, position }],
    });
  }

  private add(severity: 'error' | 'warning', code: LoadErrorCode | LoadWarningCode, message: string, ctx: Ctx, textLoc?: TextLoc): void {
    const inner = ctx.last;
    // The same problem reached twice (e.g. through two rules sharing a macro) is reported once.
    const key = `${severity}|${code}|${message}|${inner.src.name}|${inner.offset}|${textLoc?.offset ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const locations: SourceLocation[] = ctx.chain.map((l) => ({
      itemType: l.itemType, itemName: l.itemName, name: l.src.name, position: filePosition(l),
    }));
    let snippet: string;
    if (textLoc !== undefined) {
      const position = positionAt(textLoc.text, textLoc.offset);
      locations.push({ itemType: textLoc.itemType, itemName: '', name: textName(textLoc.text), position });
      snippet = caretSnippet(textLoc.text, position);
    } else {
      snippet = caretSnippet(inner.src.text, filePosition(inner));
    }
    const at = { file: inner.src.name, position: filePosition(inner), snippet: caretSnippet(inner.src.text, filePosition(inner)) };
    const problem: LoadProblem = { severity, code, message, locations, snippet, at };
    this.result(inner.src.name).add(problem);
  }
}

export function filePosition(l: { src: Src; offset: number }): Position {
  const offset = Math.max(0, Math.min(l.offset, l.src.text.length));
  const p = l.src.lines.linePos(offset);
  return p.line > 0 ? { offset, line: p.line, column: p.col } : positionAt(l.src.text, offset);
}

/** Falco names a condition location by the first 20 characters of the condition, quoted. */
function textName(text: string): string {
  const short = text.length > 20 ? `${text.slice(0, 17)}...` : text;
  return `"${short.replace(/[\r\n]/g, ' ')}"`;
}

