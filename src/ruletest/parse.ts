// Reads a rule-test file (YAML) into the model of spec.ts, checking everything that can be checked
// without loading rules: keys, types, counts, formats, config, and the sample files and line ranges
// the cases reference. Every problem is reported with file:line:col; a file with problems is not
// run (exit status 2). Inline events are re-serialised as JSON lines, integers exactly (YAML
// integers are read as big integers, so a nanosecond `ts` survives unquoted).

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { dirname, isAbsolute, resolve } from 'node:path';
import { displayPath } from '../common/display-path.js';
import { caretSnippet } from '../common/location.js';
import { parsePriority } from '../common/priority.js';
import { editDistance } from '../fields/registry.js';
import type { SelectionEntry } from '../rules/selection.js';
import {
  TEST_FORMATS, type CaseConfig, type EventEntry, type EventLine, type Expectation, type TestCase, type TestFile,
  type TestFileProblem, type TestFormat, type Where,
} from './spec.js';

export interface ParseOptions {
  /** Reads a sample file (absolute path); throws when it cannot. */
  readonly readSample: (path: string) => string;
  /** The working directory relative test-file paths are resolved against. */
  readonly cwd: string;
}

export interface ParsedTestFile {
  readonly file: TestFile | undefined;
  readonly problems: readonly TestFileProblem[];
}

const FILE_KEYS = ['rules_files', 'config', 'format', 'cases', 'description'];
const CASE_KEYS = ['name', 'description', 'rules_files', 'config', 'format', 'events', 'expect', 'no_other_rules'];
const CONFIG_KEYS = ['priority', 'rule_matching', 'rules'];
const EXPECT_KEYS = ['rule', 'count', 'at_least', 'output_fields'];
const SAMPLE_KEYS = ['sample', 'lines'];

class Parser {
  readonly problems: TestFileProblem[] = [];
  private readonly lines = new LineCounter();
  private readonly dir: string;
  private readonly samples = new Map<string, string[] | null>();

  constructor(
    private readonly path: string,
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {
    this.dir = dirname(resolve(options.cwd, path));
  }

  where(node: Node | null | undefined, fallback = 0): Where {
    const offset = node?.range?.[0] ?? fallback;
    const p = this.lines.linePos(offset);
    return { file: this.path, line: p.line, column: p.col };
  }

  problem(node: Node | null | undefined, message: string, offset?: number): undefined {
    return this.problemAt(this.where(node, offset), message);
  }

  problemAt(where: Where, message: string): undefined {
    const snippet = caretSnippet(this.text, { offset: 0, line: where.line, column: where.column });
    this.problems.push({ where, message, snippet });
    return undefined;
  }

  run(): TestFile | undefined {
    const doc = parseDocument(this.text, { lineCounter: this.lines, intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
    for (const e of doc.errors) this.problem(undefined, `invalid YAML: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`, e.pos[0]);
    if (doc.errors.length > 0) return undefined;
    const root = doc.contents;
    if (!isMap(root)) {
      this.problem(root, 'a test file is a map with a `cases:` list (this looks like something else, e.g. a rules file)');
      return undefined;
    }
    this.checkKeys(root, FILE_KEYS, 'test file');
    const fileRules = this.rulesFiles(root.get('rules_files', true) as Node | undefined);
    const fileConfig = this.config(root.get('config', true) as Node | undefined, undefined);
    const fileFormat = this.format(root.get('format', true) as Node | undefined) ?? 'auto';
    const casesNode = root.get('cases', true) as Node | undefined;
    if (casesNode === undefined) {
      this.problem(root, 'missing `cases:` (the list of test cases)');
      return undefined;
    }
    if (!isSeq(casesNode) || casesNode.items.length === 0) {
      this.problem(casesNode, '`cases:` must be a non-empty list of test cases');
      return undefined;
    }
    const cases: TestCase[] = [];
    const names = new Map<string, Where>();
    for (const item of casesNode.items) {
      const c = this.testCase(item as Node, fileRules, fileConfig, fileFormat);
      if (c === undefined) continue;
      const prev = names.get(c.name);
      if (prev !== undefined) this.problem(item as Node, `duplicate case name '${c.name}' (first at line ${prev.line}): names identify cases in reports`);
      else names.set(c.name, c.where);
      cases.push(c);
    }
    return this.problems.length === 0 ? { path: this.path, cases } : undefined;
  }

  private checkKeys(map: YAMLMap, allowed: readonly string[], what: string): void {
    for (const pair of map.items as Pair[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && allowed.includes(key)) continue;
      const near = key === undefined ? [] : allowed.filter((k) => editDistance(k, key, 3) <= 2);
      this.problem(pair.key as Node, `unknown key '${key ?? '?'}' in ${what}${near.length > 0 ? ` (did you mean '${near[0]}'?)` : ''}; known keys: ${allowed.join(', ')}`);
    }
  }

  private str(node: Node | undefined, what: string): string | undefined {
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
      return this.problem(node, `${what} must be a non-empty string`);
    }
    return node.value;
  }

  private int(node: Node | undefined, what: string, min: number): number | undefined {
    if (node === undefined) return undefined;
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'bigint' || v < BigInt(min) || v > 1_000_000_000n) return this.problem(node, `${what} must be an integer >= ${min}`);
    return Number(v);
  }

  private bool(node: Node | undefined, what: string): boolean | undefined {
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== 'boolean') return this.problem(node, `${what} must be true or false`);
    return node.value;
  }

