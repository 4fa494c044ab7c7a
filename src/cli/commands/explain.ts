// `peregrine explain`: why a rule does or does not fire on one event. Prints the rule's expanded
// condition as a tree with each field's value and each sub-expression's result, marking what
// short-circuiting skipped (src/condition/explain.ts). The event is inline (--event) or line N of
// a file (--events FILE --line N), in which case lines 1..N are replayed through the decoder and
// the state tracker first, so that ancestry, fds and containers are what the engine would see.

import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../../common/errors.js';
import { formatLoadResults } from '../../common/load-result.js';
import { priorityName } from '../../common/priority.js';
import { typeSetHas, type TypeSet } from '../../condition/evttypes.js';
import { explainCondition, explainJson, renderExplain } from '../../condition/explain.js';
import { createDecoder, isFormatOption, type Decoder } from '../../decode/index.js';
import { K8sAuditDecoder } from '../../decode/k8saudit.js';
import { Engine } from '../../engine/engine.js';
import type { Event } from '../../event/types.js';
import type { FieldRegistry } from '../../fields/registry.js';
import { loadRules } from '../../rules/load.js';
import type { CompiledRule } from '../../rules/types.js';
import { StateTracker } from '../../state/tracker.js';
import { DEFAULT_RULES_DIR } from '../default-rules.js';
import { openInput } from '../inputs.js';
import { allRegistries, registryFor } from '../registries.js';
import { displayPath } from '../../common/display-path.js';
import { compileFieldList } from './events.js';

interface Located {
  readonly event: Event;
  /** "FILE:N" or "--event". */
  readonly where: string;
}

const SUMMARY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  syscall: ['evt.type', 'proc.name', 'proc.pid', 'proc.pname', 'proc.cmdline', 'fd.name', 'user.uid', 'container.id'],
  k8s_audit: ['ka.verb', 'ka.target.resource', 'ka.target.namespace', 'ka.target.name', 'ka.user.name'],
};

function decoderFor(format: string, log: (m: string) => void): ((line: string, lineNo: number) => Event[]) {
  if (format === 'k8s_audit') {
    const k = new K8sAuditDecoder({ onProblem: (_kind, message) => log(message) });
    return (line) => k.decode(line).events;
  }
  const d: Decoder = createDecoder(format as Parameters<typeof createDecoder>[0], { log, logBurst: 1000 });
  const tracker = new StateTracker();
  return (line, lineNo) => {
    const ev = d.decode(line, lineNo);
    if (ev === undefined) return [];
    tracker.apply(ev);
    return [ev];
  };
}

/** The event to explain: inline, or line N of a file after lines 1..N-1 went through decoder and state. */
async function readEvent(values: { event?: string; events?: string; line?: string; format: string }, ctx: CommandContext): Promise<Located> {
  const problems: string[] = [];
  const log = (m: string): void => void problems.push(m);
  const decode = decoderFor(values.format, log);
  if (values.event !== undefined) {
    const evs = decode(values.event, 1);
    const ev = evs[0];
    if (ev === undefined) throw new UsageError(`--event could not be decoded${problems.length ? `: ${problems.join('; ')}` : ` as ${values.format}`}`);
    return { event: ev, where: '--event' };
  }
  const path = values.events as string;
  const n = Number(values.line);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--line must be a line number (1 or more)');
  const abs = isAbsolute(path) ? path : join(ctx.cwd, path);
  const input = await openInput({ path: abs, format: 'auto', log });
  let found: Event | undefined;
  let last = 0;
  outer: for await (const batch of input.source) {
    for (let i = 0; i < batch.items.length; i++) {
      const lineNo = batch.firstLine + i;
      const item = batch.items[i]!;
      last = lineNo;
      if (typeof item !== 'string') {
        if (lineNo === n) throw new UsageError(`${path}:${n}: the line cannot be read (${item.bad})`);
        continue;
      }
      const evs = decode(item, lineNo);
      if (lineNo === n) {
        found = evs[0];
        break outer;
      }
    }
  }
  if (last < n) throw new UsageError(`${path} has ${last} lines; there is no line ${n}`);
  if (found === undefined) {
    const why = problems.find((p) => p.includes(`:${n}:`) || p.includes(`line ${n}:`)) ?? 'the decoder produced no event from it (e.g. an enter event, or a record it skips)';
    throw new UsageError(`${path}:${n}: no event to explain: ${why}`);
  }
  return { event: found, where: `${path}:${n}` };
}

