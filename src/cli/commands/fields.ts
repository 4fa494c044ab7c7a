// `peregrine fields`: the field registry of every source, with types, arguments and descriptions.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { allRegistries } from '../registries.js';
import type { FieldDef } from '../../fields/types.js';

function argText(d: FieldDef): string {
  if (d.argKind === 'none') return '';
  const a = d.argKind === 'index' ? 'N' : d.dottedArg ? 'name' : 'key';
  return d.argRequired ? `[${a}]` : `[${a}]?`;
}

export const fieldsCommand: Command = {
  name: 'fields',
  summary: 'List the fields rules can use, per source, with types and descriptions',
  usage: `Usage: peregrine fields [--source NAME] [--json] [FILTER]

Lists every field of the field registry. FILTER keeps fields whose name contains it.

Options:
  --source NAME   only this source (syscall, k8s_audit)
  --json          machine-readable output: an array of {name, source, type, arg, argRequired, flags, desc}
  -h, --help      show this help`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { source: { type: 'string' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    const filter = positionals[0];
    const defs = allRegistries()
      .filter((r) => values.source === undefined || r.source === values.source)
      .flatMap((r) => r.all())
      .filter((d) => filter === undefined || d.name.includes(filter))
      .sort((a, b) => (a.source === b.source ? a.name.localeCompare(b.name) : a.source.localeCompare(b.source)));
    if (values.json) {
      const out = defs.map((d) => ({
        name: d.name, source: d.source, type: d.type, arg: d.argKind, argRequired: d.argRequired,
        flags: [d.filterOnly && 'filter_only', d.deprecated && 'deprecated', d.noRhs && 'no_rhs', d.noTransformer && 'no_transformer',
          d.multiplicity(undefined) !== 'single' && d.multiplicity(undefined)].filter(Boolean),
        desc: d.desc,
      }));
      ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    let source = '';
    for (const d of defs) {
      if (d.source !== source) {
        source = d.source;
        ctx.stdout.write(`\n# source: ${source}\n`);
      }
      const name = `${d.name}${argText(d)}`;
      const flags = [d.filterOnly ? 'filter-only' : '', d.deprecated ? 'deprecated' : ''].filter(Boolean).join(', ');
      ctx.stdout.write(`${name.padEnd(44)} ${d.type.padEnd(8)} ${d.desc}${flags ? ` (${flags})` : ''}\n`);
    }
    return 0;
  },
};
