// The `pmatch` operator: true when a path equals, or lies below, one of a set of paths. Paths are
// split into components once at compile time into a trie; components may be globs (`/opt/*/bin`).
// Lookup walks the value's components, so it costs O(depth) map lookups plus any glob components.

import { compileGlob, hasGlobChars } from './glob.js';

interface TrieNode {
  terminal: boolean;
  readonly literal: Map<string, TrieNode>;
  readonly globs: { readonly match: (s: string) => boolean; readonly node: TrieNode }[];
}

const newNode = (): TrieNode => ({ terminal: false, literal: new Map(), globs: [] });

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

export function compilePathPrefixes(paths: readonly string[]): (value: string) => boolean {
  const root = newNode();
  for (const p of paths) {
    let node = root;
    for (const comp of components(p)) {
      if (hasGlobChars(comp)) {
        const child = newNode();
        node.globs.push({ match: compileGlob(comp), node: child });
        node = child;
      } else {
        let child = node.literal.get(comp);
        if (child === undefined) {
          child = newNode();
          node.literal.set(comp, child);
        }
        node = child;
      }
    }
    node.terminal = true;
  }
  return (value) => search(root, components(value), 0);
}

function search(node: TrieNode, comps: readonly string[], i: number): boolean {
  // Iterative over literal components; recursion only where glob components branch (bounded by depth).
  let cur: TrieNode | undefined = node;
  for (let k = i; cur !== undefined; k++) {
    if (cur.terminal) return true;
    const comp = comps[k];
    if (comp === undefined) return false;
    for (const g of cur.globs) {
      if (g.match(comp) && search(g.node, comps, k + 1)) return true;
    }
    cur = cur.literal.get(comp);
  }
  return false;
}
