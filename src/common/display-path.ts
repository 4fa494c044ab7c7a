// Paths in messages: relative to the working directory when they are below it, absolute otherwise.

import { isAbsolute, relative } from 'node:path';

export function displayPath(path: string, cwd: string): string {
  const r = relative(cwd, path);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? path : r;
}
