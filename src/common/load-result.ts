// Load results: the errors and warnings found while loading rule files, each with a stable Falco
// code, a message, a location chain (file → item → … → position inside a condition) and a caret
// snippet; printed for humans as text or for tools in Falco's JSON shape (spec §1.11–1.12).

import type { Position, SourceLocation } from './location.js';

/** Error codes (falco::load_result::error_code) with Falco's short descriptions. */
export const ERROR_CODES = {
  LOAD_ERR_FILE_READ: 'File read error',
  LOAD_ERR_YAML_PARSE: 'YAML parse error',
  LOAD_ERR_YAML_VALIDATE: 'Error validating internal structure of YAML file',
  LOAD_ERR_COMPILE_CONDITION: 'Error compiling condition',
  LOAD_ERR_COMPILE_OUTPUT: 'Error compiling output',
  LOAD_ERR_VALIDATE: 'Error validating rule/macro/list/exception objects',
  LOAD_ERR_EXTENSION: 'Error in extension item',
} as const;

/** Warning codes (falco::load_result::warning_code) with Falco's short descriptions. */
export const WARNING_CODES = {
  LOAD_UNKNOWN_SOURCE: 'Unknown event source',
  LOAD_UNSAFE_NA_CHECK: 'Unsafe <NA> comparison in condition',
  LOAD_NO_EVTTYPE: 'Condition has no event-type restriction',
  LOAD_UNKNOWN_FILTER: 'Unknown field or event-type in condition or output',
  LOAD_UNUSED_MACRO: 'Unused macro',
  LOAD_UNUSED_LIST: 'Unused list',
  LOAD_UNKNOWN_ITEM: 'Unknown rules file item',
  LOAD_DEPRECATED_ITEM: 'Used deprecated item',
  LOAD_WARNING_EXTENSION: 'Warning in extension item',
  LOAD_APPEND_NO_VALUES: 'Overriding/appending with no values',
  LOAD_EXCEPTION_NAME_NOT_UNIQUE: 'Multiple exceptions defined with the same name',
  LOAD_INVALID_MACRO_NAME: 'Invalid macro name',
  LOAD_INVALID_LIST_NAME: 'Invalid list name',
  LOAD_COMPILE_CONDITION: 'Warning in rule condition',
  LOAD_UNKNOWN_KEY: 'Unknown key in item definition',
} as const;

export type LoadErrorCode = keyof typeof ERROR_CODES;
export type LoadWarningCode = keyof typeof WARNING_CODES;

export function isErrorCode(code: string): code is LoadErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

export function isWarningCode(code: string): code is LoadWarningCode {
  return Object.prototype.hasOwnProperty.call(WARNING_CODES, code);
}

export interface LoadProblem {
  readonly severity: 'error' | 'warning';
  readonly code: LoadErrorCode | LoadWarningCode;
  readonly message: string;
  /** Outermost first: rules content (file) → item → value/condition → position inside a condition. */
  readonly locations: readonly SourceLocation[];
  /** Caret snippet of the innermost location's text (the condition text for condition positions). */
  readonly snippet: string;
  /** The best position in the file itself, with its caret snippet (the headline of the text form). */
  readonly at?: { readonly file: string; readonly position: Position; readonly snippet: string };
}

/** One load result per rules file (or per named content), as Falco reports them. */
export class LoadResult {
  readonly name: string;
  readonly errors: LoadProblem[] = [];
  readonly warnings: LoadProblem[] = [];

  constructor(name: string) {
    this.name = name;
  }

  get successful(): boolean {
    return this.errors.length === 0;
  }

  add(problem: LoadProblem): void {
    (problem.severity === 'error' ? this.errors : this.warnings).push(problem);
  }

  /** Falco's `-V … -o json_output=true` shape (line and column are 1-based, offset 0-based). */
  toJSON(): LoadResultJson {
    return {
      name: this.name,
      successful: this.successful,
      errors: this.errors.map(problemJson),
      warnings: this.warnings.map(problemJson),
    };
  }
}

