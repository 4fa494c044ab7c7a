#!/usr/bin/env node
// A semantic check for performance work, not a benchmark (run.mjs skips files starting with '_'):
// runs an input through openInput → forEachEvent (decode + state) and, inside the callback — where
// the engine evaluates rules — extracts every syscall field (filter and JSON forms; indexed fields
// at a few depths; evt.arg/evt.rawarg for the usual argument names) and hashes the values per event.
// Two builds that print the same digest show rules the same values for that input.
//
//   node bench/_fields-digest.mjs [--dist DIR] [--format F] [--limit N] [--dump FILE] TRACE
//
// --dump writes one line per event (the values as JSON) for diffing when digests differ.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const opts = { dist: join(ROOT, 'dist'), format: 'auto', limit: Infinity, dump: undefined, trace: undefined };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--dist') opts.dist = resolve(argv[++i]);
  else if (a === '--format') opts.format = argv[++i];
  else if (a === '--limit') opts.limit = Number(argv[++i]);
  else if (a === '--dump') opts.dump = argv[++i];
  else opts.trace = a;
}
if (opts.trace === undefined) {
  process.stderr.write('Usage: node bench/_fields-digest.mjs [--dist DIR] [--format F] [--limit N] [--dump FILE] TRACE\n');
  process.exit(2);
}

const { openInput, forEachEvent } = await import(join(opts.dist, 'cli/inputs.js'));
const { StateTracker } = await import(join(opts.dist, 'state/tracker.js'));
const { syscallFields } = await import(join(opts.dist, 'fields/syscall.js'));

const ARG_NAMES = ['fd', 'name', 'flags', 'mode', 'dirfd', 'addr', 'tuple', 'res', 'size', 'domain', 'type', 'proto',
  'status', 'path', 'pathname', 'filename', 'request', 'data', 'uid', 'gid', 'newpath', 'oldpath', '0', '1', '2'];
const registry = syscallFields({ hostname: 'bench' });
const extractors = [];
for (const def of registry.all()) {
  const args = def.argKind === 'none' ? [undefined]
    : def.argKind === 'index' ? (def.argRequired ? ['0', '1', '2', '3', '5'] : [undefined, '0', '1', '2', '3', '5'])
      : def.name === 'evt.arg' || def.name === 'evt.rawarg' ? ARG_NAMES
        : def.argRequired ? [] : [undefined];
  for (const arg of args) {
    const ex = def.extractor(arg);
    if (typeof ex === 'function') extractors.push(ex);
    const jx = def.jsonExtractor?.(arg);
    if (typeof jx === 'function') extractors.push(jx);
  }
}

const value = (v) => {
  if (v === undefined) return 'u';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'object' && v !== null) return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  return JSON.stringify(v);
};

const input = await openInput({ path: opts.trace, format: opts.format });
const tracker = new StateTracker();
const hash = createHash('sha256');
const dump = opts.dump ? createWriteStream(opts.dump) : undefined;
let n = 0;
const done = new Error('limit');
try {
  await forEachEvent(input, tracker, (ev) => {
    if (n >= opts.limit) throw done;
    n++;
    const parts = [];
    for (const ex of extractors) {
      let v;
      try {
        v = ex(ev);
      } catch (err) {
        v = `throws ${err?.message}`;
      }
      parts.push(value(v));
    }
    const line = parts.join(',');
    hash.update(line);
    hash.update('\n');
    if (dump) dump.write(`${n} ${line}\n`);
  });
} catch (err) {
  if (err !== done) throw err;
}
if (dump) await new Promise((r) => dump.end(r));
const s = input.decoder.stats;
process.stdout.write(`${hash.digest('hex').slice(0, 16)} ${n} events, ${extractors.length} extractors, ${s.bad} bad, ${s.skipped} skipped, ${s.enterDropped} enter dropped — ${opts.trace}\n`);
