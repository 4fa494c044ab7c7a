// k8s_audit fields – the upstream k8s_audit_rules.yaml loads through the real rule loader with the
// k8s_audit registry: every macro and all 48 rules compile, with no error and no warning.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeShared, K8S_AUDIT_RULES } from '../helpers/shared.js';
import { loadRulesFromStrings } from '../../src/rules/load.js';
import { allRegistries } from '../../src/cli/registries.js';

describeShared('upstream k8s_audit_rules.yaml', () => {
  it('compiles every macro and all 48 rules with no error and no warning', () => {
    const loaded = loadRulesFromStrings([{ name: K8S_AUDIT_RULES, content: readFileSync(K8S_AUDIT_RULES, 'utf8') }], { sources: allRegistries() });
    expect(loaded.errorCount).toBe(0);
    expect(loaded.warningCount).toBe(0);
    expect(loaded.rules).toHaveLength(48);
    expect(loaded.macros.length).toBeGreaterThan(40);
    expect(loaded.macros.every((m) => m.expanded !== undefined)).toBe(true);
    for (const r of loaded.rules) expect(r.source, r.name).toBe('k8s_audit');
  });
});
