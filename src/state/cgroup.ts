// Container identity from cgroup paths, following the container plugin's runtime matchers: a
// 64-hex-digit id that is a whole path segment ("/docker/<id>", "/kubepods/…/<id>") or follows a
// runtime prefix ("docker-<id>.scope", "crio-<id>", "cri-containerd-<id>.scope", ":cri-containerd:<id>",
// "libpod-<id>"). Anything else is a host cgroup: systemd slices, a 32-hex memory cgroup name, a
// conmon scope. The input may be one path, /proc/PID/cgroup text, or sysdig's "cpuset=/….cpu=/…"
// rendering; it is scanned once, without regexes.

export interface CgroupContainer {
  /** The 12-character short id. */
  readonly id: string;
  readonly fullId: string;
  readonly type: string | undefined;
  /** Kubernetes pod UID from a kubepods path ("pod<uid>" or "pod<uid_with_underscores>.slice"). */
  readonly podUid: string | undefined;
}

const PREFIXES: readonly (readonly [string, string | undefined])[] = [
  [':cri-containerd:', 'containerd'],
  ['cri-containerd-', 'containerd'],
  ['docker-', 'docker'],
  ['crio-', 'cri-o'],
  ['libpod-', 'podman'],
];

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

function podUidIn(text: string): string | undefined {
  const kube = text.lastIndexOf('kubepods');
  if (kube < 0) return undefined;
  let at = kube + 8;
  for (;;) {
    at = text.indexOf('pod', at);
    if (at < 0) return undefined;
    const prev = text.charCodeAt(at - 1);
    if (prev === 47 /* / */ || prev === 45 /* - */) break;
    at += 3;
  }
  let i = at + 3;
  let uid = '';
  while (i < text.length && uid.length < 36) {
    const c = text.charCodeAt(i);
    if (isHex(c)) uid += text[i];
    else if (c === 45 || c === 95) uid += '-';
    else break;
    i++;
  }
  return uid.length === 36 ? uid : undefined;
}

/** The container the cgroups put a process in, or 'host' when they name none. */
export function containerFromCgroups(text: string): CgroupContainer | 'host' {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isHex(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && isHex(text.charCodeAt(j))) j++;
    if (j - i === 64) {
      const before = text.slice(Math.max(0, i - 16), i);
      let type: string | undefined;
      let matched = false;
      for (const [prefix, t] of PREFIXES) {
        if (before.endsWith(prefix)) {
          // "crio-conmon-<id>" / "libpod-conmon-<id>" are the monitor, not the container.
          matched = !before.endsWith(`conmon-${prefix}`);
          type = t;
          break;
        }
      }
      if (!matched && before.endsWith('/')) {
        matched = true;
        type = text.slice(Math.max(0, i - 8), i) === '/docker/' ? 'docker' : undefined;
      }
      if (matched) {
        const fullId = text.slice(i, j);
        return { id: fullId.slice(0, 12), fullId, type, podUid: podUidIn(text.slice(0, i)) };
      }
    }
    i = j;
  }
  return 'host';
}
