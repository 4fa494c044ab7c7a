// NATS subjects for alerts, from a template with Falcosidekick's placeholders. The default
// `falco.<priority>.<rule>` gives e.g. `falco.notice.terminal_shell_in_container`
// (falcosidekick outputs/nats.go): priority lowercased; the rule name lowercased with every run of
// characters outside [a-z0-9] replaced by `_` and leading/trailing `_` trimmed. Peregrine adds
// `<source>` and `<hostname>` (same slug rule) for per-source or per-node subjects. A slug that would
// be empty becomes `_`, so a subject never has an empty token.

import type { Alert, AlertLayout } from '../format/alert.js';

export const DEFAULT_SUBJECT = 'falco.<priority>.<rule>';
const PLACEHOLDER = /<(priority|rule|source|hostname)>/g;

/** Falcosidekick's slug: lowercase, runs of non-[a-z0-9] → `_`, trimmed of `_`. */
export function slug(text: string): string {
  let out = '';
  let gap = false;
  for (const ch of text.toLowerCase()) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
      if (gap && out !== '') out += '_';
      gap = false;
      out += ch;
    } else {
      gap = true;
    }
  }
  return out === '' ? '_' : out;
}

/** Why a template cannot produce valid subjects, or undefined when it can. */
export function checkSubjectTemplate(template: string): string | undefined {
  const unknown = /<([^>]*)>/.exec(template.replace(PLACEHOLDER, 'x'));
  if (unknown !== null) return `unknown placeholder <${unknown[1] ?? ''}> (known: <priority>, <rule>, <source>, <hostname>)`;
  const sample = template.replace(PLACEHOLDER, 'x');
  if (sample === '' || sample.split('.').some((t) => t === '')) return 'a subject may not have empty tokens (leading, trailing or double dots)';
  if (/[\s*>]/.test(sample)) return 'a subject may not contain whitespace or the wildcards * and >';
  return undefined;
}

/** The subjects a template can produce, as a NATS wildcard (placeholder tokens become `*`). */
export function subjectWildcard(template: string): string {
  return template.split('.').map((t) => (t.search(PLACEHOLDER) >= 0 ? '*' : t)).join('.');
}

/** Compiles a template into alert → subject; constant per rule, so cached per alert layout. */
export function compileSubject(template: string): (alert: Alert) => string {
  const cache = new WeakMap<AlertLayout, string>();
  return (a) => {
    let s = cache.get(a.layout);
    if (s === undefined) {
      s = template.replace(PLACEHOLDER, (_, name: string) => {
        switch (name) {
          case 'priority': return a.priorityName.toLowerCase();
          case 'rule': return slug(a.rule);
          case 'source': return slug(a.source);
          default: return slug(a.hostname);
        }
      });
      cache.set(a.layout, s);
    }
    return s;
  };
}
