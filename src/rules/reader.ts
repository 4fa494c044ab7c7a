// The reader (Falco rule_loader::reader): walks the YAML documents of one file, decides each item's
// kind by its first known key, decodes every key with its type and default (spec §1.1–1.8) and hands
// the result to the collector. Unlike Falco it does not stop at the first error: a bad item is
// reported and skipped, and reading goes on with the next one.

import type { Scalar } from 'yaml';
import { parsePriority, PRIORITY_NAMES } from '../common/priority.js';
import type { Collector, NewRule } from './collector.js';
import type { ExEntry, ExceptionInfo, PluginAlternative, RuleUpdate } from './infos.js';
import { MappedText } from './text-map.js';
import { implicitEngineVersion, parseSemver } from './versions.js';
import {
  Ctx, ItemError, SkipItem, YMap, asMap, decodeBool, decodeScalar, decodeScalarSeq, decodeString, decodeUint, deref, endOf,
  isNullNode, isScalar, isSeq, parseYamlUint, parseYaml, scalarText, startOf, type Document, type Node, type Sink, type Src,
} from './yaml.js';

export const WARNING_APPEND = "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
export const WARNING_ENABLED = "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
export const ERROR_OVERRIDE_APPEND = "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

const RGX_IDENTIFIER = '[a-zA-Z]+[a-zA-Z0-9_]*';
const RGX_BARESTR = '[^()"\'\\s=,]+';
const IDENTIFIER = new RegExp(`^${RGX_IDENTIFIER}$`);
const BARESTR = new RegExp(`^${RGX_BARESTR}$`);

const ITEM_KINDS = ['required_engine_version', 'required_plugin_versions', 'list', 'macro', 'rule'] as const;

const KNOWN_KEYS: Readonly<Record<(typeof ITEM_KINDS)[number], ReadonlySet<string>>> = {
  required_engine_version: new Set(['required_engine_version']),
  required_plugin_versions: new Set(['required_plugin_versions']),
  list: new Set(['list', 'items', 'append', 'override']),
  macro: new Set(['macro', 'condition', 'append', 'override']),
  rule: new Set([
    'rule', 'condition', 'output', 'desc', 'priority', 'source', 'enabled', 'tags', 'exceptions', 'warn_evttypes',
    'skip-if-unknown-filter', 'capture', 'capture_duration', 'append', 'override',
  ]),
};

const RULE_APPENDABLE = new Set(['condition', 'output', 'desc', 'tags', 'exceptions']);
const RULE_REPLACEABLE = new Set([
  'condition', 'output', 'desc', 'priority', 'capture', 'capture_duration', 'tags', 'exceptions', 'enabled', 'warn_evttypes',
  'skip-if-unknown-filter',
]);

/** Reads one file into the collector; every problem goes to `sink`. */
export function readFile(src: Src, collector: Collector, sink: Sink): void {
  const fileCtx = Ctx.file(src);
  collector.beginFile(src.fileIndex);
  for (const { doc, errorOffsets } of parseYaml(src, sink)) {
    const root = doc.contents;
    if (root === null || isNullNode(root as Node)) continue;
    if (errorOffsets.length > 0 && !isSeq(root)) continue; // a broken document: its YAML errors say why
    if (!isSeq(root)) {
      const msg = isScalar(root) ? 'Rules content is not yaml' : 'Rules content is not yaml array of objects';
      sink.error('LOAD_ERR_YAML_VALIDATE', msg, fileCtx.push('rules content item', '', src, startOf(root, 0)));
      continue;
    }
    for (const raw of root.items) {
      const start = startOf(raw, 0);
      const end = endOf(raw, start);
      if (errorOffsets.some((o) => o >= start && o <= end)) continue;
      const item = deref(raw, doc);
      if (isNullNode(item)) continue;
      try {
        readItem(src, doc, item as Node, collector, sink, fileCtx);
      } catch (err) {
        if (err instanceof SkipItem) continue;
        if (!(err instanceof ItemError)) throw err;
        sink.error(err.code, err.message, err.ctx, err.textLoc);
      }
    }
  }
  collector.endFile();
}

