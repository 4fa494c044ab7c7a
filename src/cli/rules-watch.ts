// Watches the rules files and directories for changes (hot reload): debounced, so an editor's
// save-as-rename or a ConfigMap's symlink swap triggers one reload, not several.

import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function watchRules(paths: readonly string[], cwd: string, onChange: (what: string) => void, debounceMs = 200): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const fire = (what: string): void => {
    last = what;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => onChange(last), debounceMs);
    timer.unref();
  };
  for (const p of paths) {
    // Globs and files: watch their directory (files are often replaced, not modified in place).
    const abs = resolve(cwd, p);
    const target = /[*?[{]/.test(p) ? dirname(abs.replace(/[*?[{].*$/, 'x')) : abs;
    for (const t of new Set([target, dirname(target)])) {
      try {
        const w = watch(t, { persistent: false }, (_event, file) => {
          if (t === dirname(target) && file !== null && resolve(t, file.toString()) !== target) return;
          fire(file ? resolve(t, file.toString()) : t);
        });
        w.on('error', () => undefined);
        watchers.push(w);
      } catch {
        // A path that does not exist (yet) is reported by the loader, not here.
      }
    }
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
