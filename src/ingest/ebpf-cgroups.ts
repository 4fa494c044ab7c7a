// Cgroup keys → cgroup paths for the eBPF sensor adapter. The sensor names a thread's cgroup by a
// key (the kernfs node id of its cgroup directory; bit 63 set when it is a cgroup v1 node) and sends
// the path, leaf component first, the first time it meets a key. Node ids are never reused while
// the kernel runs, so a learnt path stays right. When the sensor's message was lost, the path is
// found by scanning the cgroup filesystem for a directory whose inode number is the id (kernfs
// inode numbers are node ids) — bounded in size and in rate, and only on a miss.

import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEscape } from './ebpf-text.js';

const V1_BIT = 1n << 63n;

export interface CgroupScanOptions {
  /** Mount points of the hierarchies; found in /proc/self/mountinfo when omitted. */
  readonly v2Root?: string | undefined;
  readonly v1Root?: string | undefined;
  /** Most directories one scan visits. */
  readonly maxDirs?: number;
  /** Least time between two scans, ms. */
  readonly minIntervalMs?: number;
}

/** Where the cgroup v2 hierarchy and the given v1 controller's hierarchy are mounted. */
export function cgroupMounts(mountinfo: string, v1Controller: string | false): { v2?: string; v1?: string } {
  const out: { v2?: string; v1?: string } = {};
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    if (pre[3] !== '/' || pre[4] === undefined) continue;
    const mountPoint = pre[4].replace(/\\040/g, ' ');
    if (fstype === 'cgroup2' && out.v2 === undefined) out.v2 = mountPoint;
    if (fstype === 'cgroup' && v1Controller !== false && out.v1 === undefined && superOpts.split(',').includes(v1Controller)) {
      out.v1 = mountPoint;
    }
  }
  return out;
}

export class CgroupPaths {
  /** key (decimal text as the sensor prints it) → escaped JSON string content of the path. */
  private readonly paths = new Map<string, string>();
  private readonly misses = new Set<string>();
  private readonly opts: Required<Omit<CgroupScanOptions, 'v2Root' | 'v1Root'>> & { v2Root?: string | undefined; v1Root?: string | undefined };
  private lastScan = -Infinity;
  private readonly maxEntries = 65536;
  scans = 0;

  constructor(opts: CgroupScanOptions = {}) {
    this.opts = { maxDirs: opts.maxDirs ?? 20000, minIntervalMs: opts.minIntervalMs ?? 5000, v2Root: opts.v2Root, v1Root: opts.v1Root };
  }

  /** Records the path the sensor sent: components leaf first, already JSON-escaped. */
  learn(key: string, leafFirst: readonly string[], truncated: boolean): void {
    let path = '';
    for (let i = leafFirst.length - 1; i >= 0; i--) path += `/${leafFirst[i]!}`;
    if (path === '') path = '/';
    if (truncated) path = `/...${path}`;
    if (this.paths.size >= this.maxEntries) this.paths.clear();
    this.paths.set(key, path);
    this.misses.delete(key);
  }

  /** The path of a key, scanning the cgroup filesystem on a miss (at most once per interval). */
  get(key: string): string | undefined {
    const known = this.paths.get(key);
    if (known !== undefined || this.misses.has(key)) return known;
    const now = Date.now();
    if (now - this.lastScan < this.opts.minIntervalMs) return undefined;
    this.lastScan = now;
    this.scans++;
    const found = this.scan(key);
    if (found === undefined) {
      if (this.misses.size >= this.maxEntries) this.misses.clear();
      this.misses.add(key);
      return undefined;
    }
    this.paths.set(key, found);
    return found;
  }

  private scan(key: string): string | undefined {
    let id: bigint;
    try {
      id = BigInt(key);
    } catch {
      return undefined;
    }
    const v1 = (id & V1_BIT) !== 0n;
    const ino = id & ~V1_BIT;
    const root = v1 ? this.opts.v1Root : this.opts.v2Root;
    if (root === undefined) return undefined;
    // breadth first, relative paths
    const queue: string[] = [''];
    let visited = 0;
    while (queue.length > 0 && visited < this.opts.maxDirs) {
      const rel = queue.shift()!;
      visited++;
      let st;
      try {
        st = lstatSync(join(root, rel), { bigint: true });
      } catch {
        continue;
      }
      if (st.ino === ino) return rel === '' ? '/' : jsonEscape(rel);
      let entries;
      try {
        entries = readdirSync(join(root, rel), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) if (e.isDirectory()) queue.push(`${rel}/${e.name}`);
    }
    return undefined;
  }
}

export function readMountinfo(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}
