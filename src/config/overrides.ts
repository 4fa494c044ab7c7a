// Falco-style configuration overrides: `-o key.path=value` on the command line (with `list[]` to
// append and `list[N]` to index), `PEREGRINE__key__path=value` environment variables, and `${VAR}`
// (or `${VAR:-default}`) expansion inside YAML string values. Values are parsed as YAML scalars or
// flow collections, so `-o json_output=true` sets a boolean and `-o rules_files=[a,b]` a list.

import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../common/errors.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Parses an override value: YAML flow syntax (`true`, `42`, `[a, b]`, `{a: 1}`), else the raw text. */
export function parseOverrideValue(text: string): Json {
  try {
    const v = parseYaml(text) as Json | undefined;
    return v === undefined ? '' : v;
  } catch {
    return text;
  }
}

/** Applies `path=value` to a plain config object, creating maps and list entries as needed. */
export function applyOverride(config: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(`invalid override '${assignment}': expected key=value`);
  const path = assignment.slice(0, eq).trim();
  const value = parseOverrideValue(assignment.slice(eq + 1));
  const segments = path.split('.');
  let cur: Record<string, unknown> | unknown[] = config;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const last = i === segments.length - 1;
    const m = /^([A-Za-z0-9_-]+)(?:\[(\d*)\])?$/.exec(seg);
    if (!m) throw new ConfigError(`invalid override key '${path}': bad segment '${seg}'`);
    const key = m[1] as string;
    if (Array.isArray(cur)) throw new ConfigError(`invalid override key '${path}'`);
    const obj = cur as Record<string, unknown>;
    if (m[2] === undefined) {
      if (last) {
        obj[key] = value;
        return;
      }
      const next = obj[key];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) obj[key] = {};
      cur = obj[key] as Record<string, unknown>;
      continue;
    }
    let list = obj[key];
    if (!Array.isArray(list)) obj[key] = list = [];
    const arr = list as unknown[];
    const index = m[2] === '' ? arr.length : Number(m[2]);
    if (index > arr.length) throw new ConfigError(`invalid override key '${path}': index ${index} is past the end of '${key}'`);
    if (last) {
      arr[index] = value;
      return;
    }
    if (arr[index] === undefined || typeof arr[index] !== 'object' || arr[index] === null) arr[index] = {};
    cur = arr[index] as Record<string, unknown>;
  }
}

/** `PEREGRINE__outputs__nats__url=nats://x` → `outputs.nats.url=nats://x`. */
export function envOverrides(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('PEREGRINE__') || v === undefined) continue;
    out.push(`${k.slice('PEREGRINE__'.length).split('__').join('.')}=${v}`);
  }
  return out.sort();
}

/** Expands `${VAR}` and `${VAR:-default}` in every string of a parsed config; `$${` escapes. */
export function expandEnv<T>(value: T, env: NodeJS.ProcessEnv): T {
  if (typeof value === 'string') {
    return value.replace(/\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, escape: string, name: string, def?: string) => {
      if (escape) return whole.slice(1);
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (def !== undefined) return def;
      throw new ConfigError(`environment variable '${name}' used in the configuration is not set`);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env);
    return out as T;
  }
  return value;
}
