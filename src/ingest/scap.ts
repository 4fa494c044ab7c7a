// Offline replay of Falco/sysdig captures (.scap): the `sysdig` binary decodes the capture into flat
// Falco-field JSON (`sysdig -r FILE -j -p "*%field …"`) carrying every field the loaded rules reference
// plus the core ones the state stage needs; the falco-json decoder reads that.
//
// Old sysdig builds (Debian's 0.29.3) do not know every current field. Before replaying, the format is
// probed on the capture's first event: tokens sysdig rejects are dropped with a warning, and so are
// tokens it silently renames (0.29.3 prints %fd.nameraw under the key "fd.name" and %proc.env[HOME]
// as "proc.env" with the whole environment) — their values would be wrong. Fields dropped here are
// still derived by Peregrine's own state where it can.

import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { childProcessSource } from './child.js';
import { SourceError } from './errors.js';
import type { EventSource, LineOptions } from './types.js';

/** Fields every replay carries: what the state stage rebuilds processes, fds and containers from. */
export const SCAP_CORE_FIELDS: readonly string[] = [
  'evt.num', 'evt.rawtime', 'evt.type', 'evt.dir', 'evt.cpu', 'evt.rawres', 'evt.args',
  'proc.pid', 'thread.tid', 'proc.ppid', 'proc.name', 'proc.exe', 'proc.args', 'proc.exepath', 'proc.cwd',
  'proc.tty', 'proc.sid', 'proc.vpgid', 'proc.vpid', 'thread.vtid', 'proc.pname', 'proc.pcmdline', 'proc.duration',
  'user.uid', 'user.name', 'user.loginuid', 'group.gid', 'group.name',
  'fd.num', 'fd.name', 'fd.type', 'fd.typechar', 'fd.l4proto', 'fd.cip', 'fd.cport', 'fd.sip', 'fd.sport', 'fd.connected',
  'container.id', 'container.name', 'container.image', 'container.image.repository', 'container.image.tag',
  'container.privileged', 'k8s.ns.name', 'k8s.pod.name',
];

/** Filter-only fields (IPNET and friends) cannot be printed. */
const FILTER_ONLY = new Set(['fd.ip', 'fd.port', 'fd.net', 'fd.cnet', 'fd.snet', 'fd.lnet', 'fd.rnet', 'fd.proto']);
/** Without an index these mean "any ancestor" in a condition; sysdig prints the process itself. */
const ANCESTOR_FIELDS = ['proc.aname', 'proc.apid', 'proc.aexe', 'proc.aexepath', 'proc.acmdline'];
/** Ancestor depth requested when a rule uses an ancestor field without an index. */
export const SCAP_ANCESTOR_DEPTH = 8;

export interface DroppedField {
  readonly field: string;
  readonly reason: string;
}

export interface ScapOptions extends LineOptions {
  /** The sysdig binary (default: `sysdig` on PATH, or $PEREGRINE_SYSDIG). */
  readonly sysdig?: string;
  /** Keep enter events (by default sysdig is asked for exit events plus procexit/container). */
  readonly keepEnter?: boolean;
  /** An extra sysdig filter ANDed with the default one. */
  readonly filter?: string;
  readonly signal?: AbortSignal;
  readonly onWarning?: (message: string) => void;
}

export interface ScapSource extends EventSource {
  /** The decoder format of the lines this source yields. */
  readonly format: 'falco-json';
  /** The fields sysdig prints. */
  readonly fields: readonly string[];
  /** Fields asked for that this sysdig cannot print faithfully. */
  readonly dropped: readonly DroppedField[];
  /** The sysdig command line (for logs). */
  readonly command: readonly string[];
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException;
}

/**
 * Runs sysdig. With `firstLine`, stops it after the first output line (sysdig's -n counts events it
 * does not print, so it cannot stop at the first printed one) and reports success.
 */
