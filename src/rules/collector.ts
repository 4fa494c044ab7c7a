// The collector (Falco rule_loader::collector): merges what the reader decodes, in file order, into
// one set of lists, macros and rules. Every define/append/replace takes the next value of a counter
// shared by lists, macros and rules and persisting across files: a first definition sets
// index = visibility = id; a redefinition keeps its index (its slot) and sets visibility = id;
// append and replace only bump visibility (spec §1.8–1.9). Problems throw ItemError with Falco's
// messages; the reader reports them and carries on with the next item.

import type { CondState, EngineRequirement, ExceptionInfo, ListInfo, MacroInfo, PluginRequirement, RuleInfo, RuleUpdate } from './infos.js';
import { validateException } from './exceptions.js';
import { MappedText } from './text-map.js';
import { ItemError, type Ctx } from './yaml.js';
import { compareSemver, parseSemver, satisfies, FALCO_ENGINE_VERSION, type SemVer } from './versions.js';

export const ERROR_NO_PREVIOUS_MACRO = "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists";
export const ERROR_NO_PREVIOUS_LIST = "List uses 'append' or 'override.items: append' but no list by that name already exists";
export const ERROR_NO_PREVIOUS_RULE_APPEND = "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists";
export const ERROR_NO_PREVIOUS_RULE_REPLACE = "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists";

/** A rule as first decoded by the reader, before it gets its slot. */
export type NewRule = Omit<RuleInfo, 'index' | 'visibility' | 'firstFile' | 'history' | 'condStates'>;

export class Collector {
  private counter = 0;
  private fileIndex = 0;
  /** Rules whose condition changed in the current file (their state is recorded at its end). */
  private readonly touched = new Set<RuleInfo>();

  /** Iteration order of each map is first-definition order (a redefinition keeps its slot). */
  readonly lists = new Map<string, ListInfo>();
  readonly macros = new Map<string, MacroInfo>();
  readonly rules = new Map<string, RuleInfo>();
  readonly pluginRequirements: PluginRequirement[] = [];
  engineRequirement: (EngineRequirement & { parsed: SemVer }) | undefined;

  constructor(private readonly engineVersion: string = FALCO_ENGINE_VERSION) {}

  beginFile(fileIndex: number): void {
    this.fileIndex = fileIndex;
  }

  /** Records the condition of every rule changed in this file, as Falco would compile it now. */
  endFile(): void {
    for (const r of this.touched) {
      const state: CondState = { fileIndex: this.fileIndex, cond: r.cond, ctx: r.condCtx };
      const last = r.condStates[r.condStates.length - 1];
      if (last !== undefined && last.fileIndex === this.fileIndex) r.condStates[r.condStates.length - 1] = state;
      else r.condStates.push(state);
    }
    this.touched.clear();
  }

  private next(): number {
    return this.counter++;
  }

  // ------------------------------------------------------------------------------- requirements

  requireEngine(version: string, ctx: Ctx): void {
    const parsed = parseSemver(version) as SemVer;
    const engine = parseSemver(this.engineVersion) as SemVer;
    if (!satisfies(engine, parsed)) {
      throw new ItemError('LOAD_ERR_VALIDATE', `Rules require engine version ${version}, but engine version is ${this.engineVersion}`, ctx);
    }
    if (this.engineRequirement === undefined || compareSemver(this.engineRequirement.parsed, parsed) < 0) {
      this.engineRequirement = { version, ctx, parsed };
    }
  }

  requirePlugins(req: PluginRequirement): void {
    const seen = new Set<string>();
    for (const alt of req.alternatives) {
      if (parseSemver(alt.version) === undefined) {
        throw new ItemError('LOAD_ERR_VALIDATE', `Invalid required version '${alt.version}' for plugin '${alt.name}'`, req.ctx);
      }
      if (seen.has(alt.name)) {
        throw new ItemError('LOAD_ERR_VALIDATE', `Defined multiple alternative version requirements for plugin '${alt.name}'`, req.ctx);
      }
      seen.add(alt.name);
    }
    this.pluginRequirements.push(req);
  }

  // -------------------------------------------------------------------------------------- lists

  defineList(name: string, items: string[], ctx: Ctx): void {
    const id = this.next();
    const prev = this.lists.get(name);
    if (prev) {
      prev.items = [...items];
      prev.ctx = ctx;
      prev.visibility = id;
      prev.history.push(ctx);
      return;
    }
    this.lists.set(name, { name, items: [...items], ctx, index: id, visibility: id, firstFile: this.fileIndex, history: [ctx] });
  }

  appendList(name: string, items: string[], ctx: Ctx): void {
    const prev = this.lists.get(name);
    if (!prev) throw new ItemError('LOAD_ERR_VALIDATE', ERROR_NO_PREVIOUS_LIST, ctx);
    prev.items.push(...items);
    prev.visibility = this.next();
    prev.history.push(ctx);
  }

  // ------------------------------------------------------------------------------------- macros

  defineMacro(name: string, cond: MappedText, ctx: Ctx, condCtx: Ctx): void {
    const id = this.next();
    const prev = this.macros.get(name);
    if (prev) {
      prev.cond = cond;
      prev.ctx = ctx;
      prev.condCtx = condCtx;
      prev.visibility = id;
      prev.history.push(ctx);
      return;
    }
    this.macros.set(name, { name, cond, ctx, condCtx, index: id, visibility: id, firstFile: this.fileIndex, history: [ctx] });
  }

  appendMacro(name: string, cond: MappedText, ctx: Ctx): void {
    const prev = this.macros.get(name);
    if (!prev) throw new ItemError('LOAD_ERR_VALIDATE', ERROR_NO_PREVIOUS_MACRO, ctx);
    prev.cond = joinText(prev.cond, cond);
    prev.visibility = this.next();
    prev.history.push(ctx);
  }

