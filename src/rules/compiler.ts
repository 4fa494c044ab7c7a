// The compiler (Falco rule_loader::compiler), run once after every file is collected:
//   1. lists: list-in-list expansion (one level, earlier lists only);
//   2. macros, in first-definition order: textual list substitution, parse, then expansion of the
//      macros they may see (index < own visibility), with loop detection;
//   3. rules, in first-definition order: exceptions appended as text, list substitution, parse,
//      expansion with every macro, compile to a predicate, event-type inference, output template;
//   4. unused macro and list warnings.
// Unlike Falco it does not stop at the first error: a failing macro or rule is reported and left
// out, and rules that depend on a failing macro are left out without a second report.
//
// Multiple files: Falco compiles after every file, so a rule whose condition (as it stood at the end
// of some file) names a macro first defined in a later file fails. Peregrine compiles once but
// reports exactly that case with the same error (and says which later file defines the macro).

import type { Expr, Node, Pos } from '../condition/ast.js';
import { identifiersOf, toString } from '../condition/ast.js';
import { compileOperand, planCondition, predicateOf, type PlannedCondition } from '../condition/compile.js';
import { inferEventTypes, typeSetSize, type TypeSet } from '../condition/evttypes.js';
import { DEFAULT_RULE_MAX_DEPTH, parseCondition } from '../condition/parse.js';
import { ConditionCompileError, ConditionSyntaxError } from '../common/errors.js';
import type { Priority } from '../common/priority.js';
import { editDistance, type FieldRegistry } from '../fields/registry.js';
import { compileTemplate, TemplateError, type ExtraField } from '../fields/template.js';
import type { Collector } from './collector.js';
import { exceptionFieldNames, withExceptions } from './exceptions.js';
import type { ExceptionInfo, MacroInfo, RuleInfo } from './infos.js';
import { compileLists, substituteLists, type CompiledList } from './lists.js';
import { resolveMacros, type MacroDef } from './macros.js';
import { MappedText, type Origin } from './text-map.js';
import type { CompiledRule, RuleLocation } from './types.js';
import { filePosition } from './diagnostics.js';
import { ItemError, type Ctx, type Sink, type TextLoc } from './yaml.js';

/** Falco's `append_output` config entry (spec §4.3). */
export interface AppendOutput {
  readonly match?: { readonly source?: string; readonly tags?: readonly string[]; readonly rule?: string };
  readonly extraOutput?: string;
  readonly extraFields?: readonly ExtraField[];
}

/** A rule's test until run() builds the predicates of all planned conditions. */
const NOT_YET_BUILT: CompiledRule['test'] = () => {
  throw new Error('rule predicate used before the rule set was compiled');
};

export interface CompilerOptions {
  readonly registryFor: (source: string) => FieldRegistry | undefined;
  /** Rules less severe than this are not compiled at all (Falco's `priority:`). */
  readonly priority: Priority;
  readonly appendOutput: readonly AppendOutput[];
}

export interface CompiledMacro {
  readonly info: MacroInfo;
  readonly ast: Expr | undefined;
  readonly used: boolean;
}

export interface CompileOutput {
  readonly rules: CompiledRule[];
  readonly skipped: Array<{ info: RuleInfo; reason: 'unknown-source' | 'unknown-filter' | 'error' }>;
  readonly macros: CompiledMacro[];
  readonly lists: Map<string, CompiledList>;
}

const UNKNOWN_FILTER = ['nonexistent field', 'invalid formatting token', 'unknown event type', 'unknown filter:'];

/** A text that was parsed: where its positions point back to. */
interface Parsed {
  readonly ast: Expr;
  /** The text the parser saw (after exceptions and list substitution). */
  readonly text: string;
  /** The text before list substitution, mapped to the files. */
  readonly pre: MappedText;
  originMap?: number[];
}

interface MacroState extends MacroDef {
  readonly info: MacroInfo;
  readonly parsed: Parsed | undefined;
  ast: Expr | undefined;
  used: boolean;
}

class RuleFailure extends Error {}

export class RuleCompiler {
  private readonly lists: Map<string, CompiledList>;
  private readonly listOrder: CompiledList[];
  private readonly macros = new Map<string, MacroState>();
  private readonly fieldChecks = new Map<string, string | undefined>();

  constructor(private readonly col: Collector, private readonly options: CompilerOptions, private readonly sink: Sink) {
    this.lists = compileLists(col.lists);
    this.listOrder = [...this.lists.values()];
  }

