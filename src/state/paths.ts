// Path arithmetic for fd names: joining a relative path to a directory and normalising "." and
// ".." the way libsinsp does for fd.name (fd.nameraw keeps the path as the process passed it).
// Purely lexical: symlinks are not resolved.

/** Normalises an absolute path: collapses "//", removes "." and resolves ".." (never above "/"). */
export function normalizePath(path: string): string {
  if (path.indexOf('/.') < 0 && path.indexOf('//') < 0 && !path.endsWith('/')) return path;
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47 /* / */) {
      const seg = path.slice(start, i);
      start = i + 1;
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        out.pop();
        continue;
      }
      out.push(seg);
    }
  }
  return `/${out.join('/')}`;
}

/** `name` resolved against `base` (a directory); undefined when name is relative and base unknown. */
export function resolvePath(name: string, base: string | undefined): string | undefined {
  if (name.startsWith('/')) return normalizePath(name);
  if (base === undefined || !base.startsWith('/')) return undefined;
  return normalizePath(base.endsWith('/') ? `${base}${name}` : `${base}/${name}`);
}
