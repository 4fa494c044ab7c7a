// Where Peregrine's bundled default rules and their tests are: `rules/` and `rules/tests/` at the
// package root (two levels above this module in src/cli/ and in dist/cli/ alike).

import { fileURLToPath } from 'node:url';

/** The default rules directory (its *.yaml files load in name order). */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

/** The default rules' test files. */
export const DEFAULT_RULE_TESTS_DIR = fileURLToPath(new URL('../../rules/tests', import.meta.url));