  run(): CompileOutput {
    this.compileMacros();
    const rules: CompiledRule[] = [];
    const planned: PlannedCondition[] = [];
    const skipped: CompileOutput['skipped'] = [];
    for (const info of this.col.rules.values()) {
      if (info.priority > this.options.priority) continue;
      const registry = this.options.registryFor(info.source);
      if (registry === undefined) {
        this.sink.warn('LOAD_UNKNOWN_SOURCE', `Unknown source ${info.source}, skipping`, info.ctx);
        skipped.push({ info, reason: 'unknown-source' });
        continue;
      }
      try {
        const compiled = this.compileRule(info, registry, rules.length);
        if (compiled === undefined) {
          skipped.push({ info, reason: 'unknown-filter' });
        } else {
          rules.push(compiled.rule);
          planned.push(compiled.condition);
        }
      } catch (err) {
        if (err instanceof ItemError) this.sink.error(err.code, err.message, err.ctx, err.textLoc);
        else if (!(err instanceof RuleFailure)) throw err;
        skipped.push({ info, reason: 'error' });
      }
    }
    // Predicates are built once every condition is planned, so that each knows all the shared parts.
    rules.forEach((rule, i) => {
      (rule as { test: CompiledRule['test'] }).test = predicateOf(planned[i] as PlannedCondition);
    });
    this.warnUnused();
    const macros = [...this.macros.values()].map((m) => ({ info: m.info, ast: m.ast, used: m.used }));
    return { rules, skipped, macros, lists: this.lists };
  }

  // ------------------------------------------------------------------------------------ parsing

  /** List substitution then parse; a syntax error is reported at its file position. */
  private parse(pre: MappedText, base: Ctx, condItem: string): Parsed | undefined {
    const { text } = substituteLists(pre.text, this.listOrder);
    try {
      const ast = parseCondition(text, { maxDepth: DEFAULT_RULE_MAX_DEPTH });
      return { ast, text, pre };
    } catch (err) {
      if (!(err instanceof ConditionSyntaxError)) throw err;
      const parsed: Parsed = { ast: { kind: 'identifier', name: '', loc: err.position }, text, pre };
      const { ctx, textLoc } = this.locate(parsed, err.position.offset, base, condItem);
      this.sink.error('LOAD_ERR_COMPILE_CONDITION', err.message, ctx, textLoc);
      return undefined;
    }
  }

  /** The location chain of character `offset` of a parsed text. */
  private locate(p: Parsed, offset: number, base: Ctx, condItem: string): { ctx: Ctx; textLoc: TextLoc } {
    if (p.originMap === undefined) {
      const identity = Array.from({ length: p.pre.text.length }, (_, i) => i);
      p.originMap = substituteLists(p.pre.text, this.listOrder.map((l) => ({ ...l })), identity).origin ?? identity;
    }
    const pre = offset >= p.originMap.length ? p.pre.text.length : p.originMap[offset] ?? 0;
    const origin: Origin | undefined = p.pre.origin(pre);
    const last = base.last;
    const ctx = origin ? base.push(condItem, '', origin.src, origin.offset) : base.push(condItem, '', last.src, last.offset);
    return { ctx, textLoc: { itemType: 'condition expression', text: p.text, offset } };
  }

  // ------------------------------------------------------------------------------------- macros

  private compileMacros(): void {
    for (const info of this.col.macros.values()) {
      const parsed = this.parse(info.cond, info.ctx, 'macro condition');
      this.macros.set(info.name, { name: info.name, index: info.index, info, parsed, ast: parsed?.ast, used: false });
    }
    // In first-definition order, each macro sees the macros first defined before its last update.
    for (const m of this.macros.values()) {
      if (m.ast === undefined || m.parsed === undefined) continue;
      const r = resolveMacros(m.ast, this.macros, (d) => d.index < m.info.visibility);
      for (const name of r.resolved) this.markUsed(name);
      const problems = [...r.errors, ...r.unknown];
      if (problems.length > 0) {
        const seen = new Set<string>();
        for (const p of problems) {
          if (seen.has(p.name)) continue;
          seen.add(p.name);
          const where = this.findLoc(p.position, [m.parsed], [...r.resolved]);
          const { ctx, textLoc } = where ?? this.locate(m.parsed, p.position.offset, m.info.ctx, 'macro condition');
          this.sink.error('LOAD_ERR_VALIDATE', p.message + this.undefinedHint(p.name, p.message, m.info), ctx, textLoc);
        }
        m.ast = undefined;
        continue;
      }
      if (r.broken.length > 0) {
        m.ast = undefined;
        continue;
      }
      m.ast = r.expr;
    }
  }

