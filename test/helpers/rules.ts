// Helpers for loader tests: load YAML text, and pick out problems by code or message.
import { loadRulesFromStrings, type LoadOptions } from '../../src/rules/load.js';
import type { LoadedRules } from '../../src/rules/loaded.js';
import type { LoadProblem } from '../../src/common/load-result.js';
import type { CompiledRule } from '../../src/rules/types.js';

export function load(content: string, options: LoadOptions = {}): LoadedRules {
  return loadRulesFromStrings([{ name: 'rules.yaml', content }], options);
}

export function loadFiles(files: Record<string, string>, options: LoadOptions = {}): LoadedRules {
  return loadRulesFromStrings(Object.entries(files).map(([name, content]) => ({ name, content })), options);
}

export function errors(r: LoadedRules): LoadProblem[] {
  return r.results.flatMap((x) => x.errors);
}

export function warnings(r: LoadedRules, code?: string): LoadProblem[] {
  return r.results.flatMap((x) => x.warnings).filter((w) => code === undefined || w.code === code);
}

export function errorMessages(r: LoadedRules): string[] {
  return errors(r).map((e) => e.message);
}

export function rule(r: LoadedRules, name: string): CompiledRule {
  const found = r.rules.find((x) => x.name === name);
  if (found === undefined) {
    throw new Error(`no compiled rule '${name}'; errors: ${errorMessages(r).join(' | ')}`);
  }
  return found;
}

/** A minimal valid rule item (YAML), for building test files. */
export function ruleYaml(name: string, condition: string, extra = ''): string {
  return `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: "%proc.name"\n  priority: INFO\n${extra}`;
}