  /** `rules_files`: one path or a list, relative to the test file. */
  private rulesFiles(node: Node | undefined): string[] | undefined {
    if (node === undefined) return undefined;
    const items = isSeq(node) ? (node.items as Node[]) : [node];
    if (items.length === 0) return this.problem(node, '`rules_files` must name at least one rules file, directory or glob');
    const out: string[] = [];
    for (const item of items) {
      const p = this.str(item, 'a `rules_files` entry');
      if (p !== undefined) out.push(isAbsolute(p) ? p : resolve(this.dir, p));
    }
    return out;
  }

  private format(node: Node | undefined): TestFormat | undefined {
    const f = this.str(node, '`format`');
    if (f === undefined) return undefined;
    if (!(TEST_FORMATS as readonly string[]).includes(f)) return this.problem(node, `unknown format '${f}': use one of ${TEST_FORMATS.join(', ')}`);
    return f as TestFormat;
  }

  /** `config`: falco.yaml's priority, rule_matching and rules (selection); a case's overrides the file's. */
  private config(node: Node | undefined, base: CaseConfig | undefined): CaseConfig {
    const out = { priority: base?.priority, ruleMatching: base?.ruleMatching ?? 'all', selection: base?.selection ?? [] } as {
      priority: string | undefined; ruleMatching: 'first' | 'all'; selection: readonly SelectionEntry[];
    };
    if (node === undefined) return out;
    if (!isMap(node)) {
      this.problem(node, '`config` must be a map (priority, rule_matching, rules)');
      return out;
    }
    this.checkKeys(node, CONFIG_KEYS, 'config');
    const pri = node.get('priority', true) as Node | undefined;
    const p = this.str(pri, '`priority`');
    if (p !== undefined) {
      if (parsePriority(p) === undefined) this.problem(pri, `invalid priority '${p}': use emergency, alert, critical, error, warning, notice, informational (info) or debug`);
      else out.priority = p;
    }
    const rmNode = node.get('rule_matching', true) as Node | undefined;
    const rm = this.str(rmNode, '`rule_matching`');
    if (rm !== undefined) {
      const v = rm.toLowerCase();
      if (v === 'first' || v === 'all') out.ruleMatching = v;
      else this.problem(rmNode, `rule_matching must be 'first' or 'all', not '${rm}'`);
    }
    const sel = node.get('rules', true) as Node | undefined;
    if (sel !== undefined) out.selection = this.selection(sel);
    return out;
  }

  /** Falco `rules:` entries: `- disable: {rule: "*"}`, `- enable: {tag: network}`. */
  private selection(node: Node): SelectionEntry[] {
    if (!isSeq(node)) {
      this.problem(node, '`rules` (in config) must be a list of `- enable: {rule: …, tag: …}` / `- disable: …` entries');
      return [];
    }
    const out: SelectionEntry[] = [];
    for (const item of node.items as Node[]) {
      if (!isMap(item) || item.items.length !== 1) {
        this.problem(item, 'each `rules` entry is a map with one key, `enable` or `disable`');
        continue;
      }
      const pair = item.items[0] as Pair;
      const action = isScalar(pair.key) ? String(pair.key.value) : '';
      if (action !== 'enable' && action !== 'disable') {
        this.problem(pair.key as Node, `expected 'enable' or 'disable', not '${action}'`);
        continue;
      }
      const body = pair.value as Node | null;
      if (!isMap(body)) {
        this.problem(body ?? item, `\`${action}\` takes a map with \`rule\` (a name pattern, * matches anything) and/or \`tag\``);
        continue;
      }
      this.checkKeys(body, ['rule', 'tag'], `\`${action}\``);
      const rule = this.str(body.get('rule', true) as Node | undefined, '`rule`');
      const tag = this.str(body.get('tag', true) as Node | undefined, '`tag`');
      if (rule === undefined && tag === undefined) this.problem(body, `\`${action}\` needs \`rule\` or \`tag\``);
      else out.push({ action, rule, tag });
    }
    return out;
  }