export interface ProblemJson {
  code: string;
  codedesc: string;
  message: string;
  context: {
    locations: Array<{ item_type: string; item_name: string; position: { name: string; line: number; column: number; offset: number } }>;
    snippet: string;
  };
}

export interface LoadResultJson {
  name: string;
  successful: boolean;
  errors: ProblemJson[];
  warnings: ProblemJson[];
}

export function codeDescription(code: string): string {
  if (isErrorCode(code)) return ERROR_CODES[code];
  if (isWarningCode(code)) return WARNING_CODES[code];
  return '';
}

function problemJson(p: LoadProblem): ProblemJson {
  return {
    code: p.code,
    codedesc: codeDescription(p.code),
    message: p.message,
    context: {
      locations: p.locations.map((l) => ({
        item_type: l.itemType,
        item_name: l.itemName,
        position: { name: l.name, line: l.position.line, column: l.position.column, offset: l.position.offset },
      })),
      snippet: p.snippet,
    },
  };
}

/** Falco's JSON for several files: `{"falco_load_results": [...]}`. */
export function loadResultsJson(results: readonly LoadResult[]): { falco_load_results: LoadResultJson[] } {
  return { falco_load_results: results.map((r) => r.toJSON()) };
}

export interface TextOptions {
  /** Include warnings (default true). */
  readonly warnings?: boolean;
}

/**
 * The human form: one block per problem, headed `file:line:col: error CODE: message`, followed by
 * the chain of enclosing items and the source line with a caret (and, for problems inside a
 * condition, the condition text with a caret).
 */
export function formatProblem(p: LoadProblem): string {
  const lines: string[] = [];
  const head = p.at ? `${p.at.file}:${p.at.position.line}:${p.at.position.column}` : p.locations[0]?.name ?? '<input>';
  lines.push(`${head}: ${p.severity} ${p.code}: ${p.message}`);
  for (const l of p.locations) {
    if (l.itemType === 'rules content') continue;
    if (isTextRelative(l)) continue;
    // A nameless location at the headline position adds nothing.
    if (l.itemName === '' && p.at && l.name === p.at.file && l.position.offset === p.at.position.offset) continue;
    const name = l.itemName ? ` '${l.itemName}'` : '';
    lines.push(`  in ${l.itemType}${name} (${l.name}:${l.position.line}:${l.position.column})`);
  }
  if (p.at) lines.push(indent(p.at.snippet, '    | '));
  const inner = p.locations[p.locations.length - 1];
  if (inner !== undefined && isTextRelative(inner) && p.snippet !== '') {
    lines.push(`  ${inner.itemType} ${inner.name}, at ${inner.position.line}:${inner.position.column}:`);
    lines.push(indent(p.snippet, '    | '));
  }
  return lines.join('\n');
}

/** Locations whose position is relative to a condition or output text rather than to a file. */
export function isTextRelative(l: SourceLocation): boolean {
  return l.itemType === 'condition expression' || l.itemType === 'rule output expression';
}

function indent(text: string, prefix: string): string {
  return text.replace(/\n$/, '').split('\n').map((s) => prefix + s).join('\n');
}

export function formatLoadResults(results: readonly LoadResult[], options: TextOptions = {}): string {
  const out: string[] = [];
  for (const r of results) {
    for (const e of r.errors) out.push(formatProblem(e));
    if (options.warnings !== false) for (const w of r.warnings) out.push(formatProblem(w));
  }
  return out.length === 0 ? '' : `${out.join('\n\n')}\n`;
}

/** One line per file: `name: Ok`, `name: Ok, with warnings (N)`, `name: Invalid (N errors, M warnings)`. */
export function summaryLine(r: LoadResult): string {
  const w = r.warnings.length;
  const e = r.errors.length;
  const plural = (n: number, s: string): string => `${n} ${s}${n === 1 ? '' : 's'}`;
  if (e === 0) return `${r.name}: Ok${w > 0 ? `, with ${plural(w, 'warning')}` : ''}`;
  return `${r.name}: Invalid (${plural(e, 'error')}${w > 0 ? `, ${plural(w, 'warning')}` : ''})`;
}
