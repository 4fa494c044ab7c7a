// Builds CompiledRule objects straight from condition text, for engine and format tests that should
// not depend on the rule-file loader.
import { parseCondition } from '../../src/condition/parse.js';
import { compileCondition } from '../../src/condition/compile.js';
import { inferEventTypes } from '../../src/condition/evttypes.js';
import { toString } from '../../src/condition/ast.js';
import { syscallFields } from '../../src/fields/syscall.js';
import type { CompiledRule, OutputTemplate } from '../../src/rules/types.js';
import type { Priority } from '../../src/common/priority.js';

const registry = syscallFields({ hostname: 'test-host' });
let nextId = 0;

export function staticTemplate(text: string): OutputTemplate {
  return { text, render: () => text, fields: () => ({}), fieldNames: [] };
}

export function ruleFrom(name: string, condition: string, extra: Partial<Pick<CompiledRule, 'priority' | 'tags' | 'source' | 'enabled' | 'output'>> = {}): CompiledRule {
  const ast = parseCondition(condition, { maxDepth: 1000 });
  const compiled = compileCondition(ast, registry);
  return {
    id: nextId++,
    name,
    desc: name,
    priority: (extra.priority ?? 4) as Priority,
    source: extra.source ?? 'syscall',
    tags: extra.tags ?? [],
    enabled: extra.enabled ?? true,
    condition,
    expandedCondition: toString(ast),
    ast,
    test: compiled.test,
    eventTypes: inferEventTypes(ast),
    output: extra.output ?? staticTemplate(`${name} fired`),
    exceptionFields: [],
    capture: false,
    captureDuration: 0,
    location: { file: 'test', line: 1, column: 1 },
  };
}
