// Default rules – rules/ loads with no error and no warning on its own and after the upstream Falco
// rules, without redefining any upstream rule, macro or list; every rule is indexed by explicit event
// types and carries a description, MITRE ATT&CK tags and an output with the useful fields.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allRegistries } from '../../src/cli/registries.js';
import { typeSetSize } from '../../src/condition/evttypes.js';
import { loadRules } from '../../src/rules/load.js';
import type { LoadedRules } from '../../src/rules/loaded.js';
import { describeShared, INCUBATING_RULES, ROOT, SANDBOX_RULES, STABLE_RULES } from '../helpers/shared.js';

const RULES = join(ROOT, 'rules');
const UPSTREAM = [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES];

function problems(l: LoadedRules): string[] {
  return l.results.flatMap((r) => [...r.errors, ...r.warnings].map((p) => `${r.name}: ${p.code} ${p.message}`));
}

let mine: LoadedRules;

beforeAll(async () => {
  mine = await loadRules({ paths: [RULES], sources: allRegistries() });
});

describe('default rules on their own', () => {
  it('load with 0 errors and 0 warnings, one file per theme after the shared base', () => {
    expect(problems(mine)).toEqual([]);
    expect(mine.successful).toBe(true);
    expect(mine.files.map((f) => f.slice(RULES.length + 1))).toEqual([
      '00-base.yaml', '10-execution.yaml', '20-network.yaml', '30-filesystem.yaml', '40-credentials.yaml', '50-drift.yaml', '60-privilege.yaml',
    ]);
    expect(mine.rules.length).toBe(28);
    expect(mine.skipped).toEqual([]);
  });

  it('prefix every list and macro with peregrine_', () => {
    expect(mine.lists.filter((l) => !l.name.startsWith('peregrine_')).map((l) => l.name)).toEqual([]);
    expect(mine.macros.filter((m) => !m.name.startsWith('peregrine_')).map((m) => m.name)).toEqual([]);
  });

  it('index every rule under explicit event types (no catch-all, nothing never-matching)', () => {
    for (const r of mine.rules) {
      expect(r.eventTypes.except, r.name).toBe(false);
      expect(typeSetSize(r.eventTypes), r.name).toBeGreaterThan(0);
      expect(typeSetSize(r.eventTypes), r.name).toBeLessThanOrEqual(16);
    }
  });

  it('give every rule a description, a MITRE tactic and technique, the peregrine tag and a useful output', () => {
    for (const r of mine.rules) {
      expect(r.desc.length, r.name).toBeGreaterThan(80);
      expect(r.tags.some((t) => t.startsWith('mitre_')), r.name).toBe(true);
      expect(r.tags.some((t) => /^T\d{4}(\.\d{3})?$/.test(t)), r.name).toBe(true);
      expect(r.tags, r.name).toContain('peregrine');
      expect(r.tags.some((t) => t === 'host' || t === 'container'), r.name).toBe(true);
      expect(r.output.fieldNames, r.name).toEqual(expect.arrayContaining(['proc.name', 'proc.cmdline', 'container.id', 'k8s.ns.name']));
      expect(r.priority, r.name).toBeLessThanOrEqual(5); // Notice or more severe
    }
  });

  it('use Falco exceptions where benign tools collide', () => {
    const withExceptions = [...mine.details.values()].filter((d) => d.exceptions.length > 0).map((d) => d.name);
    expect(withExceptions.length).toBeGreaterThanOrEqual(12);
    expect(withExceptions).toEqual(expect.arrayContaining(['Shell Spawned in Container', 'Process Attached with Ptrace', 'Kernel Module Loaded']));
  });
});

describeShared('default rules after the upstream Falco rules (stable, incubating, sandbox)', () => {
  let upstream: LoadedRules;
  let both: LoadedRules;

  beforeAll(async () => {
    upstream = await loadRules({ paths: UPSTREAM, sources: allRegistries() });
    both = await loadRules({ paths: [...UPSTREAM, RULES], sources: allRegistries() });
  });

  it('load with 0 errors and 0 warnings', () => {
    expect(problems(upstream)).toEqual([]);
    expect(problems(both)).toEqual([]);
  });

  it('redefine no upstream rule, macro or list: nothing clashes and the counts add up', () => {
    const upstreamNames = new Set([...upstream.details.keys(), ...upstream.macros.map((x) => x.name), ...upstream.lists.map((x) => x.name)]);
    const clashes = [...mine.details.keys(), ...mine.macros.map((x) => x.name), ...mine.lists.map((x) => x.name)].filter((n) => upstreamNames.has(n));
    expect(clashes).toEqual([]);
    expect(both.rules.length).toBe(upstream.rules.length + mine.rules.length);
    expect(both.macros.length).toBe(upstream.macros.length + mine.macros.length);
    expect(both.lists.length).toBe(upstream.lists.length + mine.lists.length);
  });

  it('keep their own conditions when loaded after upstream (the same expanded text)', () => {
    for (const r of mine.rules) {
      const same = both.rules.find((x) => x.name === r.name);
      expect(same?.expandedCondition, r.name).toBe(r.expandedCondition);
    }
  });
});
