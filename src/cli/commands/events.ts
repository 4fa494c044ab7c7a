// `peregrine events`: a debugging view of the input half of the pipeline. Decodes a file, stdin, a
// followed file or a capture, enriches each event with process/fd/container state, and prints the
// chosen fields as flat Falco-field JSON lines — what the rules would see.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../../common/errors.js';
import { isFormatOption } from '../../decode/index.js';
import type { SyscallEvent } from '../../event/types.js';
import type { FieldRegistry } from '../../fields/registry.js';
import type { Extractor } from '../../fields/types.js';
import { StateTracker } from '../../state/tracker.js';
import { forEachEvent, openInput } from '../inputs.js';
import { registryFor } from '../registries.js';

export const DEFAULT_EVENT_FIELDS: readonly string[] = [
  'evt.num', 'evt.time', 'evt.type', 'evt.res', 'thread.tid', 'proc.pid', 'proc.ppid', 'proc.name', 'proc.exepath',
  'proc.cmdline', 'proc.pname', 'proc.aname[2]', 'user.uid', 'user.name', 'fd.num', 'fd.name', 'fd.type',
  'container.id', 'container.name', 'k8s.ns.name', 'k8s.pod.name',
];

/** "proc.aname[2]" → resolve("proc.aname", "2"); "evt.arg.flags" → resolve("evt.arg.flags"). */
export function compileFieldList(registry: FieldRegistry, names: readonly string[]): [string, Extractor][] {
  return names.map((text) => {
    const open = text.indexOf('[');
    const name = open > 0 && text.endsWith(']') ? text.slice(0, open) : text;
    const arg = open > 0 && text.endsWith(']') ? text.slice(open + 1, -1) : undefined;
    const r = registry.resolve(name, arg);
    if (!r.ok) throw new UsageError(`--field ${text}: ${r.message}`);
    const def = r.ref.def;
    const ex = def.jsonExtractor?.(r.ref.arg) ?? def.extractor(r.ref.arg);
    if (typeof ex === 'string') throw new UsageError(`--field ${text}: ${ex}`);
    return [text, ex];
  });
}

/** JSON for one value: bigints as exact numbers, missing as null. */
function jsonValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (Array.isArray(v)) return `[${v.map(jsonValue).join(',')}]`;
  return JSON.stringify(v) ?? 'null';
}

export function renderEvent(ev: SyscallEvent, fields: readonly [string, Extractor][]): string {
  const parts: string[] = [];
  for (const [name, ex] of fields) parts.push(`${JSON.stringify(name)}:${jsonValue((ex as (e: SyscallEvent) => unknown)(ev))}`);
  return `{${parts.join(',')}}\n`;
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Decode an event stream or capture and print state-enriched events as Falco-field JSON',
  usage: `Usage: peregrine events [options] FILE|-

Reads syscall events (a file, gzip or not; '-' for stdin; a .scap capture, replayed through
sysdig), links each to its process, parent chain, fd and container, and prints one JSON object
per event with the chosen fields. Bad records are counted and reported on stderr.

Options:
  --format F           native | falco-json | sysdig | tetragon | tracee | auto (default auto:
                       detected from the first record)
  --field NAME         a field to print (repeatable; default: a core set); e.g. proc.aname[3],
                       evt.arg.flags
  --fields A,B,C       several fields at once
  --follow             keep reading as the file grows (like tail -F; survives rotation)
  --keep-enter         keep enter events (evt.dir '>'); dropped by default
  --realtime           replay at the pace of the event timestamps
  --max-line-bytes N   longest accepted line (default 1048576)
  --stats              print decode and state counters on stderr at the end
  -h, --help           show this help`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        format: { type: 'string', default: 'auto' },
        field: { type: 'string', multiple: true },
        fields: { type: 'string', multiple: true },
        follow: { type: 'boolean', default: false },
        'keep-enter': { type: 'boolean', default: false },
        realtime: { type: 'boolean', default: false },
        'max-line-bytes': { type: 'string' },
        stats: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
    const path = positionals[0];
    if (path === undefined) throw new UsageError('missing FILE (or - for stdin)');
    if (positionals.length > 1) throw new UsageError(`one input at a time (got ${positionals.length})`);
    const format = values.format ?? 'auto';
    if (!isFormatOption(format)) throw new UsageError(`unknown --format '${format}'`);
    let maxLineBytes: number | undefined;
    if (values['max-line-bytes'] !== undefined) {
      maxLineBytes = Number(values['max-line-bytes']);
      if (!Number.isInteger(maxLineBytes) || maxLineBytes < 64) throw new UsageError('--max-line-bytes must be an integer >= 64');
    }
    if (values.follow && path === '-') throw new UsageError('--follow needs a file');
    const names = [...(values.field ?? []), ...(values.fields ?? []).flatMap((s) => s.split(',').map((x) => x.trim()).filter(Boolean))];
    const registry = registryFor('syscall');
    if (registry === undefined) throw new UsageError('no syscall field registry');
    const fields = compileFieldList(registry, names.length > 0 ? names : DEFAULT_EVENT_FIELDS);

    const abort = new AbortController();
    const stop = (): void => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const log = (m: string): void => void ctx.stderr.write(`peregrine events: ${m}\n`);
    try {
      const input = await openInput({
        path, format, follow: values.follow, fields: fields.map(([n]) => n), keepEnter: values['keep-enter'],
        maxLineBytes, signal: abort.signal, log,
      });
      const tracker = new StateTracker();
      const out = ctx.stdout;
      let pending: string[] = [];
      const flush = async (): Promise<void> => {
        if (pending.length === 0) return;
        const text = pending.join('');
        pending = [];
        if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      };
      await forEachEvent(input, tracker, (ev) => {
        pending.push(renderEvent(ev, fields));
        if (pending.length >= 256) return flush();
        return undefined;
      }, { realtime: values.realtime, signal: abort.signal });
      await flush();
      const s = input.decoder.stats;
      if (values.stats || s.bad > 0) {
        const reasons = Object.entries(s.badByReason).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
        ctx.stderr.write(`peregrine events: ${s.events} events from ${s.lines} records (format ${input.decoder.detected ?? 'unknown'}); `
          + `${s.bad} bad${reasons ? ` (${reasons})` : ''}, ${s.enterDropped} enter events dropped, ${s.skipped} skipped\n`);
      }
      if (values.stats) {
        const t = tracker.stats();
        ctx.stderr.write(`peregrine events: state: ${t.processes} processes, ${t.threads} threads, ${t.containers} containers; `
          + `${t.exits} exits, ${t.pidReuses} pid reuses; evicted ${t.processesEvicted} processes, ${t.fdsEvicted} fds, ${t.containersEvicted} containers\n`);
      }
      return 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
