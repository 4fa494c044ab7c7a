// Fuzz: 100,000 native lines, a seeded mix of valid records and mutations of them (truncation,
// wrong types, missing fields, invalid UTF-8, overlong lines, random character flips, blank lines,
// CRLF), fed through the real line splitter in random chunk sizes, the decoder and the state
// tracker. No exception escapes; every valid line becomes exactly its event, in order; bad lines are
// counted exactly. Validity of a random flip is decided by an independent oracle (JSON.parse plus a
// schema check written here, not the decoder's). The same stream with event types to skip unparsed
// yields exactly the events of the needed types.
import { describe, expect, it } from 'vitest';
import { createDecoder, type Decoder } from '../../src/decode/index.js';
import { ENTER_ONLY_EVENTS } from '../../src/decode/harness.js';
import { LineSplitter } from '../../src/ingest/lines.js';
import type { EventSource, LineBatch } from '../../src/ingest/types.js';
import { decodedBatches } from '../../src/cli/inputs.js';
import { StateTracker } from '../../src/state/tracker.js';
import { rng } from '../helpers/rng.js';


const MAX = 4096;
const TYPES = ['execve', 'openat', 'connect', 'clone', 'close', 'procexit', 'read', 'setuid', 'ptrace'];

function validRecord(r: () => number, num: number): Record<string, unknown> {
  const type = TYPES[Math.floor(r() * TYPES.length)]!;
  const pid = 100 + Math.floor(r() * 400);
  const o: Record<string, unknown> = { type, ts: String(1732662000000000000n + BigInt(num)), num, pid, comm: `p${pid % 17}`, res: Math.floor(r() * 8) - 2 };
  if (r() < 0.5) o['ppid'] = Math.floor(r() * 100) + 1;
  switch (type) {
    case 'execve': o['exe'] = '/usr/bin/cat'; o['argv'] = ['cat', `/etc/f${num}`]; o['cwd'] = '/root'; o['cgroup'] = r() < 0.5 ? '/user.slice' : `/docker/${'ab'.repeat(32)}`; break;
    case 'openat': o['args'] = { dirfd: -100, name: r() < 0.5 ? `/tmp/x${num}` : `rel/y${num}`, flags: Math.floor(r() * 0o4000000), mode: 0 }; break;
    case 'connect': o['args'] = { fd: 3, addr: { family: 'inet', ip: '10.0.0.1', port: 443, proto: 'tcp' } }; break;
    case 'clone': o['args'] = { flags: r() < 0.3 ? 0x10000 : 0 }; o['res'] = 1000 + num; break;
    case 'close': case 'read': o['args'] = { fd: Math.floor(r() * 10) }; break;
    case 'setuid': o['args'] = { uid: 0 }; break;
    case 'ptrace': o['args'] = { request: 16, pid: 1 }; break;
    default: break;
  }
  return o;
}

