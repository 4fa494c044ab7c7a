// Locates ../shared (the reference rule files and sample data). Tests that need it run everywhere it
// exists — always in CI — and elsewhere skip with a loud message saying why.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = resolve(ROOT, '..', 'shared');
export const HAS_SHARED = existsSync(join(SHARED, 'compat'));

export const COMPAT = join(SHARED, 'compat');
export const DATA = join(SHARED, 'data');
export const STABLE_RULES = join(COMPAT, 'falco-rules', 'falco_rules.yaml');
export const INCUBATING_RULES = join(COMPAT, 'falco-rules', 'falco-incubating_rules.yaml');
export const SANDBOX_RULES = join(COMPAT, 'falco-rules', 'falco-sandbox_rules.yaml');
export const K8S_AUDIT_RULES = join(COMPAT, 'k8saudit-rules', 'k8s_audit_rules.yaml');

if (!HAS_SHARED) {
  console.warn(`\n*** ../shared not found at ${SHARED}: tests that read the upstream rules and samples are SKIPPED ***\n`);
}

/**
 * `describe` for suites that read ../shared; skipped (with the warning above) when it is absent. The
 * suite's body is not run then either: vitest collects a skipped suite by running its body, and
 * bodies that list or read ../shared files would fail the whole file instead of skipping.
 */
export const describeShared = (name: string, body: () => void): void => {
  if (HAS_SHARED) describe(name, body);
  else describe.skip(name, () => it.skip(`needs ${SHARED}`, () => undefined));
};
