// The `pmatch` operator: true when a path equals, or lies below, one of a set of paths. Paths are
// split into components once at compile time into a trie; components may be globs (`/opt/*/bin`).
// Lookup walks the value's components in place (empty components — repeated slashes — skipped),
// so it costs O(depth) comparisons or map lookups plus any glob components, and allocates only
// where a node has many children or glob children.

import { compileGlob, hasGlobChars } from './glob.js';

interface TrieNode {
  terminal: boolean;
  readonly literal: Map<string, TrieNode>;
  /** The literal children's names and nodes, for lookups by comparison when they are few. */
  readonly names: string[];
  readonly kids: TrieNode[];
  readonly globs: { readonly match: (s: string) => boolean; readonly node: TrieNode }[];
}

const newNode = (): TrieNode => ({ terminal: false, literal: new Map(), names: [], kids: [], globs: [] });

/** Up to this many literal children are found by comparing in place rather than by a map lookup. */
const SCAN_MAX = 8;
const SLASH = 47;

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
          node.names.push(comp);
          node.kids.push(child);
        }
        node = child;
      }
    }
    node.terminal = true;
  }
  return (value) => search(root, value, 0);
}

/** Whether `value` from offset `from` (a component boundary) equals or lies below a path of `node`. */
function search(node: TrieNode, value: string, from: number): boolean {
  // Iterative over literal components; recursion only where glob components branch (bounded by depth).
  const n = value.length;
  let cur: TrieNode | undefined = node;
  let i = from;
  while (cur !== undefined) {
    if (cur.terminal) return true;
    while (i < n && value.charCodeAt(i) === SLASH) i++;
    if (i >= n) return false;
    let end = value.indexOf('/', i);
    if (end < 0) end = n;
    if (cur.globs.length > 0) {
      const comp = value.slice(i, end);
      for (const g of cur.globs) {
        if (g.match(comp) && search(g.node, value, end)) return true;
      }
    }
    const names = cur.names;
    if (names.length <= SCAN_MAX) {
      const len = end - i;
      let next: TrieNode | undefined;
      for (let k = 0; k < names.length; k++) {
        const name = names[k] as string;
        if (name.length === len && value.startsWith(name, i)) {
          next = cur.kids[k];
          break;
        }
      }
      cur = next;
    } else {
      cur = cur.literal.get(value.slice(i, end));
    }
    i = end;
  }
  return false;
}
