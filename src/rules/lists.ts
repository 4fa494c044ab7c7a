// Lists (spec §1.9, §2.7). Falco resolves list references TEXTUALLY, before parsing: every
// occurrence of a list's name delimited by start/end of text or one of ` \t\n\r(),=` is replaced by
// its items joined with ", " (surrounding blanks swallowed; an empty list also removes one adjacent
// comma). This happens inside quoted strings too, after `=`, and on macro references that share a
// list's name — quirks that are kept on purpose, because rule files in the wild rely on the exact
// result. List items that name an earlier-defined list are expanded one level at list compile time.

import type { ListInfo } from './infos.js';
import { quoteItem } from './exceptions.js';

const BLANKS = ' \t\n\r';
const DELIMS = ' \t\n\r(),=';
const SPLIT = /[ \t\n\r(),=]+/;
const HAS_DELIM = /[ \t\n\r(),=]/;

export interface CompiledList {
  readonly name: string;
  /** Items after list-in-list expansion and space-quoting. */
  readonly items: readonly string[];
  /** The items joined as they are substituted. */
  readonly joined: string;
  /** The name contains a delimiter (an invalid list name): no token shortcut. */
  readonly odd: boolean;
  used: boolean;
}

/** Falco compile_list_infos: expands items naming a list first defined before this list's last update. */
export function compileLists(lists: ReadonlyMap<string, ListInfo>): Map<string, CompiledList> {
  const out = new Map<string, CompiledList>();
  const used = new Set<string>();
  for (const list of lists.values()) {
    const items: string[] = [];
    for (const item of list.items) {
      const ref = lists.get(item);
      if (ref !== undefined && ref.index < list.visibility) {
        used.add(ref.name);
        for (const v of ref.items) items.push(quoteItem(v));
      } else {
        items.push(quoteItem(item));
      }
    }
    out.set(list.name, { name: list.name, items, joined: items.join(', '), odd: HAS_DELIM.test(list.name), used: false });
  }
  for (const name of used) {
    const l = out.get(name);
    if (l) l.used = true;
  }
  return out;
}


/**
 * Substitutes every list in `lists` (in order) into `text`. With `origin` (one entry per character
 * of `text`, the offset it came from), the returned origin tracks where every output character came
 * from: substituted items point at the list name they replaced.
 */
export function substituteLists(
  text: string,
  lists: Iterable<CompiledList>,
  origin?: number[],
): { text: string; origin?: number[] } {
  let cnd = text;
  let org = origin;
  // A list name (which has no delimiter characters when valid) occurs delimited iff it is one of the
  // text's delimiter-separated tokens: a set lookup instead of a scan per list. Substituted items add
  // their tokens (they are inserted between blanks, so they never merge with their neighbours).
  const tokens = new Set(cnd.split(SPLIT));
  for (const list of lists) {
    if (!list.odd && !tokens.has(list.name)) continue;
    const r = resolveList(cnd, list, org);
    if (r !== undefined) {
      cnd = r.text;
      org = r.origin;
      list.used = true;
      for (const t of list.joined.split(SPLIT)) tokens.add(t);
    }
  }
  return org === undefined ? { text: cnd } : { text: cnd, origin: org };
}

/** Falco resolve_list, for one list; undefined when the list does not occur. */
function resolveList(input: string, list: CompiledList, origin?: number[]): { text: string; origin?: number[] } | undefined {
  const name = list.name;
  if (name === '') return undefined;
  let cnd = input;
  let org = origin;
  let start = cnd.indexOf(name);
  if (start < 0) return undefined;
  let used = false;
  while (start >= 0) {
    let end = start + name.length;
    if ((start === 0 || DELIMS.includes(cnd[start - 1] as string)) && (end >= cnd.length || DELIMS.includes(cnd[end] as string))) {
      const nameAt = start;
      while (start > 0 && BLANKS.includes(cnd[start - 1] as string)) start--;
      while (end < cnd.length && BLANKS.includes(cnd[end] as string)) end++;
      const sub = list.joined;
      if (sub === '') {
        if (start > 0 && cnd[start - 1] === ',') start--;
        else if (end < cnd.length && cnd[end] === ',') end++;
      }
      const head = start > 0 ? `${cnd.slice(0, start)} ` : '';
      const replacement = `${sub} `;
      if (org !== undefined) {
        const anchor = org[nameAt] ?? 0;
        const headOrg = start > 0 ? [...org.slice(0, start), org[start] ?? anchor] : [];
        org = [...headOrg, ...new Array<number>(replacement.length).fill(anchor), ...org.slice(end)];
      }
      cnd = head + replacement + cnd.slice(end);
      start += sub.length + 1;
      used = true;
    }
    start = cnd.indexOf(name, start + 1);
  }
  if (!used) return undefined;
  return org === undefined ? { text: cnd } : { text: cnd, origin: org };
}