function typesText(s: TypeSet, max = 6): string {
  const names = [...s.names].sort();
  if (s.except) return names.length === 0 ? 'all' : `all except ${names.slice(0, max).join(', ')}${names.length > max ? ', …' : ''}`;
  return names.length === 0 ? 'none' : `${names.slice(0, max).join(', ')}${names.length > max ? `, … (${names.length})` : ''}`;
}

function summary(ev: Event, registry: FieldRegistry | undefined): string {
  if (registry === undefined) return `${ev.source} event`;
  const names = SUMMARY_FIELDS[ev.source] ?? [];
  const parts: string[] = [];
  for (const [name, ex] of compileFieldList(registry, names)) {
    const v = (ex as (e: Event) => unknown)(ev);
    if (v === undefined || v === null || v === '') continue;
    let text = typeof v === 'bigint' ? v.toString() : String(v);
    if (text.length > 80) text = `${text.slice(0, 79)}…`;
    parts.push(`${name}=${JSON.stringify(text).slice(1, -1)}`);
  }
  return parts.join(' ');
}

function notEvaluatedReason(rule: CompiledRule, ev: Event): string | undefined {
  if (rule.source !== ev.source) return `the rule's source is ${rule.source}; this is a ${ev.source} event`;
  if (!rule.enabled) return 'the rule is disabled: the engine does not evaluate it';
  if (!typeSetHas(rule.eventTypes, ev.type)) return `the engine does not evaluate it on ${ev.type || 'these'} events: its event types are ${typesText(rule.eventTypes)}`;
  return undefined;
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Explain why a rule fires or not on one event: its condition as a tree of values and results',
  usage: `Usage: peregrine explain (--rule NAME | --all) (--event JSON | --events FILE --line N) [options]

Explains a rule on one event: prints its fully expanded condition (macros, lists and exceptions
resolved) as a tree, with the value of every field it reads on that event and the result of
every sub-expression (✓ true, ✗ false, · not evaluated because an and/or was already decided),
and says whether the rule fires. With --events FILE --line N, lines 1..N of FILE are replayed
through the decoder and the state tracker first, so process ancestry, fds and containers are
what the engine would see at line N; an --event on its own has no such history.

Options:
  --rule NAME        the rule to explain (its exact name; quote it)
  --all              explain every rule the engine evaluates on this event, and list the rules
                     it does not evaluate because of their event types (or because disabled)
  --event JSON       the event, inline (any input format)
  --events FILE      a file of events (JSON lines, gzip or not; a .scap capture)
  --line N           with --events: the line holding the event to explain (1-based)
  --format F         native | falco-json | sysdig | tetragon | tracee | k8s_audit | auto (default)
  -r, --rules PATH   rules files, directories or globs (repeatable, loaded in order; default:
                     Peregrine's default rules, rules/)
  --full             print sub-expressions skipped by short-circuiting in full, with the
                     values they would have read (default: one line each)
  --json             the explanation as JSON
  -h, --help         show this help

Exit status: 0 when explained (whether or not the rule fires), 1 when the rules do not load or
there is no such rule, 2 on bad usage or an event that cannot be decoded.`,
  async run(args, ctx) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        rule: { type: 'string' },
        all: { type: 'boolean', default: false },
        event: { type: 'string' },
        events: { type: 'string' },
        line: { type: 'string' },
        format: { type: 'string', default: 'auto' },
        rules: { type: 'string', short: 'r', multiple: true },
        full: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    if ((values.rule === undefined) === !values.all) throw new UsageError('give --rule NAME or --all');
    if ((values.event === undefined) === (values.events === undefined)) throw new UsageError('give the event: --event JSON, or --events FILE --line N');
    if (values.events !== undefined && values.line === undefined) throw new UsageError('--events needs --line N');
    if (values.event !== undefined && values.line !== undefined) throw new UsageError('--line goes with --events FILE');
    const format = values.format ?? 'auto';
    if (format !== 'k8s_audit' && !isFormatOption(format)) throw new UsageError(`unknown --format '${format}'`);

    const loaded = await loadRules({ paths: values.rules ?? [DEFAULT_RULES_DIR], cwd: ctx.cwd, sources: allRegistries() });
    if (!loaded.successful) {
      ctx.stderr.write(`${formatLoadResults(loaded.results, { warnings: false })}\nperegrine explain: the rules files have errors\n`);
      return 1;
    }
    let chosen: CompiledRule[] = [];
    if (values.rule !== undefined) {
      const rule = loaded.rules.find((r) => r.name === values.rule);
      if (rule === undefined) {
        const lower = values.rule.toLowerCase();
        const near = loaded.rules.filter((r) => r.name.toLowerCase().includes(lower)).slice(0, 5).map((r) => `'${r.name}'`);
        const defined = loaded.details.has(values.rule) ? ' (it is defined but did not compile or is below the priority threshold)' : '';
        ctx.stderr.write(`peregrine explain: no rule named '${values.rule}'${defined}${near.length ? `; did you mean ${near.join(', ')}?` : ''}\n`);
        return 1;
      }
      chosen = [rule];
    }
    const { event: ev, where } = await readEvent({ event: values.event, events: values.events, line: values.line, format }, ctx);
    const registry = registryFor(ev.source);
    const engine = new Engine(loaded.rules);
    const candidates = engine.candidates(ev);
    if (values.all) chosen = [...candidates];
    const others = values.all ? loaded.rules.filter((r) => !candidates.includes(r)) : [];

    const explained = chosen.map((rule) => {
      const reg = registryFor(rule.source);
      const tree = reg === undefined ? undefined : explainCondition(rule.ast, reg, ev);
      const fires = tree?.result === true && notEvaluatedReason(rule, ev) === undefined;
      let output: string | undefined;
      if (tree?.result === true) {
        try {
          // As Falco prints alert text: JSON string escaping, without the quotes (event data is hostile).
          output = JSON.stringify(rule.output.render(ev)).slice(1, -1);
        } catch {
          output = undefined;
        }
      }
      return { rule, tree, fires, note: notEvaluatedReason(rule, ev), output };
    });

    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({
        event: { where, source: ev.source, type: ev.type, summary: summary(ev, registry) },
        rules: explained.map((x) => ({
          name: x.rule.name, priority: priorityName(x.rule.priority), location: x.rule.location, enabled: x.rule.enabled,
          evaluated: x.note === undefined, note: x.note ?? null, fires: x.fires, conditionHolds: x.tree?.result === true,
          output: x.output ?? null, explanation: x.tree === undefined ? null : explainJson(x.tree),
        })),
        notEvaluated: others.map((r) => ({ name: r.name, reason: notEvaluatedReason(r, ev) ?? 'not a candidate' })),
      }, null, 2)}\n`);
      return 0;
    }

    const out: string[] = [`Event: ${where}  ${summary(ev, registry)}`];
    if (values.event !== undefined && ev.source === 'syscall') out.push('  (a single event: parents, fds and containers known only from earlier events are missing; use --events FILE --line N)');
    for (const x of explained) {
      out.push('', `Rule: ${x.rule.name}  (${priorityName(x.rule.priority)}, ${displayPath(x.rule.location.file, ctx.cwd)}:${x.rule.location.line})`);
      if (x.note !== undefined) out.push(`  Not evaluated: ${x.note}.`);
      if (x.fires) out.push(`  Fires: ${x.output ?? ''}`);
      else if (x.note === undefined) out.push('  Does not fire.');
      else if (x.tree?.result === true) out.push(`  Its condition holds, but the engine does not evaluate it here. Output would be: ${x.output ?? ''}`);
      if (x.tree !== undefined) out.push('', renderExplain(x.tree, { collapseSkipped: !values.full }).replace(/\n$/, ''));
    }
    if (values.all) {
      if (chosen.length === 0) out.push('', `No rule is evaluated on ${ev.type || ev.source} events.`);
      const disabled = others.filter((r) => !r.enabled && r.source === ev.source);
      const typed = others.filter((r) => r.enabled && r.source === ev.source);
      if (typed.length > 0) {
        out.push('', `Not evaluated on ${ev.type} events (their event types), ${typed.length} rule${typed.length === 1 ? '' : 's'}:`);
        for (const r of typed) out.push(`  - ${r.name}: ${typesText(r.eventTypes)}`);
      }
      if (disabled.length > 0) out.push('', `Disabled: ${disabled.map((r) => r.name).join(', ')}`);
      const fired = explained.filter((x) => x.fires).length;
      out.push('', `${fired} of ${chosen.length} evaluated rule${chosen.length === 1 ? '' : 's'} fire${fired === 1 ? 's' : ''} on this event (rule_matching all).`);
    }
    ctx.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};