function run(bin: string, args: readonly string[], signal?: AbortSignal, firstLine = false): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, [...args], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    let stopped = false;
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      if (stdout.length < 1 << 20) stdout += t;
      if (firstLine && !stopped && stdout.includes('\n')) {
        stopped = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      if (stderr.length < 1 << 16) stderr += t;
    });
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, stdout, stderr, error }));
    child.once('close', (code) => resolve({ code: stopped ? 0 : code, stdout, stderr }));
  });
}

function sysdigBin(options: ScapOptions): string {
  return options.sysdig ?? process.env['PEREGRINE_SYSDIG'] ?? 'sysdig';
}

/** The fields to ask sysdig for, given the fields rules reference. */
export function scapFieldList(referenced: readonly string[]): { tokens: string[]; dropped: DroppedField[] } {
  const out = new Set<string>(SCAP_CORE_FIELDS);
  const dropped: DroppedField[] = [];
  for (const raw of referenced) {
    const f = raw.startsWith('%') ? raw.slice(1) : raw;
    if (f === '') continue;
    if (FILTER_ONLY.has(f)) {
      dropped.push({ field: f, reason: 'filter-only field (cannot be printed; derived from fd.cip/fd.sip)' });
      continue;
    }
    if (ANCESTOR_FIELDS.includes(f)) {
      // "Any ancestor": print a fixed depth of indexed ancestors (with pids, to rebuild the chain).
      for (let i = 1; i <= SCAP_ANCESTOR_DEPTH; i++) {
        out.add(`${f}[${i}]`);
        out.add(`proc.apid[${i}]`);
      }
      continue;
    }
    const m = /^(proc\.a(?:name|exe|exepath|cmdline))\[([0-9]{1,3})\]$/.exec(f);
    if (m !== null) for (let i = 1; i <= Number(m[2]); i++) out.add(`proc.apid[${i}]`);
    out.add(f);
  }
  return { tokens: [...out], dropped };
}

const probeCache = new Map<string, { kept: string[]; dropped: DroppedField[] }>();

function formatOf(tokens: readonly string[]): string {
  return `*${tokens.map((t) => `%${t}`).join(' ')}`;
}

/** The token sysdig complains about, matched against ours (longest match wins). */
function blamed(message: string, tokens: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const t of tokens) {
    if ((message.startsWith(t) && (message.length === t.length || message[t.length] === ' ' || message[t.length] === '\n')) && (best === undefined || t.length > best.length)) best = t;
  }
  return best;
}

function unreadable(path: string, stderr: string): SourceError {
  const detail = stderr.trim().split('\n')[0] ?? '';
  return new SourceError('SOURCE_SCAP_UNREADABLE',
    `sysdig cannot read ${path}: ${detail}${/initialize reader|truncated|block type|version/i.test(detail)
      ? ' (the capture is probably in a newer scap format than this sysdig supports: replay it with a newer sysdig or Falco, or re-record it)'
      : ''}`);
}

