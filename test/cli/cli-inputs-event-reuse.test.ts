// The pipeline's event lifetime contract (src/event/types.ts, src/cli/inputs.ts): forEachEvent hands
// every native event over in one reused object, and rules see exactly the values that decoding each
// line into a fresh event gives; realtime pacing (which decodes ahead) gets fresh events.
import { describe, expect, it } from 'vitest';
import { forEachEvent } from '../../src/cli/inputs.js';
import { createDecoder, type FormatOption } from '../../src/decode/index.js';
import {
  newProcess, newSyscallEvent, resetProcess, resetSyscallEvent, type SyscallEvent,
} from '../../src/event/types.js';
import type { EventSource } from '../../src/ingest/types.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { StateTracker } from '../../src/state/tracker.js';
// @ts-expect-error -- a plain .mjs module without types (the benchmark's seeded trace generator)
import { traceLines } from '../../bench/gen-trace.mjs';
import { run } from '../helpers/events.js';

/** Every syscall field (indexed ones at a few depths, evt.arg/evt.rawarg for common names). */
function allExtractors(): ((ev: SyscallEvent) => unknown)[] {
  const out: ((ev: SyscallEvent) => unknown)[] = [];
  const argNames = ['fd', 'name', 'flags', 'mode', 'addr', 'tuple', 'res', 'domain', 'type', 'status', '0', '1'];
  for (const def of syscallFields({ hostname: 'test-host' }).all()) {
    const args = def.argKind === 'none' ? [undefined]
      : def.argKind === 'index' ? ['0', '1', '2', '4']
        : def.name === 'evt.arg' || def.name === 'evt.rawarg' ? argNames : def.argRequired ? [] : [undefined];
    for (const arg of args) {
      const ex = def.extractor(arg);
      if (typeof ex === 'function') out.push(ex as (ev: SyscallEvent) => unknown);
      const jx = def.jsonExtractor?.(arg);
      if (jx !== undefined) out.push(jx as (ev: SyscallEvent) => unknown);
    }
  }
  return out;
}

function memorySource(lines: readonly string[], perBatch = 1000): EventSource {
  return {
    name: 'memory',
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < lines.length; i += perBatch) yield { items: lines.slice(i, i + perBatch), firstLine: i + 1 };
    },
  };
}

const values = (ev: SyscallEvent, extractors: ((ev: SyscallEvent) => unknown)[]): string =>
  JSON.stringify(extractors.map((ex) => ex(ev)), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v === undefined ? null : v));

describe('forEachEvent – one reused event object', () => {
  const lines: string[] = [...(traceLines({ events: 8000, seed: 9 }) as Iterable<string>)];
  // Hostile and odd records in between: they are counted and must not leak into the next event.
  lines.splice(100, 0, '{"type":"openat","pid":"x","ts":"1"}', 'not json', '', '{"type":"read","ts":"1","pid":7,"args":{"fd":{}}}');
  const extractors = allExtractors();

  it('hands over the same object every time, with the values fresh decoding gives', async () => {
    const format: FormatOption = 'native';
    const want = run(lines, format).events.length;
    const expected: string[] = [];
    const tracker = new StateTracker();
    const decoder = createDecoder(format);
    for (let i = 0; i < lines.length; i++) {
      const ev = decoder.decode(lines[i]!, i + 1);
      if (ev === undefined) continue;
      tracker.apply(ev);
      expected.push(values(ev, extractors));
    }
    expect(expected.length).toBe(want);

    const seen = new Set<SyscallEvent>();
    const got: string[] = [];
    const input = { source: memorySource(lines), decoder: createDecoder(format) };
    await forEachEvent(input, new StateTracker(), (ev) => {
      seen.add(ev);
      got.push(values(ev, extractors));
    });
    expect(seen.size).toBe(1);
    expect(input.decoder.stats.bad).toBe(3);
    expect(got).toEqual(expected);
  });

  it('realtime pacing (which decodes a batch ahead) hands over distinct events', async () => {
    const seen = new Set<SyscallEvent>();
    const nums: number[] = [];
    await forEachEvent({ source: memorySource(lines.slice(0, 300), 50), decoder: createDecoder('native') }, new StateTracker(), (ev) => {
      seen.add(ev);
      nums.push(ev.num);
    }, { realtime: true, speed: 1e12 });
    expect(seen.size).toBe(nums.length);
    expect(nums.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('event reset helpers', () => {
  it('resetProcess and resetSyscallEvent give exactly what the constructors give, in the same key order', () => {
    const p = newProcess(5, 6);
    for (const k of Object.keys(p)) (p as unknown as Record<string, unknown>)[k] = 'dirty';
    expect(resetProcess(p, 7, 8)).toEqual(newProcess(7, 8));
    expect(Object.keys(p)).toEqual(Object.keys(newProcess(7, 8)));
    expect(resetProcess(p, 9)).toEqual(newProcess(9));

    const ev = newSyscallEvent('open');
    for (const k of Object.keys(ev)) if (k !== 'source') (ev as unknown as Record<string, unknown>)[k] = 'dirty';
    expect(resetSyscallEvent(ev, 'close')).toEqual(newSyscallEvent('close'));
    expect(Object.keys(ev)).toEqual(Object.keys(newSyscallEvent('close')));
  });
});
