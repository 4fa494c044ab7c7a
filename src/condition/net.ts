// IPv4/IPv6 addresses and networks for fd.ip/fd.net and the `in` operator with CIDR values.
// Addresses are normalised to a canonical text form (so "::ffff:1.2.3.4" style variations compare
// equal) and networks are matched on their prefix bits.

export interface IpAddr {
  readonly v6: boolean;
  /** 4 or 16 bytes. */
  readonly bytes: Uint8Array;
}

export interface IpNet {
  readonly addr: IpAddr;
  readonly prefix: number;
}

export function parseIp(text: string): IpAddr | undefined {
  if (text.includes(':')) return parseIpv6(text);
  return parseIpv4(text);
}

function parseIpv4(text: string): IpAddr | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return { v6: false, bytes };
}

function parseIpv6(text: string): IpAddr | undefined {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    // An embedded IPv4 address (::ffff:1.2.3.4) becomes two hex groups.
    const v4 = parseIpv4(last);
    if (!v4) return undefined;
    const b = v4.bytes;
    const hi = (((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16);
    const lo = (((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return { v6: true, bytes };
}

/** Parses "10.0.0.0/8", "fe80::/10", or a bare address (a /32 or /128 network). */
export function parseNet(text: string): IpNet | undefined {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.v6 ? 128 : 32;
  if (slash < 0) return { addr, prefix: max };
  const p = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(p) || Number(p) > max) return undefined;
  return { addr, prefix: Number(p) };
}

/** IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are treated as their IPv4 address. */
function unmap(a: IpAddr): IpAddr {
  if (!a.v6) return a;
  const b = a.bytes;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return a;
  if (b[10] !== 0xff || b[11] !== 0xff) return a;
  return { v6: false, bytes: b.slice(12) };
}

export function netContains(net: IpNet, ip: IpAddr): boolean {
  const a = unmap(ip);
  const n = unmap(net.addr);
  const prefix = n.v6 === net.addr.v6 ? net.prefix : net.prefix - 96;
  if (a.v6 !== n.v6) return false;
  let bits = prefix;
  for (let i = 0; i < a.bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a.bytes[i] ?? 0) & mask) !== ((n.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Canonical text of an address, used as the key for exact comparisons. */
export function ipKey(ip: IpAddr): string {
  const a = unmap(ip);
  if (!a.v6) return Array.from(a.bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((a.bytes[i] ?? 0) << 8) | (a.bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}
