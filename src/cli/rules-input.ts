// What the rule-file commands (validate, list, describe) share: the -r option and loading the files
// with every built-in source's field registry.

import { UsageError } from '../common/errors.js';
import { loadRules } from '../rules/load.js';
import type { LoadedRules } from '../rules/loaded.js';
import type { CommandContext } from './command.js';
import { allRegistries } from './registries.js';

export const RULES_OPTION_HELP = `  -r, --rules PATH  a rules file, a directory (its *.yaml and *.yml files, sorted) or a glob
                    (quote it: 'rules.d/*.yaml'); repeat for several, loaded in order, later
                    files overriding earlier ones`;

export const rulesOption = { rules: { type: 'string', short: 'r', multiple: true } } as const;

export async function loadForCli(paths: readonly string[] | undefined, ctx: CommandContext): Promise<LoadedRules> {
  if (paths === undefined || paths.length === 0) throw new UsageError('no rules files given: use -r PATH');
  return loadRules({ paths, cwd: ctx.cwd, sources: allRegistries() });
}