function readItem(src: Src, doc: Document.Parsed, node: Node, col: Collector, sink: Sink, fileCtx: Ctx): void {
  const itemOffset = startOf(node, 0);
  const m = asMap(node, doc);
  if (m === undefined) {
    throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Unexpected element type. Each element should be a yaml associative array.',
      fileCtx.push('rules content item', '', src, itemOffset));
  }
  const kind = ITEM_KINDS.find((k) => m.has(k));
  for (const dup of m.duplicates) {
    const k = deref(dup.key, doc);
    const key = k && isScalar(k) ? scalarText(k) : '?';
    sink.warn('LOAD_UNKNOWN_KEY', `Duplicate key '${key}': the first value is used and this one is ignored.`,
      fileCtx.push(kind === undefined ? 'rules content item' : itemTypeOf(kind), '', src, startOf(dup.key, itemOffset)));
  }
  if (kind === undefined) {
    sink.warn('LOAD_UNKNOWN_ITEM', 'Unknown top level item', fileCtx.push('rules content item', '', src, itemOffset));
    return;
  }
  switch (kind) {
    case 'required_engine_version':
      return readEngineVersion(src, m, col, sink, fileCtx.push('required_engine_version', '', src, itemOffset));
    case 'required_plugin_versions':
      return readPluginVersions(src, m, col, sink, fileCtx);
    case 'list':
      return readList(src, m, col, sink, fileCtx);
    case 'macro':
      return readMacro(src, m, col, sink, fileCtx);
    case 'rule':
      return readRule(src, m, col, sink, fileCtx);
  }
}

function itemTypeOf(kind: string): string {
  if (kind === 'required_plugin_versions') return 'required plugin versions';
  return kind;
}

function warnUnknownKeys(m: YMap, kind: keyof typeof KNOWN_KEYS, ctx: Ctx, src: Src, sink: Sink): void {
  for (const key of m.keyOrder) {
    if (!KNOWN_KEYS[kind].has(key)) {
      sink.warn('LOAD_UNKNOWN_KEY', `Unknown key '${key}'. The key will be ignored.`, ctx.push('value for', key, src, m.keyOffset(key)));
    }
  }
}

// ------------------------------------------------------------------------------------ requirements

