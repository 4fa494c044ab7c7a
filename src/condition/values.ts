// Conversion of condition literals (always strings in the AST) to a field's type at compile time,
// and normalisation of extracted event values to the same representation at run time.
//
// Representations: string and bytes → JS string (bytes as one char per byte, latin1), numeric types →
// number (bigint for abstime beyond 2^53), bool → boolean, ipaddr → canonical text, ipnet → IpNet.

import type { FieldType } from '../fields/types.js';
import { ipKey, parseIp, parseNet, type IpAddr, type IpNet } from './net.js';

export const NUMERIC_TYPES: ReadonlySet<FieldType> = new Set(['int', 'uint', 'port', 'reltime', 'abstime', 'double']);

const SERVICES: Readonly<Record<string, number>> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, dns: 53, http: 80, pop3: 110, ntp: 123, imap: 143,
  snmp: 161, ldap: 389, https: 443, smb: 445, syslog: 514, ldaps: 636, imaps: 993, pop3s: 995,
  mysql: 3306, postgresql: 5432, redis: 6379, 'http-alt': 8080,
};

/** Parses a literal as a number for a numeric field: decimal, hex (0x…), and for double any float. */
export function parseNumberLiteral(text: string, type: FieldType): number | undefined {
  const t = text.trim();
  let n: number;
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) {
    n = t.startsWith('-') ? -parseInt(t.slice(3), 16) : parseInt(t.replace(/^\+/, '').slice(2), 16);
  } else if (/^[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$/.test(t)) {
    n = Number(t);
  } else if (type === 'port' && Object.prototype.hasOwnProperty.call(SERVICES, t)) {
    return SERVICES[t];
  } else {
    return undefined;
  }
  if (!Number.isFinite(n)) return undefined;
  if (type !== 'double' && !Number.isInteger(n)) return undefined;
  if ((type === 'uint' || type === 'port') && n < 0) return undefined;
  if (type === 'port' && n > 65535) return undefined;
  return n;
}

export function parseBoolLiteral(text: string): boolean | undefined {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}

/** Hex text ("cafebabe") to a bytes string; undefined when not valid hex. */
export function parseHexLiteral(text: string): string | undefined {
  if (text.length === 0 || text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text)) return undefined;
  return Buffer.from(text, 'hex').toString('latin1');
}

// ---------------------------------------------------------------------------- run-time normalisers

export function toStr(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

export function toBytes(v: unknown): string | undefined {
  if (typeof v === 'string') {
    for (let i = 0; i < v.length; i++) {
      if (v.charCodeAt(i) > 0xff) return Buffer.from(v, 'utf8').toString('latin1');
    }
    return v;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  return toStr(v);
}

export function toNum(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (typeof v === 'number') return v !== 0;
  return undefined;
}

/**
 * A canonical dotted-quad IPv4 address (no leading zeros, octets ≤ 255) as an unsigned 32-bit
 * number; -1 for anything else. Canonical IPv4 is its own key (toIpKey), and networks compare as numbers.
 */
export function ipv4Number(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let out = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      out = out * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? out * 256 + octet : -1;
}

/** Keys of non-canonical addresses seen recently (IPv6 above all), so each is parsed once. */
const ipKeyCache = new Map<string, string | null>();
const IP_CACHE_MAX = 4096;

/**
 * Normalises an address to its canonical key. Canonical IPv4 — nearly every address events carry —
 * is its own key and costs one scan; anything else is parsed once and cached (bounded).
 */
export function toIpKey(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  if (ipv4Number(v) >= 0) return v;
  const cached = ipKeyCache.get(v);
  if (cached !== undefined) return cached === null ? undefined : cached;
  const ip = parseIp(v);
  const key = ip === undefined ? null : ipKey(ip);
  if (ipKeyCache.size >= IP_CACHE_MAX) ipKeyCache.clear();
  ipKeyCache.set(v, key);
  return key === null ? undefined : key;
}

const ipAddrCache = new Map<string, IpAddr | null>();

/** Parses a canonical key back into an address for network matching, cached (bounded). */
export function ipFromKey(key: string): IpAddr | undefined {
  const cached = ipAddrCache.get(key);
  if (cached !== undefined) return cached === null ? undefined : cached;
  const ip = parseIp(key) ?? null;
  if (ipAddrCache.size >= IP_CACHE_MAX) ipAddrCache.clear();
  ipAddrCache.set(key, ip);
  return ip ?? undefined;
}

export function normaliserFor(type: FieldType): (v: unknown) => unknown {
  switch (type) {
    case 'string':
      return toStr;
    case 'bytes':
      return toBytes;
    case 'bool':
      return toBool;
    case 'ipaddr':
    case 'ipnet':
      return toIpKey;
    default:
      return toNum;
  }
}

export type { IpNet };
export { parseIp, parseNet, ipKey };