  private testCase(node: Node, fileRules: string[] | undefined, fileConfig: CaseConfig, fileFormat: TestFormat): TestCase | undefined {
    if (!isMap(node)) return this.problem(node, 'each case is a map with `name`, `events` and `expect`');
    this.checkKeys(node, CASE_KEYS, 'case');
    const nameNode = node.get('name', true) as Node | undefined;
    const name = nameNode === undefined ? this.problem(node, 'a case needs a `name`') : this.str(nameNode, '`name`');
    const rulesFiles = this.rulesFiles(node.get('rules_files', true) as Node | undefined) ?? fileRules;
    const config = this.config(node.get('config', true) as Node | undefined, fileConfig);
    const format = this.format(node.get('format', true) as Node | undefined) ?? fileFormat;
    const noOtherRules = this.bool(node.get('no_other_rules', true) as Node | undefined, '`no_other_rules`') ?? false;
    const eventsNode = node.get('events', true) as Node | undefined;
    const events = eventsNode === undefined ? this.problem(node, `case '${name ?? '?'}' needs \`events\``) : this.events(eventsNode);
    const expectNode = node.get('expect', true) as Node | undefined;
    const expect = expectNode === undefined ? this.problem(node, `case '${name ?? '?'}' needs \`expect\``) : this.expectations(expectNode);
    if (expect !== undefined && expect.length === 0 && !noOtherRules) {
      this.problem(expectNode, 'an empty `expect` checks nothing: list the rules to check, or add `no_other_rules: true` to assert that no rule fires');
    }
    if (expect !== undefined) {
      const seen = new Set<string>();
      for (const e of expect) {
        if (seen.has(e.rule)) this.problemAt(e.where, `rule '${e.rule}' is expected twice in case '${name ?? '?'}': merge the two entries`);
        seen.add(e.rule);
      }
    }
    if (name === undefined || events === undefined || expect === undefined) return undefined;
    return { name, where: this.where(node), rulesFiles, config, format, events, expect, noOtherRules };
  }

