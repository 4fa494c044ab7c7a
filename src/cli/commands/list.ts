// `peregrine list`: the rules the files define, in evaluation order, with priority, source, tags and
// whether they are enabled.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { formatLoadResults } from '../../common/load-result.js';
import { priorityName } from '../../common/priority.js';
import { loadForCli, RULES_OPTION_HELP, rulesOption } from '../rules-input.js';

interface Row {
  name: string;
  priority: string;
  source: string;
  enabled: boolean;
  tags: readonly string[];
  status: string;
  location: string;
}

export const listCommand: Command = {
  name: 'list',
  summary: 'List the rules of rules files: priority, source, tags, enabled',
  usage: `Usage: peregrine list -r PATH [-r PATH ...] [--json]

Lists every rule the files define, in evaluation order (first definition across all files).
A rule that is defined but not compiled is listed with its status: 'unknown source' (no
field registry for its source), 'skipped' (skip-if-unknown-filter applied) or 'error'.
Problems found while loading are printed to stderr (errors only; see 'peregrine validate').

Options:
${RULES_OPTION_HELP}
  --json            an array of {name, priority, source, enabled, tags, status, location}
  -h, --help        show this help

Exit status: 0, or 1 when the files have errors (the rules that loaded are still listed).`,
  async run(args, ctx) {
    const { values } = parseArgs({
      args: [...args],
      options: { ...rulesOption, json: { type: 'boolean', default: false } },
      allowPositionals: false,
    });
    const loaded = await loadForCli(values.rules, ctx);
    if (!loaded.successful) ctx.stderr.write(`${formatLoadResults(loaded.results, { warnings: false })}\n`);
    const where = (l: { file: string; line: number; column: number }): string => `${l.file}:${l.line}:${l.column}`;
    const rows: Row[] = [
      ...loaded.rules.map((r) => ({
        name: r.name, priority: priorityName(r.priority), source: r.source, enabled: r.enabled, tags: r.tags, status: 'ok',
        location: where(r.location),
      })),
      ...loaded.skipped.map((s) => ({
        name: s.name, priority: priorityName(s.priority), source: s.source, enabled: s.enabled, tags: s.tags,
        status: s.reason === 'unknown-source' ? 'unknown source' : s.reason === 'unknown-filter' ? 'skipped' : 'error',
        location: where(s.location),
      })),
    ];
    // Compiled rules in evaluation order (first definition), then the rules not compiled.
    const ordered = rows;
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify(ordered, null, 2)}\n`);
      return loaded.successful ? 0 : 1;
    }
    const w = (k: keyof Row, min: number): number => Math.max(min, ...ordered.map((r) => String(r[k]).length));
    const nameW = Math.min(w('name', 4), 60);
    const head = `${'NAME'.padEnd(nameW)}  ${'PRIORITY'.padEnd(13)}  ${'SOURCE'.padEnd(w('source', 6))}  ${'ENABLED'.padEnd(7)}  ${'STATUS'.padEnd(14)}  TAGS`;
    ctx.stdout.write(`${head}\n`);
    for (const r of ordered) {
      const name = r.name.length > nameW ? `${r.name.slice(0, nameW - 1)}…` : r.name.padEnd(nameW);
      ctx.stdout.write(`${name}  ${r.priority.padEnd(13)}  ${r.source.padEnd(w('source', 6))}  ${(r.enabled ? 'yes' : 'no').padEnd(7)}  ${r.status.padEnd(14)}  ${r.tags.join(',')}\n`);
    }
    ctx.stdout.write(`${loaded.rules.length} rules compiled${loaded.skipped.length ? `, ${loaded.skipped.length} not compiled` : ''}\n`);
    return loaded.successful ? 0 : 1;
  },
};