/** Finds the fields this sysdig can print faithfully, by trying the format on the capture. */
async function probe(bin: string, path: string, tokens: string[], options: ScapOptions): Promise<{ kept: string[]; dropped: DroppedField[] }> {
  const key = `${bin}\u0000${tokens.join(' ')}`;
  const cached = probeCache.get(key);
  if (cached !== undefined) {
    // The capture itself must still be readable.
    const r = await run(bin, ['-r', path, '-j', '-p', '*%evt.num'], options.signal, true);
    if (r.code !== 0) throw unreadable(path, r.stderr);
    return cached;
  }
  let kept = [...tokens];
  const dropped: DroppedField[] = [];
  for (let attempt = 0; attempt < tokens.length + 1; attempt++) {
    const r = await run(bin, ['-r', path, '-j', '-p', formatOf(kept)], options.signal, true);
    if (r.error !== undefined) {
      throw new SourceError('SOURCE_SYSDIG_MISSING', r.error.code === 'ENOENT'
        ? `sysdig is needed to replay ${path} but '${bin}' was not found: install the 'sysdig' package (Debian: apt-get install sysdig) or set PEREGRINE_SYSDIG`
        : `cannot run '${bin}': ${r.error.message}`, { cause: r.error });
    }
    if (r.code === 0) {
      const first = r.stdout.split('\n').find((l) => l.startsWith('{'));
      // Without an event the renaming check cannot run: keep the result out of the cache.
      if (first === undefined) return { kept, dropped };
      {
        let keys: Set<string>;
        try {
          keys = new Set(Object.keys(JSON.parse(first) as object));
        } catch {
          keys = new Set(kept);
        }
        for (const t of kept.filter((x) => !keys.has(x))) {
          const single = await run(bin, ['-r', path, '-j', '-p', `*%${t}`], options.signal, true);
          const line = single.stdout.split('\n').find((l) => l.startsWith('{'));
          let shown = '?';
          try {
            shown = line === undefined ? '?' : Object.keys(JSON.parse(line) as object).join(',');
          } catch {
            // keep '?'
          }
          if (shown !== t) {
            kept = kept.filter((x) => x !== t);
            dropped.push({ field: t, reason: `this sysdig prints %${t} as "${shown}", not the field itself` });
          }
        }
      }
      const result = { kept, dropped };
      probeCache.set(key, result);
      return result;
    }
    const msg = r.stderr.trim();
    const m = /^(?:invalid formatting token |filter syntax error: )(.*)$/s.exec(msg) ?? /^(.*) is filter only/s.exec(msg);
    const bad = m !== null ? blamed(m[1] ?? '', kept) : undefined;
    if (bad === undefined) {
      if (/can't open|initialize reader|truncated|error reading|unexpected/i.test(msg)) throw unreadable(path, msg);
      throw new SourceError('SOURCE_SYSDIG_FORMAT', `sysdig rejected the output format for ${path}: ${msg}`);
    }
    kept = kept.filter((x) => x !== bad);
    dropped.push({ field: bad, reason: 'not known to this sysdig' });
  }
  throw new SourceError('SOURCE_SYSDIG_FORMAT', `sysdig kept rejecting the output format for ${path}`);
}

/**
 * A source of flat Falco-field JSON lines for a capture, carrying `fields` (the fields the loaded
 * rules reference: CompiledCondition.fields, output template field names) plus SCAP_CORE_FIELDS.
 * Fails with SourceError when sysdig is missing or cannot read the capture.
 */
export async function openScap(path: string, fields: readonly string[], options: ScapOptions = {}): Promise<ScapSource> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw new SourceError('SOURCE_OPEN', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const bin = sysdigBin(options);
  const { tokens, dropped: pre } = scapFieldList(fields);
  const { kept, dropped } = await probe(bin, path, tokens, options);
  const all = [...pre, ...dropped];
  if (all.length > 0) {
    // One warning per capture: which referenced fields will be unavailable, grouped by reason.
    const byReason = new Map<string, string[]>();
    for (const d of all) byReason.set(d.reason, [...(byReason.get(d.reason) ?? []), d.field]);
    const parts = [...byReason].map(([reason, fs]) => `${fs.join(', ')} (${reason})`);
    options.onWarning?.(`replay of ${path}: ${all.length} field${all.length === 1 ? '' : 's'} the rules use will be unavailable: ${parts.join('; ')}`);
  }
  const filters: string[] = [];
  if (!options.keepEnter) filters.push('(evt.dir=< or evt.type in (procexit, container, signaldeliver))');
  if (options.filter !== undefined && options.filter.trim() !== '') filters.push(`(${options.filter})`);
  const args = ['-r', path, '-j', '-p', formatOf(kept)];
  if (filters.length > 0) args.push(filters.join(' and '));
  const inner = childProcessSource(bin, args, {
    maxLineBytes: options.maxLineBytes,
    signal: options.signal,
    describeFailure: (_code, _sig, stderr) => /can't open|initialize reader|truncated/i.test(stderr)
      ? unreadable(path, stderr)
      : new SourceError('SOURCE_CHILD_FAILED', `sysdig failed replaying ${path}: ${stderr.trim() || 'no message'}`),
  });
  return {
    name: `scap ${path}`,
    format: 'falco-json',
    fields: kept,
    dropped: all,
    command: [bin, ...args],
    [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator](),
  };
}
