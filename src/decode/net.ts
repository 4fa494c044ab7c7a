// Socket and fd descriptions shared by decoders: address objects, sysdig's tuple text
// ("cip:cport->sip:sport") and fd text ("<4t>1.2.3.4:5->6.7.8.9:80", "<f>/etc/passwd"), turned into
// the Fd model (fd.name, fd.type, fd.cip/cport/sip/sport, fd.l4proto).

import { newFd, type Fd, type FdType } from '../event/types.js';

const TYPE_BY_CHAR: Readonly<Record<string, FdType>> = {
  f: 'file', d: 'directory', '4': 'ipv4', '6': 'ipv6', u: 'unix', p: 'pipe', e: 'event', s: 'signalfd',
  l: 'eventpoll', i: 'inotify', t: 'timerfd', n: 'netlink', b: 'bpf', r: 'io_uring', m: 'memfd', P: 'pidfd',
};

const L4_BY_CHAR: Readonly<Record<string, Fd['l4proto']>> = { t: 'tcp', u: 'udp', i: 'icmp', r: 'raw' };

export function fdTypeOfChar(c: string): FdType | undefined {
  return TYPE_BY_CHAR[c];
}

/** "cip:cport->sip:sport" (libsinsp's fd.name for connected sockets; IPv6 without brackets). */
export function tupleName(cip: string, cport: number, sip: string, sport: number): string {
  return `${cip}:${cport}->${sip}:${sport}`;
}

export interface Endpoints {
  cip: string;
  cport: number;
  sip: string;
  sport: number;
}

/** Splits "addr:port" at its last colon (works for IPv4 and bracket-less IPv6). */
function splitHostPort(text: string): { ip: string; port: number } | undefined {
  let t = text;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) return undefined;
    const port = Number(t.slice(close + 2));
    return Number.isInteger(port) && port >= 0 && port <= 65535 ? { ip: t.slice(1, close), port } : undefined;
  }
  const colon = t.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const portText = t.slice(colon + 1);
  if (portText === '' || !/^[0-9]{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  t = t.slice(0, colon);
  return { ip: t, port };
}

/** Parses an IP tuple "a:p->b:q"; undefined for other shapes (unix tuples, NULL). */
export function parseTuple(text: string): Endpoints | undefined {
  const arrow = text.indexOf('->');
  if (arrow < 0) return undefined;
  const left = splitHostPort(text.slice(0, arrow).trim());
  const right = splitHostPort(text.slice(arrow + 2).trim());
  if (left === undefined || right === undefined) return undefined;
  if (!looksLikeIp(left.ip) || !looksLikeIp(right.ip)) return undefined;
  return { cip: left.ip, cport: left.port, sip: right.ip, sport: right.port };
}

export function looksLikeIp(s: string): boolean {
  if (s.length === 0 || s.length > 45) return false;
  let colons = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) colons++;
    else if (c === 46) dots++;
    else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return colons >= 2 || dots === 3;
}

export function isIpv6(ip: string): boolean {
  return ip.includes(':');
}

/** Fills an fd's endpoint fields and name from a tuple. */
export function setEndpoints(fd: Fd, e: Endpoints, isServer: boolean): void {
  fd.cip = e.cip;
  fd.cport = e.cport;
  fd.sip = e.sip;
  fd.sport = e.sport;
  fd.isServer = isServer;
  fd.name = tupleName(e.cip, e.cport, e.sip, e.sport);
  if (fd.type === undefined || fd.type === 'ipv4' || fd.type === 'ipv6') fd.type = isIpv6(e.sip) || isIpv6(e.cip) ? 'ipv6' : 'ipv4';
}

/**
 * An fd from sysdig's rendering `<tc[l4]>name`: "<f>/etc/passwd", "<4t>1.2.3.4:5->6.7.8.9:80", "<4>",
 * "<u>…". Undefined when the text is not in that form.
 */