  private markUsed(name: string): void {
    const m = this.macros.get(name);
    if (m) m.used = true;
  }

  private undefinedHint(name: string, message: string, from: MacroInfo | undefined): string {
    if (!message.startsWith('Undefined macro')) return '';
    const def = this.col.macros.get(name);
    if (def !== undefined && from !== undefined) {
      const l = def.ctx.last;
      const p = filePosition(l);
      return ` Macro '${name}' is first defined at ${l.src.name}:${p.line}:${p.column}, after macro '${from.name}' was last defined or updated; a macro can only use macros defined before it.`;
    }
    let best: string | undefined;
    let score = 3;
    for (const other of this.col.macros.keys()) {
      const d = editDistance(name, other, score);
      if (d < score) {
        score = d;
        best = other;
      }
    }
    return best !== undefined ? ` Did you mean '${best}'?` : '';
  }

  /** Finds which parsed text a position belongs to (macros are shared, so positions are too). */
  private findLoc(pos: Pos | undefined, own: readonly Parsed[], macroNames: readonly string[], ruleCtx?: Ctx):
    { ctx: Ctx; textLoc: TextLoc } | undefined {
    if (pos === undefined) return undefined;
    for (const p of own) {
      if (containsLoc(p.ast, pos)) return undefined; // the caller's own text: caller locates it
    }
    for (const name of macroNames) {
      const m = this.macros.get(name);
      if (m?.parsed === undefined || !containsLoc(m.parsed.ast, pos)) continue;
      const base = ruleCtx === undefined ? m.info.ctx : ruleCtx.push('macro', m.name, m.info.ctx.last.src, m.info.ctx.last.offset);
      return this.locate(m.parsed, pos.offset, base, 'macro condition');
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------- rules

  private fail(message: string, ctx: Ctx, textLoc?: TextLoc, code: 'LOAD_ERR_VALIDATE' | 'LOAD_ERR_COMPILE_CONDITION' | 'LOAD_ERR_COMPILE_OUTPUT' = 'LOAD_ERR_VALIDATE'): never {
    this.sink.error(code, message, ctx, textLoc);
    throw new RuleFailure(message);
  }

  /** Compiles a rule; its `test` is set by run() from the planned condition returned beside it. */
  private compileRule(info: RuleInfo, registry: FieldRegistry, id: number): { rule: CompiledRule; condition: PlannedCondition } | undefined {
    for (const ex of info.exceptions) this.checkExceptionFields(ex, registry);
    const pre = withExceptions(info.cond, info.exceptions);
    const parsed = this.parse(pre, info.ctx, 'rule condition');
    if (parsed === undefined) {
      // Macros named in a condition that does not parse still count as used.
      for (const m of this.macros.keys()) if (new RegExp(`(^|[^a-zA-Z0-9_.])${m}($|[^a-zA-Z0-9_.])`).test(info.cond.text)) this.markUsed(m);
      throw new RuleFailure('parse');
    }
    const here = (pos: Pos | undefined): { ctx: Ctx; textLoc?: TextLoc } => {
      if (pos === undefined) return { ctx: info.condCtx };
      return this.findLoc(pos, [parsed], [...resolved], info.ctx) ?? this.locate(parsed, pos.offset, info.ctx, 'rule condition');
    };

    const r = resolveMacros(parsed.ast, this.macros, () => true);
    const resolved = r.resolved;
    for (const name of resolved) this.markUsed(name);
    for (const p of [...r.errors, ...r.unknown].slice(0, 1)) {
      const { ctx, textLoc } = here(p.position);
      this.fail(p.message + this.undefinedHint(p.name, p.message, undefined), ctx, textLoc);
    }
    if (r.broken.length > 0) throw new RuleFailure('broken macro');
    this.checkMacroFiles(info, parsed);

    const expanded = r.expr;
    let condition: PlannedCondition | undefined;
    let eventTypes: TypeSet | undefined;
    let conditionFailed = false;
    try {
      condition = planCondition(expanded, registry);
      for (const w of condition.warnings) {
        const { ctx, textLoc } = here(w.position);
        if (w.code === 'LOAD_UNSAFE_NA_CHECK' || w.code === 'LOAD_DEPRECATED_ITEM' || w.code === 'LOAD_COMPILE_CONDITION') {
          this.sink.warn(w.code, w.message, ctx, textLoc);
        } else {
          this.sink.warn('LOAD_COMPILE_CONDITION', w.message, ctx, textLoc);
        }
      }
      eventTypes = inferEventTypes(expanded);
    } catch (err) {
      if (!(err instanceof ConditionCompileError)) throw err;
      const { ctx, textLoc } = here(err.position);
      const message = withSuggestion(err.message, registry);
      if (info.skipIfUnknownFilter && UNKNOWN_FILTER.some((s) => message.includes(s))) {
        this.sink.warn('LOAD_UNKNOWN_FILTER', message, ctx, textLoc);
        return undefined;
      }
      this.sink.error('LOAD_ERR_COMPILE_CONDITION', message, ctx, textLoc);
      conditionFailed = true;
    }

    // The output is compiled even when the condition failed, so that both problems are reported.
    const output = this.compileOutput(info, registry);
    if (conditionFailed || condition === undefined || eventTypes === undefined) throw new RuleFailure('condition');
    if (output === undefined) return undefined;

    if (info.source === 'syscall' && info.warnEvttypes && typeSetSize(eventTypes) > 100) {
      this.sink.warn('LOAD_NO_EVTTYPE', 'Rule matches too many evt.type values. This has a significant performance penalty.', info.ctx);
    }

    const exceptionFields = [...new Set(info.exceptions.flatMap(exceptionFieldNames))].sort();
    let canonical: string | undefined;
    const rule: CompiledRule = {
      id,
      name: info.name,
      desc: info.desc,
      priority: info.priority,
      source: info.source,
      tags: [...info.tags].sort(),
      enabled: info.enabled,
      condition: info.cond.text,
      // Printed on demand: most consumers never need it.
      get expandedCondition(): string {
        canonical ??= toString(expanded);
        return canonical;
      },
      ast: expanded,
      test: NOT_YET_BUILT,
      eventTypes,
      output,
      exceptionFields,
      capture: info.capture,
      captureDuration: info.captureDuration,
      location: ruleLocation(info.ctx),
    };
    return { rule, condition };
  }

  /** Falco validate_exception_info's field check: every field must exist for the rule's source. */
  private checkExceptionFields(ex: ExceptionInfo, registry: FieldRegistry): void {
    for (const field of exceptionFieldNames(ex)) {
      const key = `${registry.source}\0${field}`;
      let problem = this.fieldChecks.get(key);
      if (!this.fieldChecks.has(key)) {
        problem = fieldProblem(field, registry);
        this.fieldChecks.set(key, problem);
      }
      if (problem !== undefined) {
        const hint = /nonexistent field/.test(problem) ? (/\(did you mean '[^']*'\?\)$/.exec(problem)?.[0] ?? '') : problem;
        this.fail(`'${field}' is not a supported filter field${hint ? (hint.startsWith('(') ? ` ${hint}` : `: ${hint}`) : ''}`, ex.ctx);
      }
    }
  }

  /** The Falco-compatible per-file check: see the header comment. */
  private checkMacroFiles(info: RuleInfo, parsed: Parsed): void {
    const states = info.condStates;
    states.forEach((state, i) => {
      let ids: Array<{ name: string; loc: Pos }>;
      let p: Parsed | undefined = parsed;
      if (i === states.length - 1) {
        ids = [...identifiersOf(parsed.ast)].map((x) => ({ name: x.name, loc: x.loc }));
      } else {
        const text = substituteLists(state.cond.text, this.listOrder.map((l) => ({ ...l }))).text;
        try {
          const ast = parseCondition(text, { maxDepth: DEFAULT_RULE_MAX_DEPTH });
          p = { ast, text, pre: state.cond };
          ids = [...identifiersOf(ast)].map((x) => ({ name: x.name, loc: x.loc }));
        } catch {
          return;
        }
      }
      for (const id of ids) {
        const m = this.col.macros.get(id.name);
        if (m === undefined || m.firstFile <= state.fileIndex) continue;
        const { ctx, textLoc } = this.locate(p, id.loc.offset, info.ctx, 'rule condition');
        const l = m.ctx.last;
        const fp = filePosition(l);
        const ruleFile = state.ctx.last.src.name;
        this.fail(`Undefined macro '${id.name}' used in filter. Falco compiles the rules after loading each file, and when ${ruleFile} `
          + `was loaded macro '${id.name}' was not yet defined (it is first defined at ${l.src.name}:${fp.line}:${fp.column}); `
          + 'define it in the same file as the rule or in an earlier one.', ctx, textLoc);
      }
    });
  }

  private compileOutput(info: RuleInfo, registry: FieldRegistry): CompiledRule['output'] | undefined {
    let out = info.output;
    const extraFields: ExtraField[] = [];
    for (const a of this.options.appendOutput) {
      const m = a.match ?? {};
      if (m.source && m.source !== info.source) continue;
      if (m.rule && m.rule !== info.name) continue;
      if (m.tags && !m.tags.every((t) => info.tags.has(t))) continue;
      if (a.extraOutput) out = out.concat(MappedText.anchored(` ${a.extraOutput}`, { src: info.ctx.last.src, offset: info.ctx.last.offset }));
      if (a.extraFields) extraFields.push(...a.extraFields);
    }
    let text = out.text;
    if (text.includes('%container.info')) {
      this.sink.warn('LOAD_DEPRECATED_ITEM',
        "'%container.info' in an output is deprecated and is replaced by an empty string; use fields such as %container.name and %container.id",
        info.outputCtx);
      text = text.split('%container.info').join('');
      out = MappedText.anchored(text, info.outputCtx.last);
    }
    try {
      const { template, warnings } = compileTemplate(text, registry, { extraFields });
      for (const w of warnings) {
        const o = out.origin(w.offset);
        this.sink.warn(w.code, w.message, o ? info.ctx.push('rule output', '', o.src, o.offset) : info.outputCtx,
          { itemType: 'rule output expression', text, offset: w.offset });
      }
      return template;
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      const o = out.origin(err.offset);
      const ctx = o ? info.ctx.push('rule output', '', o.src, o.offset) : info.outputCtx;
      const textLoc: TextLoc = { itemType: 'rule output expression', text, offset: err.offset };
      if (info.skipIfUnknownFilter && UNKNOWN_FILTER.some((s) => err.message.includes(s))) {
        this.sink.warn('LOAD_UNKNOWN_FILTER', err.message, ctx, textLoc);
        return undefined;
      }
      this.fail(err.message, ctx, textLoc, 'LOAD_ERR_COMPILE_OUTPUT');
    }
  }

  // ------------------------------------------------------------------------------------- unused

  /**
   * Falco reports unused macros and lists only after a successful compile: with errors, an item used
   * only by a rule that failed would be reported as unused, which is noise until the error is fixed.
   */
  private warnUnused(): void {
    if (this.sink.hasErrors) return;
    for (const m of this.macros.values()) {
      if (!m.used) this.sink.warn('LOAD_UNUSED_MACRO', 'Macro not referred to by any other rule/macro', m.info.ctx);
    }
    for (const l of this.col.lists.values()) {
      if (!this.lists.get(l.name)?.used) this.sink.warn('LOAD_UNUSED_LIST', 'List not referred to by any other rule/macro', l.ctx);
    }
  }
}

/** Adds the registry's "did you mean" to a nonexistent-field message that lacks one. */
function withSuggestion(message: string, registry: FieldRegistry): string {
  const m = /nonexistent field ([^\s\[]+)(\[[^\]]*\])?$/.exec(message);
  if (m === null) return message;
  const hint = registry.suggest(m[1] as string);
  return hint === undefined ? message : `${message} (did you mean '${hint}'?)`;
}

/** Why `field` is not a valid exception field for the registry ("" when unknown), or undefined when valid. */
function fieldProblem(field: string, registry: FieldRegistry): string | undefined {
  try {
    const e = parseCondition(`${field} exists`);
    if (e.kind !== 'unary') return '';
    compileOperand(e.left, registry);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : '';
  }
}

export function ruleLocation(ctx: Ctx): RuleLocation {
  const l = ctx.last;
  const p = filePosition(l);
  return { file: l.src.name, line: p.line, column: p.column };
}

/** True when some node of the tree has exactly this position object. */
function containsLoc(node: Node, pos: Pos): boolean {
  if (node.loc === pos) return true;
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.children.some((c) => containsLoc(c, pos));
    case 'not':
      return containsLoc(node.child, pos);
    case 'unary':
      return containsLoc(node.left, pos);
    case 'binary':
      return containsLoc(node.left, pos) || containsLoc(node.right, pos);
    case 'transformer':
      return node.args.some((a) => containsLoc(a, pos));
    case 'trlist':
      return node.items.some((a) => containsLoc(a, pos));
    default:
      return false;
  }
}
