// Parses libsinsp's argument text (`evt.info` / `evt.args`): space-separated `name=value` pairs such
// as `fd=3(<f>/etc/ld.so.cache) name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0`.
// Values may contain spaces (unix tuples, buffers, env), so a new pair starts only at " name=" whose
// name is a libsinsp parameter name — and inside a buffer value (data, args, env, …) only at a name
// that is known. One linear scan, no regexes over the text.
//
// A value `raw(resolved)` is split: evt.arg.NAME shows the resolved part (libsinsp renders fds as
// "<f>/path", flags by name, errnos as "ENOENT", pids by command, paths resolved), the raw number
// goes to evt.rawarg.NAME.

/** Parameter names of libsinsp's event table (driver/event_table.c), current and old versions. */
const KNOWN = new Set([
  'res', 'fd', 'name', 'flags', 'mode', 'dev', 'ino', 'data', 'size', 'tuple', 'addr', 'queuepct', 'queuelen',
  'queuemax', 'exe', 'args', 'tid', 'pid', 'ptid', 'cwd', 'fdlimit', 'pgft_maj', 'pgft_min', 'vm_size', 'vm_rss',
  'vm_swap', 'comm', 'cgroups', 'env', 'tty', 'pgid', 'vpgid', 'loginuid', 'cap_inheritable', 'cap_permitted',
  'cap_effective', 'exe_ino', 'exe_ino_ctime', 'exe_ino_mtime', 'uid', 'gid', 'trusted_exepath', 'filename',
  'dirfd', 'resolve', 'creat_flags', 'domain', 'type', 'proto', 'backlog', 'fd1', 'fd2', 'oldfd', 'newfd',
  'target', 'linkdirfd', 'linkpath', 'olddir', 'oldpath', 'newdir', 'newpath', 'olddirfd', 'newdirfd', 'path',
  'request', 'status', 'ret', 'sig', 'core', 'reaper_tid', 'vtid', 'vpid', 'pidns_init_start_ts', 'img', 'length',
  'uargs', 'dir', 'nstype', 'euid', 'egid', 'ruid', 'rgid', 'suid', 'sgid', 'cmd', 'arg', 'op', 'val', 'offset',
  'prot', 'next', 'spid', 'dpid', 'interval', 'maxevents', 'fds', 'timeout', 'resource', 'cur', 'max', 'newcur',
  'newmax', 'oldcur', 'oldmax', 'how', 'whence', 'argument', 'level', 'optname', 'optval', 'optlen', 'pos', 'in_fd',
  'out_fd', 'source', 'special', 'json', 'id', 'key', 'nr', 'uaddr', 'uaddr2', 'addr2', 'msg', 'event', 'description',
  'tags', 'count', 'cpu', 'entries', 'family', 'sockfd', 'operation', 'maxevents', 'sigmask', 'events', 'exe_writable',
  'exe_upper_layer', 'exe_from_memfd', 'exe_lower_layer', 'old_path', 'new_path', 'old_dirfd', 'new_dirfd',
  'len', 'advice', 'initval', 'old_fd', 'new_fd', 'target_fd', 'nsfd', 'clockid', 'cmd_arg', 'plugin_id', 'event_data',
  'pathname', 'filesystem', 'mountflags', 'devname', 'old_root', 'new_root', 'sizeremaining', 'ts', 'tv_sec', 'tv_nsec',
  'map_type', 'prog_type', 'attach_type', 'rlim_cur', 'rlim_max', 'buf', 'inode', 'pidfd', 'targetfd', 'dest', 'src',
]);

/** Parameters whose values are buffers: inside them only known names start a new pair. */
const BUFFER_PARAMS = new Set(['data', 'args', 'env', 'cgroups', 'json', 'uargs', 'buf', 'msg', 'event_data', 'optval']);

/** Parameters holding paths: "raw(resolved)" only when the resolved part is absolute. */
const PATH_PARAMS = new Set([
  'name', 'path', 'pathname', 'filename', 'oldpath', 'newpath', 'target', 'linkpath', 'exe', 'cwd', 'dir', 'dev',
  'special', 'source', 'old_path', 'new_path', 'trusted_exepath',
]);

export interface InfoArg {
  readonly name: string;
  /** The text before "(…)", or the whole value. */
  readonly raw: string;
  /** The text inside "(…)" when the value has that form. */
  readonly resolved: string | undefined;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}

/** Index of '=' ending a parameter name that starts at `i`, or -1. */
function nameEnd(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (!(first >= 97 && first <= 122)) return -1;
  let j = i + 1;
  while (j < text.length && isNameChar(text.charCodeAt(j))) j++;
  return j < text.length && text.charCodeAt(j) === 61 /* = */ ? j : -1;
}

function isNumberText(s: string): boolean {
  if (s.length === 0 || s.length > 24) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 120)) return false;
  }
  return true;
}

function splitValue(name: string, value: string): InfoArg {
  const len = value.length;
  if (len > 2 && value.charCodeAt(len - 1) === 41 /* ) */) {
    const open = value.indexOf('(');
    if (open > 0) {
      const raw = value.slice(0, open);
      const resolved = value.slice(open + 1, len - 1);
      if (PATH_PARAMS.has(name)) {
        if (resolved.startsWith('/') && !raw.startsWith('/')) return { name, raw, resolved };
        return { name, raw: value, resolved: undefined };
      }
      if (isNumberText(raw)) return { name, raw, resolved };
    }
  }
  return { name, raw: value, resolved: undefined };
}

const SEEN_LINEAR = 16;

/** Whether `name` was already taken: by a finished pair in `out`, or the pair being read. */
function taken(out: readonly InfoArg[], current: string | undefined, seen: Set<string> | undefined, name: string): boolean {
  if (name === current) return true;
  if (seen !== undefined) return seen.has(name);
  for (let i = 0; i < out.length; i++) if (out[i]!.name === name) return true;
  return false;
}

/** Splits argument text into its parameters, in order. Unparseable text yields what it can. */
export function parseEvtInfo(text: string): InfoArg[] {
  const out: InfoArg[] = [];
  // Names already taken: a linear look through `out` while it is short, a Set past that.
  let seen: Set<string> | undefined;
  let curName: string | undefined;
  let valueStart = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const atBoundary = i === 0 || text.charCodeAt(i - 1) === 32;
    if (atBoundary) {
      const eq = nameEnd(text, i);
      if (eq > 0) {
        const name = text.slice(i, eq);
        const inBuffer = curName !== undefined && BUFFER_PARAMS.has(curName);
        if (!taken(out, curName, seen, name) && (KNOWN.has(name) || !inBuffer)) {
          if (curName !== undefined) out.push(splitValue(curName, text.slice(valueStart, i - 1)));
          if (seen !== undefined) seen.add(name);
          else if (out.length >= SEEN_LINEAR) seen = new Set([...out.map((a) => a.name), name]);
          curName = name;
          valueStart = eq + 1;
          i = eq + 1;
          continue;
        }
      }
    }
    i++;
  }
  if (curName !== undefined) {
    let end = n;
    if (end > valueStart && text.charCodeAt(end - 1) === 32) end--;
    out.push(splitValue(curName, text.slice(valueStart, end)));
  }
  return out;
}

/** The decimal value of raw text, when it is a plain decimal integer. */
export function decimal(raw: string): number | undefined {
  if (raw.length === 0 || raw.length > 20) return undefined;
  let i = raw.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= raw.length) return undefined;
  for (; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const v = Number(raw);
  return Number.isSafeInteger(v) ? v : undefined;
}
