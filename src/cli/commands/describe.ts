// `peregrine describe`: one rule as Peregrine compiled it — the condition as written and fully
// expanded, the event types it is indexed under, exceptions, output template and where it is defined.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../../common/errors.js';
import { formatLoadResults } from '../../common/load-result.js';
import { priorityName } from '../../common/priority.js';
import { typeSetSize, type TypeSet } from '../../condition/evttypes.js';
import { editDistance } from '../../fields/registry.js';
import type { CompiledRule, RuleLocation } from '../../rules/types.js';
import type { LoadedRules, RuleDetails } from '../../rules/loaded.js';
import { loadForCli, RULES_OPTION_HELP, rulesOption } from '../rules-input.js';

const where = (l: RuleLocation): string => `${l.file}:${l.line}:${l.column}`;

function eventTypesText(s: TypeSet): string {
  const names = [...s.names].sort();
  if (!s.except) return names.length === 0 ? '(none: the condition can never match)' : names.join(', ');
  if (names.length === 0) return `all (${typeSetSize(s)} event types: no evt.type restriction)`;
  return `all except ${names.join(', ')} (${typeSetSize(s)} event types)`;
}

function describeJson(rule: CompiledRule | undefined, d: RuleDetails, status: string): unknown {
  return {
    name: d.name,
    status,
    source: d.source,
    priority: priorityName(d.priority),
    enabled: rule?.enabled ?? d.enabled,
    tags: d.tags,
    desc: d.desc,
    condition: d.condition,
    expandedCondition: rule?.expandedCondition,
    eventTypes: rule === undefined ? undefined : { except: rule.eventTypes.except, names: [...rule.eventTypes.names].sort(), count: typeSetSize(rule.eventTypes) },
    exceptions: d.exceptions,
    exceptionFields: rule?.exceptionFields,
    output: rule === undefined ? undefined : { text: rule.output.text, fields: rule.output.fieldNames },
    capture: rule?.capture,
    captureDuration: rule?.captureDuration,
    location: d.definedAt,
    history: d.history,
  };
}

function indent(text: string, by = '  '): string {
  return text.split('\n').map((l) => by + l).join('\n');
}

function describeText(rule: CompiledRule | undefined, d: RuleDetails, status: string): string {
  const out: string[] = [];
  out.push(`Rule:        ${d.name}`);
  out.push(`Defined at:  ${where(d.definedAt)}`);
  if (d.history.length > 1) out.push(`Changed at:  ${d.history.filter((h) => where(h) !== where(d.definedAt)).map(where).join(', ')}`);
  out.push(`Source:      ${d.source}`);
  out.push(`Priority:    ${priorityName(d.priority)}`);
  if (rule === undefined) out.push(`Status:      not compiled (${status})`);
  out.push(`Enabled:     ${(rule?.enabled ?? d.enabled) ? 'yes' : 'no'}`);
  out.push(`Tags:        ${d.tags.join(', ') || '(none)'}`);
  if (rule?.capture) out.push(`Capture:     yes, ${rule.captureDuration} ms`);
  out.push('', 'Description:', indent(d.desc.trim()));
  out.push('', 'Condition (as written, after appends and overrides):', indent(d.condition.trim()));
  if (d.exceptions.length > 0) {
    out.push('', 'Exceptions:');
    for (const ex of d.exceptions) {
      out.push(`  - ${ex.name}: fields ${JSON.stringify(ex.fields)}, comps ${JSON.stringify(ex.comps)}`);
      for (const v of ex.values) out.push(`      ${JSON.stringify(v)}`);
      if (ex.values.length === 0) out.push('      (no values: adds nothing to the condition)');
    }
  }
  if (rule === undefined) return `${out.join('\n')}\n`;
  out.push('', 'Expanded condition (exceptions, lists and macros resolved; Falco canonical form):', indent(rule.expandedCondition));
  out.push('', `Event types: ${eventTypesText(rule.eventTypes)}`);
  out.push('', 'Output:', indent(rule.output.text));
  out.push(`Output fields: ${rule.output.fieldNames.join(', ') || '(none)'}`);
  return `${out.join('\n')}\n`;
}

function suggestions(loaded: LoadedRules, name: string): string[] {
  const names = [...loaded.details.keys()];
  const lower = name.toLowerCase();
  const contains = names.filter((n) => n.toLowerCase().includes(lower));
  if (contains.length > 0) return contains.slice(0, 5);
  return names
    .map((n) => ({ n, d: editDistance(lower, n.toLowerCase(), 8) }))
    .filter((x) => x.d < 8)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.n);
}

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show how one rule compiles: expanded condition, event types, exceptions, output',
  usage: `Usage: peregrine describe -r PATH [-r PATH ...] [--json] RULE

Loads the rules files and describes the rule named RULE (the exact name; quote it): where it is
defined and changed, its condition as written and fully expanded (exceptions added, lists and
macros resolved, in Falco's canonical form), the event types it is indexed under, its exceptions
and its compiled output template with the output fields. Load errors are printed to stderr.

Options:
${RULES_OPTION_HELP}
  --json            the description as one JSON object
  -h, --help        show this help

Exit status: 0, 1 when there is no rule by that name or it did not compile, 2 on bad usage.`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...rulesOption, json: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'which rule? give its name' : 'give one rule name (quote names with spaces)');
    const name = positionals[0] as string;
    const loaded = await loadForCli(values.rules, ctx);
    if (!loaded.successful) ctx.stderr.write(`${formatLoadResults(loaded.results, { warnings: false })}\n`);
    const d = loaded.details.get(name);
    if (d === undefined) {
      const hint = suggestions(loaded, name);
      ctx.stderr.write(`peregrine describe: no rule named '${name}'${hint.length ? `; did you mean: ${hint.map((h) => `'${h}'`).join(', ')}?` : ''}\n`);
      return 1;
    }
    const rule = loaded.rules.find((r) => r.name === name);
    const skipped = loaded.skipped.find((s) => s.name === name);
    const status = rule !== undefined ? 'ok'
      : skipped?.reason === 'unknown-source' ? `unknown source '${d.source}'`
        : skipped?.reason === 'unknown-filter' ? 'skipped by skip-if-unknown-filter'
          : skipped?.reason === 'error' ? 'it has errors' : 'below the priority threshold';
    ctx.stdout.write(values.json ? `${JSON.stringify(describeJson(rule, d, status), null, 2)}\n` : describeText(rule, d, status));
    return rule === undefined ? 1 : 0;
  },
};
