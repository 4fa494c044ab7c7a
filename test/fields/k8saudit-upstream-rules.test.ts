// k8s_audit fields – every macro and rule condition of the upstream k8s_audit_rules.yaml compiles
// against the k8s_audit registry (lists substituted and macros expanded by the test-only mini loader,
// until the real rule loader replaces it).
import { expect, it } from 'vitest';
import { describeShared, K8S_AUDIT_RULES } from '../helpers/shared.js';
import { loadRulesFile } from '../helpers/mini-rule-loader.js';
import { registryFor } from '../../src/cli/registries.js';

describeShared('upstream k8s_audit_rules.yaml', () => {
  it('compiles every macro and all 48 rules with no error', () => {
    const registry = registryFor('k8s_audit');
    expect(registry).toBeDefined();
    if (registry === undefined) return;
    const { rules, macros, errors } = loadRulesFile(K8S_AUDIT_RULES, registry);
    expect(errors).toEqual([]);
    expect(rules).toHaveLength(48);
    expect(macros.size).toBeGreaterThan(40);
    for (const r of rules) expect(r.source, r.name).toBe('k8s_audit');
  });

  it('raises no compile warnings (no deprecated field, no "<NA>" comparison)', () => {
    const registry = registryFor('k8s_audit');
    if (registry === undefined) throw new Error('no k8s_audit registry');
    const { rules } = loadRulesFile(K8S_AUDIT_RULES, registry);
    expect(rules.flatMap((r) => r.warnings.map((w) => `${r.name}: ${w.message}`))).toEqual([]);
  });
});
