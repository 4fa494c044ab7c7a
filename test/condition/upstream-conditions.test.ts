// Condition parser and field registry – every condition of the upstream rule files parses, and every
// field those files use (in conditions and outputs) is known to the syscall field registry.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseCondition, DEFAULT_RULE_MAX_DEPTH } from '../../src/condition/parse.js';
import { fieldsOf } from '../../src/condition/ast.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { describeShared, INCUBATING_RULES, K8S_AUDIT_RULES, SANDBOX_RULES, STABLE_RULES } from '../helpers/shared.js';

type Item = { rule?: string; macro?: string; condition?: unknown; output?: unknown; source?: string };

function items(path: string): Item[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).flatMap((d) => (d.toJS() as Item[] | null) ?? []);
}

describeShared('upstream rule files', () => {
  const syscallFiles = [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES];

  it.each([...syscallFiles, K8S_AUDIT_RULES])('every condition in %s parses', (file) => {
    const conditions = items(file).filter((i) => typeof i.condition === 'string');
    expect(conditions.length).toBeGreaterThan(10);
    for (const i of conditions) {
      expect(() => parseCondition(i.condition as string, { maxDepth: DEFAULT_RULE_MAX_DEPTH }), i.rule ?? i.macro).not.toThrow();
    }
  });

  it('every field of the syscall rule files resolves in the syscall registry', () => {
    const registry = syscallFields({ hostname: 'h' });
    const unknown = new Set<string>();
    let seen = 0;
    for (const file of syscallFiles) {
      for (const i of items(file)) {
        if (typeof i.condition === 'string') {
          for (const f of fieldsOf(parseCondition(i.condition, { maxDepth: DEFAULT_RULE_MAX_DEPTH }))) {
            seen++;
            if (!registry.resolve(f.name, f.arg).ok) unknown.add(f.arg === undefined ? f.name : `${f.name}[${f.arg}]`);
          }
        }
        if (typeof i.output === 'string') {
          for (const m of i.output.matchAll(/%([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)(?:\[([^\]]*)\])?/g)) {
            seen++;
            // Output tokens take the longest valid field: strip trailing segments until one resolves.
            let name = m[1] as string;
            while (!registry.resolve(name, m[2]).ok && name.includes('.')) name = name.slice(0, name.lastIndexOf('.'));
            if (!registry.resolve(name, m[2]).ok) unknown.add(m[0]);
          }
        }
      }
    }
    expect(seen).toBeGreaterThan(1000);
    expect([...unknown]).toEqual([]);
  });
});
