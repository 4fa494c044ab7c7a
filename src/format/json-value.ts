// Serialises typed field values for `output_fields`. Unlike JSON.stringify it writes bigints as JSON
// numbers digit for digit (nanosecond timestamps exceed 2^53), maps undefined and non-finite numbers
// to null, and emits object keys sorted (Falco's JSON library keeps keys in a sorted map).

import { jsonString } from './escape.js';

const MAX_DEPTH = 32;

export function jsonValue(v: unknown, depth = 0): string {
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null || depth >= MAX_DEPTH) return 'null';
      if (Array.isArray(v)) return `[${v.map((x) => jsonValue(x, depth + 1)).join(',')}]`;
      const withJson = v as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === 'function') return jsonValue(withJson.toJSON(), depth + 1);
      const rec = v as Record<string, unknown>;
      const keys = Object.keys(rec).sort();
      return `{${keys.map((k) => `${jsonString(k)}:${jsonValue(rec[k], depth + 1)}`).join(',')}}`;
    }
    default:
      // undefined (a missing value), functions, symbols
      return 'null';
  }
}