  private events(node: Node): EventEntry[] | undefined {
    if (!isSeq(node) || node.items.length === 0) {
      return this.problem(node, '`events` must be a non-empty list: inline events (maps or JSON strings) or `- sample: FILE` entries');
    }
    const out: EventEntry[] = [];
    for (const item of node.items as Node[]) {
      const e = this.eventEntry(item);
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  private eventEntry(node: Node): EventEntry | undefined {
    const where = this.where(node);
    const label = `${this.path}:${where.line}:${where.column}`;
    if (isScalar(node) && typeof node.value === 'string') {
      try {
        const v = JSON.parse(node.value) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return this.problem(node, 'an inline event given as a string must be a JSON object');
      } catch (err) {
        return this.problem(node, `an inline event given as a string must be JSON: ${(err as Error).message}`);
      }
      return { kind: 'inline', label, lines: [{ text: node.value, source: this.path, line: where.line }], where };
    }
    if (isMap(node) && node.has('sample')) return this.sample(node, where);
    if (isMap(node)) {
      const text = toJsonLine(node);
      if (typeof text !== 'string') return this.problem(text.node, text.message);
      return { kind: 'inline', label, lines: [{ text, source: this.path, line: where.line }], where };
    }
    return this.problem(node, 'an event is a map (an inline event), a JSON string, or `{sample: FILE, lines: N-M}`');
  }

  private sample(node: YAMLMap, where: Where): EventEntry | undefined {
    this.checkKeys(node, SAMPLE_KEYS, 'sample reference');
    const pathNode = node.get('sample', true) as Node | undefined;
    const path = this.str(pathNode, '`sample`');
    if (path === undefined) return undefined;
    const abs = isAbsolute(path) ? path : resolve(this.dir, path);
    let lines = this.samples.get(abs);
    if (lines === undefined) {
      try {
        const text = this.options.readSample(abs);
        lines = text.split('\n');
        if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
      } catch (err) {
        lines = null;
        const code = (err as NodeJS.ErrnoException).code;
        this.problem(pathNode, `cannot read sample '${path}' (${abs}): ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
      }
      this.samples.set(abs, lines);
    }
    if (lines === null) return undefined;
    const rangeNode = node.get('lines', true) as Node | undefined;
    let from = 1;
    let to = lines.length;
    if (rangeNode !== undefined) {
      const r = parseRange(isScalar(rangeNode) ? rangeNode.value : undefined, lines.length);
      if (typeof r === 'string') return this.problem(rangeNode, r);
      [from, to] = r;
    }
    if (lines.length === 0) return this.problem(pathNode, `sample '${path}' is empty`);
    const picked: EventLine[] = [];
    const shown = displayPath(abs, this.options.cwd);
    for (let i = from; i <= to; i++) picked.push({ text: lines[i - 1] ?? '', source: shown, line: i });
    const label = rangeNode === undefined ? shown : from === to ? `${shown}:${from}` : `${shown}:${from}-${to}`;
    return { kind: 'sample', label, lines: picked, where };
  }

  private expectations(node: Node): Expectation[] | undefined {
    if (!isSeq(node)) return this.problem(node, '`expect` must be a list of `- rule: NAME` entries (with count, at_least, output_fields)');
    const out: Expectation[] = [];
    for (const item of node.items as Node[]) {
      if (!isMap(item)) {
        this.problem(item, 'each `expect` entry is a map: `- rule: NAME` and optionally count, at_least, output_fields');
        continue;
      }
      this.checkKeys(item, EXPECT_KEYS, 'expectation');
      const ruleNode = item.get('rule', true) as Node | undefined;
      const rule = ruleNode === undefined ? this.problem(item, 'an expectation needs `rule: NAME`') : this.str(ruleNode, '`rule`');
      const countNode = item.get('count', true) as Node | undefined;
      const atLeastNode = item.get('at_least', true) as Node | undefined;
      const count = this.int(countNode, '`count`', 0);
      const atLeast = this.int(atLeastNode, '`at_least`', 1);
      if (countNode !== undefined && atLeastNode !== undefined) this.problem(atLeastNode, 'give `count` (exactly) or `at_least`, not both');
      const fieldsNode = item.get('output_fields', true) as Node | undefined;
      const outputFields = fieldsNode === undefined ? undefined : this.outputFields(fieldsNode);
      if (fieldsNode !== undefined && count === 0) this.problem(fieldsNode, '`output_fields` needs an alert to check: not with `count: 0`');
      if (rule === undefined) continue;
      out.push({ rule, count, atLeast, outputFields, where: this.where(item) });
    }
    return out;
  }

  private outputFields(node: Node): Record<string, unknown> | undefined {
    if (!isMap(node) || node.items.length === 0) return this.problem(node, '`output_fields` must be a map of field → expected value, e.g. {proc.name: sh}');
    const out: Record<string, unknown> = {};
    for (const pair of node.items as Pair[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const value = pair.value as Node | null;
      if (key === undefined) {
        this.problem(pair.key as Node, 'an output field name must be a string such as proc.name or proc.aname[2]');
        continue;
      }
      if (value !== null && !isScalar(value)) {
        this.problem(value, `the expected value of ${key} must be a scalar (string, number, boolean or null)`);
        continue;
      }
      const v = value === null ? null : value.value;
      out[key] = typeof v === 'bigint' ? v.toString() : v;
    }
    return out;
  }
}

/** "3", 3, "3-7", "3-" (to the end) → an inclusive 1-based range, or a message. */
export function parseRange(v: unknown, total: number): [number, number] | string {
  const text = typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v.trim() : undefined;
  const m = text === undefined ? null : /^(\d+)(?:\s*-\s*(\d*))?$/.exec(text);
  if (m === null) return '`lines` must be a line number or a range: 12, "3-7", "3-" (to the end)';
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : m[2] === '' ? total : Number(m[2]);
  if (from < 1 || to < from) return `invalid line range ${text}: lines are numbered from 1 and the range must not be reversed`;
  if (to > total) return `line range ${text} is past the end of the sample (${total} lines)`;
  return [from, to];
}

/** A YAML map as one JSON line, big integers written exactly. */
function toJsonLine(node: YAMLMap | YAMLSeq): string | { node: Node; message: string } {
  const parts: string[] = [];
  const bad = write(node, parts);
  return bad ?? parts.join('');
}

function write(node: Node | null, out: string[]): { node: Node; message: string } | undefined {
  if (node === null) {
    out.push('null');
    return undefined;
  }
  if (isMap(node)) {
    out.push('{');
    let first = true;
    for (const pair of node.items as Pair[]) {
      if (!isScalar(pair.key)) return { node: (pair.key as Node | null) ?? node, message: 'keys of an inline event must be strings' };
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(String(pair.key.value)), ':');
      const bad = write(pair.value as Node | null, out);
      if (bad) return bad;
    }
    out.push('}');
    return undefined;
  }
  if (isSeq(node)) {
    out.push('[');
    const items = node.items as (Node | null)[];
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.push(',');
      const bad = write(items[i] ?? null, out);
      if (bad) return bad;
    }
    out.push(']');
    return undefined;
  }
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'bigint') out.push(v.toString());
    else if (typeof v === 'number') out.push(Number.isFinite(v) ? String(v) : 'null');
    else if (v === null || v === undefined) out.push('null');
    else if (typeof v === 'boolean') out.push(String(v));
    else out.push(JSON.stringify(String(v)));
    return undefined;
  }
  return { node, message: 'aliases and tags are not supported in inline events' };
}

/** Parses one test file's text. */
export function parseTestFile(path: string, text: string, options: ParseOptions): ParsedTestFile {
  const p = new Parser(path, text, options);
  const file = p.run();
  return { file, problems: p.problems };
}