function readEngineVersion(src: Src, m: YMap, col: Collector, sink: Sink, ctx: Ctx): void {
  warnUnknownKeys(m, 'required_engine_version', ctx, src, sink);
  const { text } = decodeScalar(m, 'required_engine_version', ctx, src) as { text: string };
  const n = /^[0-9]+$/.test(text.trim()) ? parseYamlUint(text) : undefined;
  let version: string;
  if (n !== undefined && n <= 0xffffffff) {
    version = implicitEngineVersion(n);
  } else {
    if (parseSemver(text) === undefined) {
      throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Unable to parse engine version '${text}' as a semver string. Expected "x.y.z" semver format.`, ctx);
    }
    version = text.trim();
  }
  col.requireEngine(version, ctx);
}

function readPluginVersions(src: Src, m: YMap, col: Collector, sink: Sink, fileCtx: Ctx): void {
  const v = m.get('required_plugin_versions');
  const ctx = fileCtx.push('required plugin versions', '', src, m.valueOffset('required_plugin_versions'));
  warnUnknownKeys(m, 'required_plugin_versions', ctx, src, sink);
  if (!v || !isSeq(v)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Value of required_plugin_versions must be a sequence', ctx);
  for (const raw of v.items) {
    const node = deref(raw, m.doc);
    const tmp = ctx.push('required plugin versions entry', '', src, startOf(raw, ctx.last.offset));
    const pm = asMap(node, m.doc);
    if (pm === undefined) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Plugin version must be a mapping', tmp);
    const name = decodeString(pm, 'name', tmp, src);
    const pctx = ctx.push('required plugin versions entry', name, src, pm.start);
    const alternatives: PluginAlternative[] = [{ name, version: decodeString(pm, 'version', pctx, src) }];
    if (pm.has('alternatives')) {
      const alts = pm.get('alternatives');
      if (!alts || !isSeq(alts)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Value of plugin version alternatives must be a sequence', pctx);
      for (const rawAlt of alts.items) {
        const am = asMap(deref(rawAlt, m.doc), m.doc);
        const actx = pctx.push('required plugin versions alternative', '', src, startOf(rawAlt, pm.start));
        if (am === undefined) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Plugin version alternative must be a mapping', actx);
        const altName = decodeString(am, 'name', actx, src);
        const nctx = pctx.push('required plugin versions alternative', altName, src, am.start);
        alternatives.push({ name: altName, version: decodeString(am, 'version', nctx, src) });
      }
    }
    col.requirePlugins({ alternatives, ctx: pctx });
  }
}

// ------------------------------------------------------------------------------------------ lists

interface Overrides {
  readonly append: Set<string>;
  readonly replace: Set<string>;
}

function decodeOverrides(m: YMap, appendable: ReadonlySet<string>, replaceable: ReadonlySet<string>, ctx: Ctx, src: Src): Overrides {
  const out: Overrides = { append: new Set(), replace: new Set() };
  if (!m.has('override')) return out;
  const octx = ctx.push('overrides', '', src, m.valueOffset('override'));
  const om = asMap(m.get('override'), m.doc);
  if (om === undefined) {
    throw new ItemError('LOAD_ERR_YAML_VALIDATE', "The value of 'override' must be a mapping from keys to 'append' or 'replace'", octx);
  }
  for (const key of om.keyOrder) {
    const v = om.get(key);
    const operation = v && isScalar(v) && v.value !== null ? scalarText(v) : '';
    const kctx = octx.push('overrides', key, src, om.keyOffset(key));
    if (operation === 'append') {
      if (!appendable.has(key)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Key '${key}' cannot be appended to, use 'replace' instead`, kctx);
      out.append.add(key);
    } else if (operation === 'replace') {
      if (!replaceable.has(key)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Key '${key}' cannot be replaced`, kctx);
      out.replace.add(key);
    } else {
      const allowed = [appendable.has(key) ? 'append' : '', replaceable.has(key) ? 'replace' : ''].filter(Boolean).join(' ');
      throw new ItemError('LOAD_ERR_YAML_VALIDATE',
        `Invalid override operation for key '${key}': '${operation}'. Allowed values are: ${allowed}`.trimEnd(),
        octx.push('value for', key, src, om.valueOffset(key)));
    }
  }
  return out;
}

function readList(src: Src, m: YMap, col: Collector, sink: Sink, fileCtx: Ctx): void {
  const tmp = fileCtx.push('list', '', src, m.start);
  const name = decodeString(m, 'list', tmp, src);
  const ctx = fileCtx.push('list', name, src, m.start);
  warnUnknownKeys(m, 'list', ctx, src, sink);
  if (!BARESTR.test(name)) {
    sink.warn('LOAD_INVALID_LIST_NAME', `List has an invalid name. List names should match a regular expression: (${RGX_BARESTR})`, ctx);
  }
  const items = decodeScalarSeq(m, 'items', ctx, src, false) as string[];
  const append = decodeBool(m, 'append', ctx, src, true) ?? false;
  if (append) sink.warn('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
  const ov = decodeOverrides(m, new Set(['items']), new Set(['items']), ctx, src);
  if (append && (ov.append.size > 0 || ov.replace.size > 0)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', ERROR_OVERRIDE_APPEND, ctx);
  if (append || ov.append.has('items')) col.appendList(name, items, ctx);
  else col.defineList(name, items, ctx);
}

// ----------------------------------------------------------------------------------------- macros

function conditionText(m: YMap, key: string, ctx: Ctx, src: Src): MappedText {
  const s = decodeScalar(m, key, ctx, src) as { text: string; node: Scalar };
  return MappedText.scalar(src, s.node, s.text);
}

function readMacro(src: Src, m: YMap, col: Collector, sink: Sink, fileCtx: Ctx): void {
  const tmp = fileCtx.push('macro', '', src, m.start);
  const name = decodeString(m, 'macro', tmp, src);
  const ctx = fileCtx.push('macro', name, src, m.start);
  warnUnknownKeys(m, 'macro', ctx, src, sink);
  if (!IDENTIFIER.test(name)) {
    sink.warn('LOAD_INVALID_MACRO_NAME',
      `Macro has an invalid name. Macro names should match a regular expression: (${RGX_IDENTIFIER}); a macro with this name can never be referenced`, ctx);
  }
  const cond = conditionText(m, 'condition', ctx, src);
  const condCtx = ctx.push('macro condition', '', src, m.valueOffset('condition'));
  const append = decodeBool(m, 'append', ctx, src, true) ?? false;
  if (append) sink.warn('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
  const ov = decodeOverrides(m, new Set(['condition']), new Set(['condition']), ctx, src);
  if (append && (ov.append.size > 0 || ov.replace.size > 0)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', ERROR_OVERRIDE_APPEND, ctx);
  if (append || ov.append.has('condition')) col.appendMacro(name, cond, ctx);
  else col.defineMacro(name, cond, ctx, condCtx);
}

// ------------------------------------------------------------------------------------------ rules

function decodePriority(m: YMap, ctx: Ctx, src: Src): NewRule['priority'] {
  const text = decodeString(m, 'priority', ctx, src);
  const p = parsePriority(text);
  if (p === undefined) {
    const names = PRIORITY_NAMES.map((n) => n.toLowerCase()).join(', ');
    throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Invalid priority '${text}': use one of ${names} (or info), in any case`,
      ctx.push('rule priority', '', src, m.valueOffset('priority')));
  }
  return p;
}