  // -------------------------------------------------------------------------------------- rules

  defineRule(rule: NewRule): void {
    const prev = this.rules.get(rule.name);
    if (prev && prev.source !== rule.source) {
      throw new ItemError('LOAD_ERR_VALIDATE', 'Rule has been re-defined with a different source', rule.ctx);
    }
    const exceptions = rule.exceptions.map(validateException);
    const id = this.next();
    if (prev) {
      Object.assign(prev, rule, { exceptions, visibility: id });
      prev.history.push(rule.ctx);
      this.touched.add(prev);
      return;
    }
    const info: RuleInfo = {
      ...rule, exceptions, index: id, visibility: id, firstFile: this.fileIndex, history: [rule.ctx], condStates: [],
    };
    this.rules.set(rule.name, info);
    this.touched.add(info);
  }

  private previousRule(u: RuleUpdate, missing: string): RuleInfo {
    const prev = this.rules.get(u.name);
    if (!prev) throw new ItemError('LOAD_ERR_VALIDATE', missing, u.ctx);
    if (u.source !== undefined && u.source !== '' && prev.source !== '' && u.source !== prev.source) {
      throw new ItemError('LOAD_ERR_VALIDATE', 'Rule has been re-defined with a different source', u.ctx);
    }
    return prev;
  }

  /** `append: true` or `override: {key: append}` (Falco collector::append). */
  appendRule(u: RuleUpdate): void {
    const prev = this.previousRule(u, ERROR_NO_PREVIOUS_RULE_APPEND);
    if (u.cond === undefined && u.exceptions === undefined && u.output === undefined && u.desc === undefined && u.tags === undefined) {
      throw new ItemError('LOAD_ERR_VALIDATE', 'Appended rule must have exceptions or condition property', u.ctx);
    }
    // Validate everything before changing anything, so that a failed append leaves the rule intact.
    const merged = [...prev.exceptions];
    for (const ex of u.exceptions ?? []) {
      const at = merged.findIndex((e) => e.name === ex.name);
      if (at < 0) {
        if (ex.fields === undefined) throw new ItemError('LOAD_ERR_VALIDATE', 'Rule exception must have fields property with a list of fields', ex.ctx);
        if (ex.values.length === 0) throw new ItemError('LOAD_ERR_VALIDATE', 'Rule exception must have values property with a list of values', ex.ctx);
        merged.push(validateException(ex));
      } else {
        if (ex.fields !== undefined) throw new ItemError('LOAD_ERR_VALIDATE', 'Can not append exception fields to existing exception, only values', ex.ctx);
        if (ex.comps !== undefined) throw new ItemError('LOAD_ERR_VALIDATE', 'Can not append exception comps to existing exception, only values', ex.ctx);
        const old = merged[at] as ExceptionInfo;
        merged[at] = { ...old, values: [...old.values, ...ex.values] };
      }
    }
    if (u.cond !== undefined && u.cond.text !== '') {
      prev.cond = joinText(prev.cond, u.cond);
      this.touched.add(prev);
    }
    if (u.output !== undefined && u.output.text !== '') prev.output = joinText(prev.output, u.output);
    if (u.desc !== undefined && u.desc !== '') prev.desc = `${prev.desc} ${u.desc}`;
    if (u.tags !== undefined) for (const t of u.tags) prev.tags.add(t);
    prev.exceptions = merged;
    prev.visibility = this.next();
    prev.history.push(u.ctx);
  }

  /** `override: {key: replace}` (Falco collector::selective_replace). */
  replaceRule(u: RuleUpdate): void {
    const prev = this.previousRule(u, ERROR_NO_PREVIOUS_RULE_REPLACE);
    const exceptions = u.exceptions?.map((ex) => validateException(ex));
    if (u.cond !== undefined) {
      prev.cond = u.cond;
      if (u.condCtx) prev.condCtx = u.condCtx;
      this.touched.add(prev);
    }
    if (u.output !== undefined) {
      prev.output = u.output;
      if (u.outputCtx) prev.outputCtx = u.outputCtx;
    }
    if (u.desc !== undefined) prev.desc = u.desc;
    if (u.tags !== undefined) prev.tags = new Set(u.tags);
    if (exceptions !== undefined) prev.exceptions = exceptions;
    if (u.priority !== undefined) prev.priority = u.priority;
    if (u.enabled !== undefined) prev.enabled = u.enabled;
    if (u.warnEvttypes !== undefined) prev.warnEvttypes = u.warnEvttypes;
    if (u.skipIfUnknownFilter !== undefined) prev.skipIfUnknownFilter = u.skipIfUnknownFilter;
    if (u.capture !== undefined) prev.capture = u.capture;
    if (u.captureDuration !== undefined) prev.captureDuration = u.captureDuration;
    prev.visibility = this.next();
    prev.history.push(u.ctx);
  }

  /** The legacy standalone `enabled:` item. */
  enableRule(name: string, enabled: boolean, ctx: Ctx): void {
    const prev = this.rules.get(name);
    if (!prev) throw new ItemError('LOAD_ERR_VALIDATE', "Rule has 'enabled' key but no rule by that name already exists", ctx);
    prev.enabled = enabled;
    prev.history.push(ctx);
  }
}

/** `prev + " " + next`: Falco's plain text concatenation, with no parentheses. */
function joinText(prev: MappedText, next: MappedText): MappedText {
  const anchor = next.start ?? prev.start;
  return anchor ? prev.concat(MappedText.anchored(' ', anchor), next) : prev.concat(next);
}
