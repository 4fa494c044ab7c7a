// Typed reads from a parsed JSON record. Each helper returns undefined for an absent (or null)
// member and throws BadRecord('wrong-type') for a present member of the wrong type, so decoders can
// be strict about the fields they use without repeating the checks.

import { BadRecord } from './types.js';

export type Obj = Record<string, unknown>;

export function parseObject(line: string): Obj {
  const v: unknown = JSON.parse(line);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRecord('not-object', 'not a JSON object');
  return v as Obj;
}

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function wrong(key: string, want: string, v: unknown): BadRecord {
  return new BadRecord('wrong-type', `"${key}" must be ${want}, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
}

export function optInt(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrong(key, 'an integer', v);
  return v;
}

export function optStr(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw wrong(key, 'a string', v);
  return v;
}

export function optBool(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw wrong(key, 'a boolean', v);
  return v;
}

export function optStrArray(o: Obj, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw wrong(key, 'an array of strings', v);
  for (const s of v) if (typeof s !== 'string') throw wrong(key, 'an array of strings', v);
  return v as string[];
}

export function optObj(o: Obj, key: string): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw wrong(key, 'an object', v);
  return v;
}

/** A lenient read for third-party formats: the member if it has the type, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  // protojson renders 64-bit integers as strings.
  if (typeof v === 'string' && v.length > 0 && v.length < 21) {
    const n = Number(v);
    if (Number.isFinite(n) && /^-?[0-9]+$/.test(v)) return n;
  }
  return undefined;
}

export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

export function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}