/** The oracle: is this text a valid native record? (Independent of src/decode.) */
function oracleValid(text: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return false;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const isInt = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x);
  if (typeof o['type'] !== 'string' || o['type'] === '') return false;
  const ts = o['ts'];
  if (!((typeof ts === 'string' && /^[0-9]{1,20}$/.test(ts)) || (isInt(ts) && (ts as number) >= 0))) return false;
  if (!isInt(o['pid'])) return false;
  for (const k of ['num', 'cpu', 'tid', 'ppid', 'uid', 'gid', 'loginuid', 'res', 'tty', 'sid', 'pgid', 'vpid', 'vtid', 'vpgid']) {
    if (o[k] !== undefined && o[k] !== null && !isInt(o[k])) return false;
  }
  for (const k of ['comm', 'exe', 'cwd', 'cgroup', 'user', 'group', 'cap_effective', 'cap_permitted', 'cap_inheritable']) {
    if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'string') return false;
  }
  for (const k of ['argv', 'env']) {
    const a = o[k];
    if (a !== undefined && a !== null && !(Array.isArray(a) && a.every((s) => typeof s === 'string'))) return false;
  }
  if (o['dir'] !== undefined && o['dir'] !== null && o['dir'] !== '<' && o['dir'] !== '>') return false;
  if (o['start_ts'] !== undefined && o['start_ts'] !== null && !(typeof o['start_ts'] === 'string' && /^[0-9]{1,20}$/.test(o['start_ts']))) return false;
  for (const k of ['container', 'k8s']) {
    const c = o[k];
    if (c !== undefined && c !== null && (typeof c !== 'object' || Array.isArray(c))) return false;
  }
  const args = o['args'];
  if (args !== undefined && args !== null) {
    if (typeof args !== 'object' || Array.isArray(args)) return false;
    for (const a of Object.values(args)) {
      if (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean') continue;
      if (Array.isArray(a) && a.every((s) => typeof s === 'string')) continue;
      if (a !== null && typeof a === 'object' && !Array.isArray(a) && ['inet', 'inet6', 'unix'].includes((a as Record<string, unknown>)['family'] as string)) continue;
      return false;
    }
  }
  if (typeof o['cap_effective'] === 'string' && /^0[xX]/.test(o['cap_effective']) && !/^0[xX][0-9a-fA-F]+$/.test(o['cap_effective'])) return false;
  // The decoder drops enter events: they are valid but produce no event.
  return true;
}

type Expect = { kind: 'event'; num: number; enter: boolean } | { kind: 'bad' } | { kind: 'blank' };

