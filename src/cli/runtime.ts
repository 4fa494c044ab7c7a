// Builds a running configuration for `run` and `replay` from peregrine.yaml, the environment, `-o`
// overrides and command-line flags: the validated config, the outputs config, the format options,
// and the rules (loaded with the config's priority, selection, append_output and rule_matching).

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fieldsOf } from '../condition/ast.js';
import { ConfigError, PeregrineError } from '../common/errors.js';
import { formatLoadResults } from '../common/load-result.js';
import { loadConfig, type RawConfig } from '../config/load.js';
import { defaultHostname, formatOptions, type FormatOptions } from '../format/options.js';
import { validateOutputsConfig, type OutputsConfig } from '../output/config.js';
import type { AppendOutput } from '../rules/compiler.js';
import { loadRules } from '../rules/load.js';
import type { LoadedRules } from '../rules/loaded.js';
import type { SelectionEntry } from '../rules/selection.js';
import { allRegistries } from './registries.js';

/** The default rules shipped with Peregrine (the package's rules/ directory). */
export function bundledRulesDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'rules');
}

export class RulesLoadError extends PeregrineError {
  readonly report: string;
  constructor(report: string, errors: number) {
    super('LOAD_ERR', `rules failed to load (${errors} error${errors === 1 ? '' : 's'})`);
    this.report = report;
  }
}

export interface RuntimeSettings {
  readonly config: RawConfig;
  readonly outputs: OutputsConfig;
  readonly format: FormatOptions;
  /** Rules paths: -r flags, else rules_files from the config, else the bundled rules. */
  readonly rulesPaths: readonly string[];
  readonly cwd: string;
}

/** The command-line options `run` and `replay` share: rules, config file, -o overrides, --json. */
export const SETTINGS_OPTIONS = {
  rules: { type: 'string', short: 'r', multiple: true },
  config: { type: 'string', short: 'c' },
  option: { type: 'string', short: 'o', multiple: true },
  json: { type: 'boolean', default: false },
} as const;

/** The settings input from parsed SETTINGS_OPTIONS values. */
export function settingsArgs(
  values: { rules?: string[] | undefined; config?: string | undefined; option?: string[] | undefined; json?: boolean | undefined },
  ctx: { readonly env: NodeJS.ProcessEnv; readonly cwd: string },
): SettingsInput {
  return { configFile: values.config, overrides: values.option, rules: values.rules, json: values.json, env: ctx.env, cwd: ctx.cwd };
}

