// Seeding the process table from /proc, as libsinsp does when a live capture starts: processes
// that existed before the sensor was attached are otherwise known only by what their own later
// events say (a pid, a ppid, a comm), so their parents and ancestors show <NA> (proc.pname,
// proc.aname[N]) and their cwd, exe, cmdline and container are unknown.
//
// For each /proc/<pid> (thread groups only; threads join their process when their events arrive):
// stat (comm, ppid, pgid, sid, tty, start time, kernel-thread flag), status (effective uid/gid,
// namespace pid/pgid, capabilities), cmdline, exe, cwd, loginuid and cgroup (container identity
// through the cgroup parser of the state stage).
//
// Bounded and tolerant: at most `maxProcesses` processes and a time budget; every file is read
// with a size cap; a process that vanishes mid-scan (ENOENT, ESRCH) is skipped, a file that cannot
// be read (EACCES) leaves its fields unknown. Nothing is guessed.

import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { capabilitiesText } from '../event/flags.js';
import { newProcess, type Process } from '../event/types.js';
import type { StateTracker } from './tracker.js';

export interface ProcScanOptions {
  /** Where procfs is mounted. Default "/proc". */
  readonly root?: string;
  /** Most processes read. Default 65536. */
  readonly maxProcesses?: number;
  /** Time budget in ms; the scan stops (keeping what it read) when it is spent. Default 5000. */
  readonly budgetMs?: number;
  /** Bytes of /proc/<pid>/cmdline read (Falco's proc.cmdline is cut at 4096). Default 4096. */
  readonly maxCmdlineBytes?: number;
}

export interface ProcScanResult {
  readonly processes: Process[];
  /** /proc entries that vanished or could not be read while scanning. */
  readonly skipped: number;
  /** True when the scan stopped at maxProcesses or the time budget. */
  readonly truncated: boolean;
  readonly ms: number;
}

const PF_KTHREAD = 0x00200000;
/** USER_HZ: /proc/<pid>/stat counts start time in these ticks on every Linux architecture. */
const USER_HZ = 100;
const FILE_CAP = 16384;

let scratch = Buffer.allocUnsafe(FILE_CAP);

/** A /proc file's first `max` bytes; undefined when it cannot be read. Throws nothing. */
function readCapped(path: string, max = FILE_CAP): Buffer | undefined {
  if (scratch.length < max) scratch = Buffer.allocUnsafe(max);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let n = 0;
    while (n < max) {
      const got = readSync(fd, scratch, n, max - n, null);
      if (got <= 0) break;
      n += got;
    }
    return scratch.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // already gone
    }
  }
}

function readText(path: string, max?: number): string | undefined {
  return readCapped(path, max)?.toString('utf8');
}

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function int(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** A "Name:\tv1\tv2…" line of /proc/<pid>/status, split on whitespace. */
function statusField(status: string, name: string): string[] {
  const at = status.startsWith(`${name}:`) ? 0 : status.indexOf(`\n${name}:`);
  if (at < 0) return [];
  const from = at === 0 ? name.length + 1 : at + name.length + 2;
  const end = status.indexOf('\n', from);
  return status.slice(from, end < 0 ? undefined : end).trim().split(/\s+/);
}

function caps(status: string, name: string): string | undefined {
  const hex = statusField(status, name)[0];
  if (hex === undefined || !/^[0-9a-fA-F]{1,16}$/.test(hex)) return undefined;
  return capabilitiesText(BigInt(`0x${hex}`));
}

/** The boot time (epoch seconds) from /proc/stat's btime line. */
function bootTime(root: string): bigint | undefined {
  const stat = readText(`${root}/stat`, 1 << 20);
  if (stat === undefined) return undefined;
  const m = /(?:^|\n)btime (\d+)/.exec(stat);
  return m === null ? undefined : BigInt(m[1]!);
}

/** One process from /proc/<pid>; undefined when it vanished (or its stat cannot be read). */
export function readProcess(root: string, pid: number, btime: bigint | undefined, maxCmdline = 4096): Process | undefined {
  const dir = `${root}/${pid}`;
  const stat = readText(`${dir}/stat`);
  if (stat === undefined) return undefined;
  // "pid (comm) state ppid pgrp session tty_nr …": comm may hold spaces and parentheses.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = stat.slice(close + 2).split(' ');
  const p = newProcess(pid, pid);
  p.name = stat.slice(open + 1, close);
  p.ppid = int(f[1]);
  p.pgid = int(f[2]);
  p.sid = int(f[3]);
  p.tty = int(f[4]);
  const flags = int(f[6]) ?? 0;
  const start = int(f[19]);
  if (btime !== undefined && start !== undefined) {
    p.startTs = (btime * 1_000_000_000n + (BigInt(start) * 1_000_000_000n) / BigInt(USER_HZ)).toString();
  }

  const status = readText(`${dir}/status`);
  if (status !== undefined) {
    p.uid = int(statusField(status, 'Uid')[1]);
    p.gid = int(statusField(status, 'Gid')[1]);
    const nspid = statusField(status, 'NSpid');
    p.vpid = int(nspid[nspid.length - 1]);
    const nspgid = statusField(status, 'NSpgid');
    p.vpgid = int(nspgid[nspgid.length - 1]);
    p.capEffective = caps(status, 'CapEff');
    p.capPermitted = caps(status, 'CapPrm');
    p.capInheritable = caps(status, 'CapInh');
  }
  const login = int(readText(`${dir}/loginuid`, 32)?.trim());
  if (login !== undefined) p.loginuid = login === 4294967295 ? -1 : login;
  const cgroup = readText(`${dir}/cgroup`);
  if (cgroup !== undefined && cgroup.trim() !== '') p.cgroups = cgroup.trim();
  p.cwd = link(`${dir}/cwd`);
  if ((flags & PF_KTHREAD) !== 0) return p;

  p.exepath = link(`${dir}/exe`);
  const cmd = readCapped(`${dir}/cmdline`, maxCmdline);
  if (cmd !== undefined && cmd.length > 0) {
    const argv = cmd.toString('utf8').split('\0');
    if (cmd[cmd.length - 1] === 0) argv.pop();
    if (argv.length > 0) {
      p.exe = argv[0];
      p.args = argv.slice(1);
    }
  }
  return p;
}

/** Reads the processes of /proc (see the header). */
export function scanProc(options: ProcScanOptions = {}): ProcScanResult {
  const t0 = Date.now();
  const root = options.root ?? '/proc';
  const max = options.maxProcesses ?? 65536;
  const budget = options.budgetMs ?? 5000;
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return { processes: [], skipped: 0, truncated: false, ms: Date.now() - t0 };
  }
  const pids: number[] = [];
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = int(n);
    if (pid !== undefined && pid > 0) pids.push(pid);
  }
  pids.sort((a, b) => a - b);
  const btime = bootTime(root);
  const processes: Process[] = [];
  let skipped = 0;
  let truncated = false;
  for (let i = 0; i < pids.length; i++) {
    if (processes.length >= max || ((i & 63) === 63 && Date.now() - t0 > budget)) {
      truncated = true;
      break;
    }
    const p = readProcess(root, pids[i]!, btime, options.maxCmdlineBytes);
    if (p === undefined) skipped++;
    else processes.push(p);
  }
  return { processes, skipped, truncated, ms: Date.now() - t0 };
}

/** Scans /proc and seeds the tracker with what it found; returns the scan's figures and how many were added. */
export function seedFromProc(tracker: StateTracker, options: ProcScanOptions = {}): ProcScanResult & { readonly seeded: number } {
  const r = scanProc(options);
  return { ...r, seeded: tracker.seed(r.processes) };
}