function decodeTags(m: YMap, ctx: Ctx, src: Src): Set<string> | undefined {
  const tags = decodeScalarSeq(m, 'tags', ctx, src, true);
  return tags === undefined ? undefined : new Set([...tags].sort());
}

function readRule(src: Src, m: YMap, col: Collector, sink: Sink, fileCtx: Ctx): void {
  const tmp = fileCtx.push('rule', '', src, m.start);
  const name = decodeString(m, 'rule', tmp, src);
  const ctx = fileCtx.push('rule', name, src, m.start);
  warnUnknownKeys(m, 'rule', ctx, src, sink);

  const hasAppendFlag = decodeBool(m, 'append', ctx, src, true) ?? false;
  if (hasAppendFlag) sink.warn('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
  const ov = decodeOverrides(m, RULE_APPENDABLE, RULE_REPLACEABLE, ctx, src);
  const hasOverrides = ov.append.size > 0 || ov.replace.size > 0;
  if (hasAppendFlag && hasOverrides) throw new ItemError('LOAD_ERR_YAML_VALIDATE', ERROR_OVERRIDE_APPEND, ctx);

  const source = m.has('source') ? decodeString(m, 'source', ctx, src) : undefined;

  if (hasOverrides) return readRuleOverrides(src, m, col, sink, ctx, name, ov, source);
  if (hasAppendFlag) return readLegacyAppend(src, m, col, sink, ctx, name, source);

  const defines = ['condition', 'output', 'desc', 'priority'];
  if (!defines.some((k) => m.has(k))) {
    const enabled = decodeBool(m, 'enabled', ctx, src, false) as boolean;
    sink.warn('LOAD_DEPRECATED_ITEM', WARNING_ENABLED, ctx);
    col.enableRule(name, enabled, ctx);
    return;
  }
  // All four are required; report every missing one, then stop.
  const missing = defines.filter((k) => !m.has(k));
  for (const k of missing) sink.error('LOAD_ERR_YAML_VALIDATE', `Item has no mapping for key '${k}'`, ctx);
  if (missing.length > 0) throw new SkipItem();

  const cond = conditionText(m, 'condition', ctx, src);
  const outputScalar = decodeScalar(m, 'output', ctx, src) as { text: string; node: Scalar };
  const desc = decodeString(m, 'desc', ctx, src);
  const priority = decodePriority(m, ctx, src);
  const rule: NewRule = {
    name,
    source: source ?? 'syscall',
    cond,
    condCtx: ctx.push('rule condition', '', src, m.valueOffset('condition')),
    output: MappedText.scalar(src, outputScalar.node, outputScalar.text).trim(),
    outputCtx: ctx.push('rule output', '', src, m.valueOffset('output')),
    desc,
    priority,
    enabled: decodeBool(m, 'enabled', ctx, src, true) ?? true,
    tags: decodeTags(m, ctx, src) ?? new Set(),
    exceptions: readExceptions(src, m, ctx, sink, false) ?? [],
    warnEvttypes: decodeBool(m, 'warn_evttypes', ctx, src, true) ?? true,
    skipIfUnknownFilter: decodeBool(m, 'skip-if-unknown-filter', ctx, src, true) ?? false,
    capture: decodeBool(m, 'capture', ctx, src, true) ?? false,
    captureDuration: decodeUint(m, 'capture_duration', ctx, src, true) ?? 0,
    ctx,
  };
  col.defineRule(rule);
}

function readLegacyAppend(src: Src, m: YMap, col: Collector, sink: Sink, ctx: Ctx, name: string, source: string | undefined): void {
  const u: RuleUpdate = { name, ctx, source };
  if (m.has('condition')) {
    u.cond = conditionText(m, 'condition', ctx, src);
    u.condCtx = ctx.push('rule condition', '', src, m.valueOffset('condition'));
  }
  if (m.has('exceptions')) u.exceptions = readExceptions(src, m, ctx, sink, true) ?? [];
  for (const key of m.keyOrder) {
    if (['rule', 'append', 'condition', 'exceptions', 'source'].includes(key) || !KNOWN_KEYS.rule.has(key)) continue;
    sink.warn('LOAD_UNKNOWN_KEY', `Key '${key}' is ignored on an item with 'append: true' (only 'condition' and 'exceptions' are appended); use 'override' to change it.`,
      ctx.push('value for', key, src, m.keyOffset(key)));
  }
  if (u.cond === undefined && u.exceptions === undefined) {
    throw new ItemError('LOAD_ERR_VALIDATE', 'Appended rule must have exceptions or condition property', ctx);
  }
  col.appendRule(u);
}

function readRuleOverrides(src: Src, m: YMap, col: Collector, sink: Sink, ctx: Ctx, name: string, ov: Overrides, source: string | undefined): void {
  // The keys that must each be named under `override`: (appendable ∪ replaceable) ∩ present.
  const expected = new Set([...RULE_APPENDABLE, ...RULE_REPLACEABLE].filter((k) => m.has(k)));
  const take = (set: Set<string>, kind: 'append' | 'replace', key: string): boolean => {
    if (!set.has(key)) return false;
    if (!expected.has(key)) {
      throw new ItemError('LOAD_ERR_YAML_VALIDATE', `An ${kind} override for '${key}' was specified but '${key}' is not defined`, ctx);
    }
    expected.delete(key);
    return true;
  };
  const updates: Array<{ kind: 'append' | 'replace'; u: RuleUpdate }> = [];
  for (const kind of ['append', 'replace'] as const) {
    const set = kind === 'append' ? ov.append : ov.replace;
    if (set.size === 0) continue;
    const u: RuleUpdate = { name, ctx, source };
    if (take(set, kind, 'condition')) {
      u.cond = conditionText(m, 'condition', ctx, src);
      u.condCtx = ctx.push('rule condition', '', src, m.valueOffset('condition'));
    }
    if (take(set, kind, 'exceptions')) u.exceptions = readExceptions(src, m, ctx, sink, true) ?? [];
    if (take(set, kind, 'output')) {
      const s = decodeScalar(m, 'output', ctx, src) as { text: string; node: Scalar };
      // Falco trims the output of a full definition only, not appended or replacing text.
      u.output = MappedText.scalar(src, s.node, s.text);
      u.outputCtx = ctx.push('rule output', '', src, m.valueOffset('output'));
    }
    if (take(set, kind, 'desc')) u.desc = decodeString(m, 'desc', ctx, src);
    if (take(set, kind, 'tags')) u.tags = decodeTags(m, ctx, src);
    if (take(set, kind, 'priority')) u.priority = decodePriority(m, ctx, src);
    if (take(set, kind, 'enabled')) u.enabled = decodeBool(m, 'enabled', ctx, src, false);
    if (take(set, kind, 'warn_evttypes')) u.warnEvttypes = decodeBool(m, 'warn_evttypes', ctx, src, false);
    if (take(set, kind, 'skip-if-unknown-filter')) u.skipIfUnknownFilter = decodeBool(m, 'skip-if-unknown-filter', ctx, src, false);
    if (take(set, kind, 'capture')) u.capture = decodeBool(m, 'capture', ctx, src, false);
    if (take(set, kind, 'capture_duration')) u.captureDuration = decodeUint(m, 'capture_duration', ctx, src, false);
    updates.push({ kind, u });
  }
  for (const key of expected) {
    throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Unexpected key '${key}': no corresponding entry under 'override' is defined.`,
      ctx.push('overrides', key, src, m.keyOffset(key)));
  }
  for (const { kind, u } of updates) {
    if (kind === 'append') col.appendRule(u);
    else col.replaceRule(u);
  }
}

// ------------------------------------------------------------------------------------- exceptions

function exEntry(node: Node | null | undefined, src: Src, doc: Document.Parsed, ctx: Ctx, fallback: number): ExEntry {
  const offset = startOf(node, fallback);
  if (node && isSeq(node)) {
    const items = node.items.map((raw) => {
      const child = deref(raw, doc);
      return exEntry(child, src, doc, ctx.push('exception', '', src, startOf(raw, offset)), startOf(raw, offset));
    });
    return { isList: true, item: '', items, src, offset };
  }
  if (node && isScalar(node) && node.value !== null) {
    const text = scalarText(node);
    if (text === '') throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Value must be non-empty', ctx);
    return { isList: false, item: text, items: [], src, node, offset };
  }
  throw new ItemError('LOAD_ERR_YAML_VALIDATE', isNullNode(node) ? 'Value must be non-empty' : 'Value must be a string or a sequence', ctx);
}

/** Falco read_rule_exceptions: undefined when absent or null. `append` makes `fields` optional. */
function readExceptions(src: Src, m: YMap, ctx: Ctx, sink: Sink, append: boolean): ExceptionInfo[] | undefined {
  if (!m.has('exceptions')) return undefined;
  const exs = m.get('exceptions');
  if (isNullNode(exs)) return undefined;
  const exesCtx = ctx.push('exceptions', '', src, m.valueOffset('exceptions'));
  if (!exs || !isSeq(exs)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Rule exceptions must be a sequence', exesCtx);
  const out: ExceptionInfo[] = [];
  for (const raw of exs.items) {
    const tmp = exesCtx.push('exception', '', src, startOf(raw, exesCtx.last.offset));
    const em = asMap(deref(raw, m.doc), m.doc);
    if (em === undefined) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Rule exception must be a mapping', tmp);
    const name = decodeString(em, 'name', tmp, src);
    const exCtx = ctx.push('exception', name, src, em.start);
    for (const key of em.keyOrder) {
      if (!['name', 'fields', 'comps', 'values'].includes(key)) {
        sink.warn('LOAD_UNKNOWN_KEY', `Unknown key '${key}'. The key will be ignored.`, exCtx.push('value for', key, src, em.keyOffset(key)));
      }
    }
    if (out.some((e) => e.name === name)) {
      sink.warn('LOAD_EXCEPTION_NAME_NOT_UNIQUE', `Multiple definitions of exception '${name}' in the same rule`, exCtx);
    }
    const entry = (key: string, optional: boolean): ExEntry | undefined => {
      if (!em.has(key)) {
        if (optional) return undefined;
        throw new ItemError('LOAD_ERR_YAML_VALIDATE', `Item has no mapping for key '${key}'`, exCtx);
      }
      return exEntry(em.get(key), src, m.doc, exCtx.push('value for', key, src, em.valueOffset(key)), em.valueOffset(key));
    };
    const fields = entry('fields', append);
    const comps = entry('comps', true);
    const values: ExEntry[] = [];
    if (em.has('values')) {
      const vals = em.get('values');
      const valsCtx = exCtx.push('exception values', '', src, em.valueOffset('values'));
      if (!vals || !isSeq(vals)) throw new ItemError('LOAD_ERR_YAML_VALIDATE', 'Rule exception values must be a sequence', valsCtx);
      for (const rawVal of vals.items) {
        const off = startOf(rawVal, valsCtx.last.offset);
        values.push(exEntry(deref(rawVal, m.doc), src, m.doc, valsCtx.push('exception value', '', src, off), off));
      }
    } else if (append) {
      sink.warn('LOAD_APPEND_NO_VALUES', 'Overriding/appending exception with no values', exCtx);
    }
    out.push({ name, fields, comps, values, ctx: exCtx });
  }
  return out;
}