export interface SettingsInput {
  readonly configFile?: string | undefined;
  readonly overrides?: readonly string[] | undefined;
  readonly rules?: readonly string[] | undefined;
  readonly json?: boolean | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The default config file when -c is not given: ./peregrine.yaml, else /etc/peregrine/peregrine.yaml. */
function defaultConfigFile(cwd: string): string | undefined {
  for (const p of [join(cwd, 'peregrine.yaml'), '/etc/peregrine/peregrine.yaml']) if (existsSync(p)) return p;
  return undefined;
}

export function loadSettings(input: SettingsInput): RuntimeSettings {
  const overrides = [...(input.overrides ?? [])];
  if (input.json) overrides.push('json_output=true');
  const configFile = input.configFile ?? defaultConfigFile(input.cwd);
  const { config } = loadConfig({
    file: configFile === undefined ? undefined : resolve(input.cwd, configFile),
    overrides,
    env: input.env,
  });
  const rawOutputs = withJsonDefault(config['outputs'], config['json_output'] === true);
  const outputs = validateOutputsConfig(rawOutputs);
  if (outputs.problems.length > 0) {
    const where = configFile === undefined ? 'configuration' : configFile;
    throw new ConfigError(`invalid outputs configuration in ${where}:\n${outputs.problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`);
  }
  const hostname = typeof config['hostname'] === 'string' && config['hostname'] !== '' ? config['hostname'] : defaultHostname(input.env);
  const format = formatOptions({
    hostname,
    timeFormatIso8601: config['time_format_iso_8601'] === true,
    jsonIncludeOutputProperty: config['json_include_output_property'] !== false,
    jsonIncludeTagsProperty: config['json_include_tags_property'] !== false,
    jsonIncludeMessageProperty: config['json_include_message_property'] === true,
    jsonIncludeOutputFieldsProperty: config['json_include_output_fields_property'] !== false,
  });
  const fromConfig = (config['rules_files'] as string[] | undefined) ?? [];
  const rulesPaths = input.rules !== undefined && input.rules.length > 0
    ? input.rules
    : fromConfig.length > 0 ? fromConfig : [bundledRulesDir()];
  return { config, outputs: outputs.config, format, rulesPaths, cwd: configFile === undefined || input.rules !== undefined ? input.cwd : dirname(resolve(input.cwd, configFile)) };
}

/** Falco's `json_output: true` makes JSON the default alert format of stdout and file outputs. */
function withJsonDefault(outputs: unknown, json: boolean): unknown {
  if (!json) return outputs;
  if (outputs === undefined || outputs === null) return { format: 'json' };
  if (typeof outputs === 'object' && !Array.isArray(outputs) && (outputs as Record<string, unknown>)['format'] === undefined) {
    return { ...(outputs as Record<string, unknown>), format: 'json' };
  }
  return outputs;
}

function selectionFrom(config: RawConfig): SelectionEntry[] {
  const out: SelectionEntry[] = [];
  for (const e of (config['rules'] as Record<string, { rule?: string; tag?: string } | undefined>[] | undefined) ?? []) {
    for (const action of ['enable', 'disable'] as const) {
      const v = e[action];
      if (v === undefined) continue;
      if (v.rule === undefined && v.tag === undefined) throw new ConfigError(`rules: an '${action}' entry needs 'rule' or 'tag'`);
      out.push({ action, ...(v.rule !== undefined ? { rule: v.rule } : {}), ...(v.tag !== undefined ? { tag: v.tag } : {}) });
    }
  }
  return out;
}

function appendOutputFrom(config: RawConfig): AppendOutput[] {
  const entries = (config['append_output'] as Record<string, unknown>[] | undefined) ?? [];
  return entries.map((e) => {
    const extraFields = (e['extra_fields'] as unknown[] | undefined)?.map((f) => {
      if (typeof f === 'string') return f;
      if (f !== null && typeof f === 'object' && !Array.isArray(f)) {
        const [k, v] = Object.entries(f as Record<string, unknown>)[0] ?? [];
        if (k !== undefined) return { [k]: String(v) };
      }
      throw new ConfigError(`append_output.extra_fields: expected a field name or {name: format}, got ${JSON.stringify(f)}`);
    });
    return {
      ...(e['match'] !== undefined ? { match: e['match'] as AppendOutput['match'] } : {}),
      ...(typeof e['extra_output'] === 'string' ? { extraOutput: e['extra_output'] } : {}),
      ...(extraFields !== undefined ? { extraFields: extraFields as AppendOutput['extraFields'] } : {}),
    };
  });
}

/** Loads the rules the settings name; throws RulesLoadError (with the full report) on any error. */
export async function loadRuntimeRules(settings: RuntimeSettings): Promise<LoadedRules> {
  const { config } = settings;
  const loaded = await loadRules({
    paths: settings.rulesPaths,
    cwd: settings.cwd,
    sources: allRegistries(),
    priority: config['priority'] as string,
    selection: selectionFrom(config),
    appendOutput: appendOutputFrom(config),
    ruleMatching: config['rule_matching'] as string,
  });
  if (!loaded.successful) throw new RulesLoadError(formatLoadResults(loaded.results, { warnings: false }), loaded.errorCount);
  return loaded;
}

/** Every field the loaded rules read (conditions and outputs), for sources that must project fields (scap replay). */
export function referencedFields(loaded: LoadedRules): string[] {
  const out = new Set<string>();
  for (const r of loaded.rules) {
    for (const f of r.output.fieldNames) out.add(f);
  }
  for (const r of loaded.rules) {
    for (const f of fieldsOf(r.ast)) out.add(f.arg === undefined ? f.name : `${f.name}[${f.arg}]`);
  }
  return [...out];
}
