// `peregrine validate`: loads rules files as Falco would and reports every problem in every file.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { formatLoadResults, loadResultsJson, summaryLine } from '../../common/load-result.js';
import { loadForCli, RULES_OPTION_HELP, rulesOption } from '../rules-input.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check rules files: every error and warning, in every file, with file:line:col',
  usage: `Usage: peregrine validate -r PATH [-r PATH ...] [--json] [--quiet]

Loads the rules files in order, exactly as Falco would (later files append to and override
earlier ones), compiles every condition and output, and reports every problem found in every
file: Falco's error and warning codes, the file, line and column, the item it is in, and the
source line with a caret. Unlike Falco it does not stop at the first error.

Options:
${RULES_OPTION_HELP}
  --json            Falco's JSON shape: {"falco_load_results": [{name, successful, errors,
                    warnings}, ...]}, one result per file (line and column are 1-based)
  -q, --quiet       print errors and the per-file summary only, not warnings
  -h, --help        show this help

Exit status: 0 when every file is valid (warnings allowed), 1 when any has an error, 2 on bad usage.`,
  async run(args, ctx) {
    const { values } = parseArgs({
      args: [...args],
      options: { ...rulesOption, json: { type: 'boolean', default: false }, quiet: { type: 'boolean', short: 'q', default: false } },
      allowPositionals: false,
    });
    const loaded = await loadForCli(values.rules, ctx);
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify(loadResultsJson(loaded.results), null, 2)}\n`);
      return loaded.successful ? 0 : 1;
    }
    const problems = formatLoadResults(loaded.results, { warnings: !values.quiet });
    if (problems !== '') ctx.stdout.write(`${problems}\n`);
    for (const r of loaded.results) ctx.stdout.write(`${summaryLine(r)}\n`);
    const rules = `${loaded.rules.length} rules, ${loaded.macros.length} macros, ${loaded.lists.length} lists`;
    const skipped = loaded.skipped.length > 0 ? ` (${loaded.skipped.length} rules not compiled)` : '';
    ctx.stdout.write(`${loaded.successful ? 'valid' : 'INVALID'}: ${rules}${skipped}; ${loaded.errorCount} errors, ${loaded.warningCount} warnings\n`);
    return loaded.successful ? 0 : 1;
  },
};
