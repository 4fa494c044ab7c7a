// A small JSON Schema (2020-12) checker for the subset schema/native-event.schema.json uses: type,
// required, properties, additionalProperties, items, oneOf, enum, pattern, minimum, maximum,
// minLength, maxLength and local $refs. Returns the list of violations (empty when valid).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './shared.js';

export type Schema = Record<string, unknown>;

export function loadNativeSchema(): Schema {
  return JSON.parse(readFileSync(join(ROOT, 'schema', 'native-event.schema.json'), 'utf8')) as Schema;
}

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'null': return v === null;
    default: return false;
  }
}

export function validate(schema: Schema, value: unknown, root: Schema = schema, path = '$'): string[] {
  const errs: string[] = [];
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (!ref.startsWith('#/')) return [`${path}: unsupported $ref ${ref}`];
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown>)[part];
    return validate(target as Schema, value, root, path);
  }
  if (typeof schema.type === 'string' && !typeOk(schema.type, value)) return [`${path}: expected ${schema.type}, got ${JSON.stringify(value)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errs.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(schema.oneOf)) {
    const matching = schema.oneOf.filter((s) => validate(s as Schema, value, root, path).length === 0).length;
    if (matching !== 1) errs.push(`${path}: matches ${matching} of oneOf, expected 1`);
  }
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errs.push(`${path}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) errs.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) errs.push(`${path}: longer than ${schema.maxLength}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errs.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errs.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((v, i) => errs.push(...validate(schema.items as Schema, v, root, `${path}[${i}]`)));
  }
  if (typeOk('object', value)) {
    const obj = value as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? []) if (!(k in obj)) errs.push(`${path}: missing ${k}`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k] !== undefined) errs.push(...validate(props[k], v, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}: unexpected ${k}`);
      else if (typeof schema.additionalProperties === 'object') errs.push(...validate(schema.additionalProperties as Schema, v, root, `${path}.${k}`));
    }
  }
  return errs;
}
