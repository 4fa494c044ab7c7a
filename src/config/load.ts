// Loads peregrine.yaml: parse (with positions), expand ${VAR}, apply PEREGRINE__ environment and
// `-o key=value` overrides, fill defaults and validate against the schema. All problems are
// reported together, each with its key path and, for keys from the file, file:line:col.

import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { ConfigError } from '../common/errors.js';
import { applyOverride, envOverrides, expandEnv } from './overrides.js';
import { CONFIG_SCHEMA, parseDuration, type Spec } from './schema.js';

export type RawConfig = Record<string, unknown>;

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface LoadedConfig {
  readonly config: RawConfig;
  /** The file read, if any. */
  readonly file: string | undefined;
}

export interface LoadConfigOptions {
  readonly file?: string;
  readonly overrides?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Extra validators for sections the schema leaves open (e.g. outputs), returning problems. */
  readonly validators?: Readonly<Record<string, (value: unknown) => readonly ConfigProblem[]>>;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  let raw: RawConfig = {};
  let positions: (path: readonly (string | number)[]) => { line: number; column: number } | undefined = () => undefined;
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${options.file}: ${(err as Error).message}`, { cause: err });
    }
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const pos = e === undefined ? undefined : lineCounter.linePos(e.pos[0]);
      throw new ConfigError(`${options.file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${e?.message ?? 'parse error'}`);
    }
    const js = doc.toJS() as unknown;
    if (js !== null && js !== undefined && (typeof js !== 'object' || Array.isArray(js))) {
      throw new ConfigError(`${options.file}: the configuration must be a map of settings`);
    }
    raw = (js ?? {}) as RawConfig;
    positions = (path) => {
      const node = doc.getIn(path, true) as YamlNode | undefined;
      const offset = node?.range?.[0];
      if (offset === undefined) return undefined;
      const p = lineCounter.linePos(offset);
      return { line: p.line, column: p.col };
    };
  }
  raw = expandEnv(raw, env);
  for (const o of [...envOverrides(env), ...(options.overrides ?? [])]) applyOverride(raw, o);

  const problems: ConfigProblem[] = [];
  const config = validate(CONFIG_SCHEMA, raw, [], problems, positions) as RawConfig;
  for (const [key, validator] of Object.entries(options.validators ?? {})) {
    problems.push(...validator(config[key]).map((p) => ({ ...p, ...positions([key, ...p.path.split('.').slice(1)]) })));
  }
  if (problems.length > 0) {
    const where = options.file ?? 'configuration';
    const lines = problems.map((p) => `  ${where}${p.line !== undefined ? `:${p.line}:${p.column}` : ''}: ${p.path}: ${p.message}`);
    throw new ConfigError(`invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${lines.join('\n')}`);
  }
  return { config, file: options.file };
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `${typeof v} ${JSON.stringify(v)}`;
}

function validate(
  spec: Spec, value: unknown, path: (string | number)[], problems: ConfigProblem[],
  positions: (path: readonly (string | number)[]) => { line: number; column: number } | undefined,
): unknown {
  const at = path.join('.') || '(root)';
  const problem = (message: string): undefined => {
    problems.push({ path: at, message, ...positions(path) });
    return undefined;
  };
  if (value === undefined || value === null) {
    if (spec.type === 'map') return spec.optional ? undefined : validate(spec, {}, path, problems, positions);
    return 'default' in spec ? structuredClone(spec.default) : undefined;
  }
  switch (spec.type) {
    case 'any':
      return value;
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return typeof value === 'string' ? value : problem(`expected a string, got ${describe(value)}`);
    case 'bool':
      return typeof value === 'boolean' ? value : problem(`expected true or false, got ${describe(value)}`);
    case 'int':
      return Number.isInteger(value) ? value : problem(`expected an integer, got ${describe(value)}`);
    case 'duration': {
      const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
      return ms === undefined ? problem(`expected a duration like 15s, 5m or 1h, got ${describe(value)}`) : value;
    }
    case 'enum': {
      const v = typeof value === 'string' ? value.toLowerCase() : value;
      return typeof v === 'string' && spec.values.includes(v) ? v : problem(`expected one of ${spec.values.join(', ')}, got ${describe(value)}`);
    }
    case 'list':
      if (!Array.isArray(value)) return problem(`expected a list, got ${describe(value)}`);
      return value.map((item, i) => validate(spec.item, item, [...path, i], problems, positions));
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return problem(`expected a map, got ${describe(value)}`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const sub = spec.fields[k];
        if (sub === undefined) {
          if (spec.open) out[k] = v;
          else {
            const known = Object.keys(spec.fields);
            problems.push({ path: [...path, k].join('.'), message: `unknown key (known keys: ${known.join(', ')})`, ...positions([...path, k]) });
          }
          continue;
        }
        out[k] = validate(sub, v, [...path, k], problems, positions);
      }
      for (const [k, sub] of Object.entries(spec.fields)) {
        if (!(k in out)) {
          const d = validate(sub, undefined, [...path, k], problems, positions);
          if (d !== undefined) out[k] = d;
        }
      }
      return out;
    }
  }
}

