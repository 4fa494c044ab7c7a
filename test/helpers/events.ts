// Evaluates Falco fields on events through the real extractors of src/fields/syscall.ts, so tests
// assert what rules would see; and runs lines through a decoder and the state tracker in order.
import { readFileSync } from 'node:fs';
import { createDecoder, type Decoder, type FormatOption } from '../../src/decode/index.js';
import type { SyscallEvent } from '../../src/event/types.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { StateTracker } from '../../src/state/tracker.js';

const registry = syscallFields({ hostname: 'test-host' });
const cache = new Map<string, (ev: SyscallEvent) => unknown>();

/** The value rules would see for `name` ("proc.aname[2]", "evt.arg.flags") on `ev`. */
export function field(ev: SyscallEvent, name: string): unknown {
  let ex = cache.get(name);
  if (ex === undefined) {
    const open = name.indexOf('[');
    const base = open > 0 ? name.slice(0, open) : name;
    const arg = open > 0 ? name.slice(open + 1, -1) : undefined;
    const r = registry.resolve(base, arg);
    if (!r.ok) throw new Error(r.message);
    const made = r.ref.def.extractor(r.ref.arg);
    if (typeof made === 'string') throw new Error(made);
    ex = made as (ev: SyscallEvent) => unknown;
    cache.set(name, ex);
  }
  return ex(ev);
}

/** Several fields at once, as a plain object (undefined → null), for compact assertions. */
export function fields(ev: SyscallEvent, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const v = field(ev, n);
    out[n] = v === undefined ? null : v;
  }
  return out;
}

export interface Decoded {
  readonly events: SyscallEvent[];
  /** Field values captured right after each event was applied (state moves on afterwards). */
  readonly snapshots: Record<string, unknown>[];
  readonly decoder: Decoder;
  readonly tracker: StateTracker;
}

/** Decodes lines, applies state, and snapshots `names` after each event (in stream order). */
export function run(lines: readonly string[], format: FormatOption, names: readonly string[] = [], tracker = new StateTracker()): Decoded {
  const decoder = createDecoder(format);
  const events: SyscallEvent[] = [];
  const snapshots: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    const ev = decoder.decode(line, i + 1);
    if (ev === undefined) return;
    tracker.apply(ev);
    events.push(ev);
    snapshots.push(fields(ev, names));
  });
  return { events, snapshots, decoder, tracker };
}

/** The non-empty lines of a file. */
export function readLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
}

/** A pretty-printed one-event JSON file as one line. */
export function compactJson(path: string): string {
  return JSON.stringify(JSON.parse(readFileSync(path, 'utf8')));
}