export function fdFromSysdigText(num: number, text: string): Fd | undefined {
  if (text.charCodeAt(0) !== 60 /* < */) return undefined;
  const close = text.indexOf('>');
  if (close < 2 || close > 6) return undefined;
  const tag = text.slice(1, close);
  const type = TYPE_BY_CHAR[tag[0] ?? ''];
  const fd = newFd(num);
  fd.type = type;
  const l4 = tag.length > 1 ? L4_BY_CHAR[tag[1] ?? ''] : undefined;
  if (l4 !== undefined) fd.l4proto = l4;
  const rest = text.slice(close + 1);
  if (type === 'ipv4' || type === 'ipv6') {
    const e = parseTuple(rest);
    if (e !== undefined) {
      setEndpoints(fd, e, false);
      fd.type = type;
      fd.connected = true;
    } else if (rest !== '') {
      // A bound or listening socket: "ip:port".
      const hp = splitHostPort(rest);
      if (hp !== undefined) {
        fd.sip = hp.ip;
        fd.sport = hp.port;
        fd.isServer = true;
      }
      fd.name = rest;
    }
    return fd;
  }
  if (rest !== '') fd.name = rest;
  return fd;
}

/** A native sockaddr object: {family: 'inet'|'inet6'|'unix', ip, port, path, proto, local: {ip, port}}. */
export interface SockAddr {
  family: 'inet' | 'inet6' | 'unix';
  ip?: string;
  port?: number;
  path?: string;
  proto?: 'tcp' | 'udp' | 'icmp' | 'raw';
  local?: { ip?: string; port?: number };
}

/**
 * Applies a peer address to an fd. For connect/sendto the address is the server (remote) end and
 * `local` the client; for accept the address is the client and `local` the server; for bind it is
 * the local (server) address.
 */
export function applySockAddr(fd: Fd, a: SockAddr, role: 'connect' | 'accept' | 'bind'): void {
  if (a.family === 'unix') {
    fd.type = 'unix';
    if (a.path !== undefined) fd.name = a.path;
    return;
  }
  fd.type = a.family === 'inet6' ? 'ipv6' : 'ipv4';
  if (a.proto !== undefined) fd.l4proto = a.proto;
  const local = a.local;
  if (role === 'bind') {
    fd.sip = a.ip;
    fd.sport = a.port;
    fd.isServer = true;
    if (a.ip !== undefined && a.port !== undefined) fd.name = `${a.ip}:${a.port}`;
    return;
  }
  if (role === 'connect') {
    fd.sip = a.ip;
    fd.sport = a.port;
    fd.cip = local?.ip;
    fd.cport = local?.port;
    fd.isServer = false;
  } else {
    fd.cip = a.ip;
    fd.cport = a.port;
    fd.sip = local?.ip;
    fd.sport = local?.port;
    fd.isServer = true;
  }
  fd.name = socketName(fd);
}

/** fd.name for a socket from what is known: the full tuple, or "sip:sport" when the local end is unknown. */
export function socketName(fd: Fd): string | undefined {
  if (fd.sip === undefined || fd.sport === undefined) return undefined;
  if (fd.cip === undefined || fd.cport === undefined) return `${fd.sip}:${fd.sport}`;
  return tupleName(fd.cip, fd.cport, fd.sip, fd.sport);
}

/** Validates an unknown value as a native sockaddr (undefined when it is not one). */
export function asSockAddr(v: unknown): SockAddr | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const family = o['family'];
  if (family !== 'inet' && family !== 'inet6' && family !== 'unix') return undefined;
  const out: SockAddr = { family };
  if (typeof o['ip'] === 'string') out.ip = o['ip'];
  if (typeof o['port'] === 'number' && Number.isInteger(o['port'])) out.port = o['port'];
  if (typeof o['path'] === 'string') out.path = o['path'];
  const proto = o['proto'];
  if (proto === 'tcp' || proto === 'udp' || proto === 'icmp' || proto === 'raw') out.proto = proto;
  const local = o['local'];
  if (local !== null && typeof local === 'object' && !Array.isArray(local)) {
    const l = local as Record<string, unknown>;
    out.local = {};
    if (typeof l['ip'] === 'string') out.local.ip = l['ip'];
    if (typeof l['port'] === 'number') out.local.port = l['port'];
  }
  return out;
}