describe('decoder fuzz – 100,000 mutated native lines', () => {
  it('never throws, processes every valid line, counts bad lines exactly', async () => {
    const r = rng(20261126);
    const parts: Buffer[] = [];
    const expected: Expect[] = [];
    for (let i = 0; i < 100_000; i++) {
      const rec = validRecord(r, i);
      let text = JSON.stringify(rec);
      let bytes: Buffer | undefined;
      let exp: Expect;
      const dice = r();
      if (dice < 0.45) {
        exp = { kind: 'event', num: i, enter: false };
        if (r() < 0.05) {
          text = JSON.stringify({ ...rec, dir: '>' });
          // procexit exists only as an enter event and is kept.
          exp = { kind: 'event', num: i, enter: rec['type'] !== 'procexit' };
        }
      } else if (dice < 0.55) {
        text = text.slice(0, 1 + Math.floor(r() * (text.length - 1)));
        exp = { kind: 'bad' };
      } else if (dice < 0.62) {
        const key = ['type', 'ts', 'pid', 'comm', 'argv', 'res'][Math.floor(r() * 6)]!;
        text = JSON.stringify({ ...rec, [key]: key === 'comm' ? 42 : key === 'argv' ? [1] : key === 'res' ? '3' : true });
        exp = { kind: 'bad' };
      } else if (dice < 0.67) {
        const o = { ...rec };
        delete o[['type', 'ts', 'pid'][Math.floor(r() * 3)]!];
        text = JSON.stringify(o);
        exp = { kind: 'bad' };
      } else if (dice < 0.71) {
        const b = Buffer.from(text);
        const at = 1 + Math.floor(r() * (b.length - 2));
        bytes = Buffer.concat([b.subarray(0, at), Buffer.from([r() < 0.5 ? 0xff : 0xc3]), b.subarray(at)]);
        exp = { kind: 'bad' };
      } else if (dice < 0.72) {
        text = JSON.stringify({ ...rec, comm: 'x'.repeat(MAX + Math.floor(r() * 3 * MAX)) });
        exp = { kind: 'bad' };
      } else if (dice < 0.74) {
        text = '';
        exp = { kind: 'blank' };
      } else if (dice < 0.76) {
        exp = { kind: 'event', num: i, enter: false };
        bytes = Buffer.from(`${text}\r`);
      } else {
        // Random printable flips: the oracle decides.
        const chars = [...text];
        const flips = 1 + Math.floor(r() * 3);
        for (let f = 0; f < flips; f++) chars[Math.floor(r() * chars.length)] = String.fromCharCode(32 + Math.floor(r() * 95));
        text = chars.join('');
        if (!oracleValid(text)) exp = { kind: 'bad' };
        else {
          const o = JSON.parse(text) as Record<string, unknown>;
          exp = { kind: 'event', num: typeof o['num'] === 'number' ? o['num'] : 0, enter: o['dir'] === '>' && !ENTER_ONLY_EVENTS.has(o['type'] as string) };
        }
      }
      parts.push(bytes ?? Buffer.from(text), Buffer.from('\n'));
      expected.push(exp);
    }
    const all = Buffer.concat(parts);
    // A source that yields the stream in random chunk sizes through the real splitter.
    const source = (): EventSource => ({
      name: 'fuzz',
      async *[Symbol.asyncIterator](): AsyncGenerator<LineBatch> {
        const splitter = new LineSplitter(MAX);
        let pos = 0;
        while (pos < all.length) {
          const n = 1 + Math.floor(r() * 65536);
          const b = splitter.push(all.subarray(pos, pos + n));
          pos += n;
          if (b !== undefined) yield b;
        }
        const last = splitter.end();
        if (last !== undefined) yield last;
      },
    });
    const decodeAll = async (decoder: Decoder): Promise<{ num: number; type: string }[]> => {
      const tracker = new StateTracker({ maxProcesses: 256, maxFdsPerProcess: 16 });
      const seen: { num: number; type: string }[] = [];
      for await (const batch of decodedBatches(source(), decoder)) {
        for (const ev of batch) {
          tracker.apply(ev);
          seen.push({ num: ev.num, type: ev.type });
        }
      }
      expect(tracker.stats().processes).toBeLessThanOrEqual(256);
      return seen;
    };
    const decoder = createDecoder('native');
    const events = await decodeAll(decoder);
    const seen = events.map((e) => e.num);

    // Again with event types to skip unparsed: exactly the events of needed types come out, and
    // every line is accounted for.
    const unneeded = new Set(['read', 'ptrace']);
    const filtered = createDecoder('native', { eventTypes: { needs: (t) => !unneeded.has(t) } });
    const f = filtered.stats;
    const kept = await decodeAll(filtered);
    const needed = (list: { num: number; type: string }[]): { num: number; type: string }[] => list.filter((e) => !unneeded.has(e.type));
    expect(needed(kept)).toEqual(needed(events));
    // A record of an unneeded type is parsed after all when its type cannot be read safely (an
    // escape somewhere in the line): allowed, and rare.
    expect(kept.length - needed(kept).length).toBeLessThan(f.unusedTypes / 10);
    expect(f.unusedTypes).toBeGreaterThan(5_000);
    expect(f.lines).toBe(100_000);
    expect(f.events + f.bad + f.blank + f.enterDropped + f.skipped + f.unusedTypes).toBe(f.lines);
    const wantEvents = expected.filter((e): e is Extract<Expect, { kind: 'event' }> => e.kind === 'event' && !e.enter);
    const wantBad = expected.filter((e) => e.kind === 'bad').length;
    const wantBlank = expected.filter((e) => e.kind === 'blank').length;
    const wantEnter = expected.filter((e) => e.kind === 'event' && e.enter).length;
    expect(decoder.stats.lines).toBe(100_000);
    expect(decoder.stats.bad).toBe(wantBad);
    expect(decoder.stats.blank).toBe(wantBlank);
    expect(decoder.stats.enterDropped).toBe(wantEnter);
    expect(decoder.stats.events).toBe(wantEvents.length);
    expect(seen).toEqual(wantEvents.map((e) => e.num));
    expect(decoder.stats.badByReason['invalid-utf8']).toBeGreaterThan(1000);
    expect(decoder.stats.badByReason['too-long']).toBeGreaterThan(500);
  }, 120_000);
});
