// Renders numeric syscall arguments as the text Falco shows for them (rules compare that text:
// `evt.arg.flags contains O_TRUNC`, `evt.arg.request contains PTRACE_ATTACH`, `evt.arg.domain contains
// AF_PACKET`, `evt.arg.mode contains S_IXUSR`), and reads such text back into Linux bits.

import { openFlagsText, PTRACE_REQUESTS, SOCKET_DOMAINS } from '../event/flags.js';

/** Linux O_* bits by name (x86-64 values), for open flags given as text. */
const OPEN_FLAG_VALUES: Readonly<Record<string, number>> = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_EXCL: 0o200, O_NOCTTY: 0o400, O_TRUNC: 0o1000,
  O_APPEND: 0o2000, O_NONBLOCK: 0o4000, O_NDELAY: 0o4000, O_DSYNC: 0o10000, O_ASYNC: 0o20000, O_FASYNC: 0o20000,
  O_DIRECT: 0o40000, O_LARGEFILE: 0o100000, O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_NOATIME: 0o1000000,
  O_CLOEXEC: 0o2000000, O_SYNC: 0o4010000, O_PATH: 0o10000000, O_TMPFILE: 0o20200000,
};

/**
 * Linux open flags from text such as "O_RDONLY|O_CLOEXEC" (sysdig, Tracee) — the numbers sysdig
 * prints next to them are scap's own encoding, not Linux bits, so the names are what count.
 * Undefined when no known name is present.
 */
export function openFlagsFromText(text: string): number | undefined {
  let bits = 0;
  let known = false;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 124;
    if (c === 124 /* | */ || c === 32 || c === 44 /* , */) {
      if (i > start) {
        const v = OPEN_FLAG_VALUES[text.slice(start, i)];
        if (v !== undefined) {
          bits |= v;
          known = true;
        }
      }
      start = i + 1;
    }
  }
  return known ? bits : undefined;
}

export { openFlagsText };

/**
 * `f` through a bounded cache: flag values repeat from record to record and the text is immutable,
 * so a hit costs a Map lookup instead of building and joining names. The cache empties when full.
 */
export function cachedText(f: (n: number) => string, max = 1024): (n: number) => string {
  const cache = new Map<number, string>();
  return (n) => {
    let text = cache.get(n);
    if (text === undefined) {
      text = f(n);
      if (cache.size >= max) cache.clear();
      cache.set(n, text);
    }
    return text;
  };
}

/** chmod-style mode bits in libsinsp's order and names. */
const MODE_BITS: readonly (readonly [number, string])[] = [
  [0o1, 'S_IXOTH'], [0o2, 'S_IWOTH'], [0o4, 'S_IROTH'], [0o10, 'S_IXGRP'], [0o20, 'S_IWGRP'], [0o40, 'S_IRGRP'],
  [0o100, 'S_IXUSR'], [0o200, 'S_IWUSR'], [0o400, 'S_IRUSR'], [0o1000, 'S_ISVTX'], [0o2000, 'S_ISGID'], [0o4000, 'S_ISUID'],
];

/** Mode bits as Falco renders chmod modes: "S_IXOTH|S_IROTH|…" (empty mode: "0"). */
export function modeText(mode: number): string {
  const names: string[] = [];
  for (const [bit, name] of MODE_BITS) if ((mode & bit) !== 0) names.push(name);
  return names.length > 0 ? names.join('|') : '0';
}

export function ptraceRequestText(request: number): string {
  return PTRACE_REQUESTS[request] ?? String(request);
}

const MORE_DOMAINS: Readonly<Record<number, string>> = {
  3: 'AF_AX25', 4: 'AF_IPX', 5: 'AF_APPLETALK', 9: 'AF_X25', 15: 'AF_KEY', 38: 'AF_ALG', 40: 'AF_VSOCK', 44: 'AF_XDP',
};

export function socketDomainText(domain: number): string {
  return SOCKET_DOMAINS[domain] ?? MORE_DOMAINS[domain] ?? String(domain);
}

/** Socket domain number from "AF_INET" or "2". */
export function socketDomainValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  for (const [k, name] of Object.entries(SOCKET_DOMAINS)) if (v === name || v.includes(name)) return Number(k);
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

const CLONE_FLAGS: readonly (readonly [number, string])[] = [
  [0x100, 'CLONE_VM'], [0x200, 'CLONE_FS'], [0x400, 'CLONE_FILES'], [0x800, 'CLONE_SIGHAND'], [0x1000, 'CLONE_PIDFD'],
  [0x2000, 'CLONE_PTRACE'], [0x4000, 'CLONE_VFORK'], [0x8000, 'CLONE_PARENT'], [0x10000, 'CLONE_THREAD'],
  [0x20000, 'CLONE_NEWNS'], [0x40000, 'CLONE_SYSVSEM'], [0x80000, 'CLONE_SETTLS'], [0x100000, 'CLONE_PARENT_SETTID'],
  [0x200000, 'CLONE_CHILD_CLEARTID'], [0x400000, 'CLONE_DETACHED'], [0x800000, 'CLONE_UNTRACED'],
  [0x1000000, 'CLONE_CHILD_SETTID'], [0x2000000, 'CLONE_NEWCGROUP'], [0x4000000, 'CLONE_NEWUTS'], [0x8000000, 'CLONE_NEWIPC'],
  [0x10000000, 'CLONE_NEWUSER'], [0x20000000, 'CLONE_NEWPID'], [0x40000000, 'CLONE_NEWNET'], [0x80000000, 'CLONE_IO'],
];

/** clone/unshare/setns flags as CLONE_* names joined with '|' (unknown bits: "0" when none). */
export function cloneFlagsText(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of CLONE_FLAGS) if ((flags & bit) >>> 0 === bit) names.push(name);
  return names.length > 0 ? names.join('|') : '0';
}

export const CLONE_THREAD = 0x10000;
export const CLONE_PARENT = 0x8000;
export const CLONE_FILES = 0x400;

/** True when flags (a number, or text such as "CLONE_VM|CLONE_THREAD") include `name`. */
export function hasCloneFlag(flags: unknown, bit: number, name: string): boolean {
  if (typeof flags === 'number') return (flags & bit) !== 0;
  if (typeof flags === 'string') return flags.includes(name);
  return false;
}

/** SOCK_STREAM → tcp, SOCK_DGRAM → udp, SOCK_RAW → raw (flags such as SOCK_CLOEXEC masked off). */
export function l4protoOfSocketType(type: number, proto?: number): 'tcp' | 'udp' | 'icmp' | 'raw' | undefined {
  const t = type & 0xf;
  if (proto === 1 || proto === 58) return 'icmp';
  if (t === 1) return 'tcp';
  if (t === 2) return 'udp';
  if (t === 3) return 'raw';
  return undefined;
}
