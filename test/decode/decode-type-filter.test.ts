// Records of event types nothing downstream uses are skipped without parsing (native format): the
// type peek answers exactly what JSON.parse would, or not at all; skipped records are counted, never
// silently lost; a record whose type cannot be read safely is parsed as usual.
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/decode/index.js';
import { peekNativeType, unusedNativeRecord } from '../../src/decode/type-peek.js';
import type { EventTypeFilter } from '../../src/decode/types.js';

const onlyOpenat: EventTypeFilter = { needs: (type) => type === 'openat' };

describe('peekNativeType', () => {
  it('reads the top-level type of a plain record', () => {
    expect(peekNativeType('{"ts":"1","num":1,"type":"read","pid":5,"args":{"fd":3}}')).toBe('read');
    expect(peekNativeType('{"type":"nanosleep","ts":"1","pid":5}')).toBe('nanosleep');
  });

  it('answers nothing when the answer could differ from JSON.parse', () => {
    const unsure = [
      '{"ts":"1","type":"read","pid":5,"type":"openat"}', // duplicate key: JSON.parse keeps the last
      '{"ts":"1","type":"read","pid":5,"typ\\u0065":"openat"}', // the same key spelled with an escape
      '{"ts":"1","fd":{"type":"file"},"type":"read"}', // a nested object before it
      '{"ts":"1","type":"read","fd":{"type":"file"}}', // "type" again later, nested
      '{"ts":"1","comm":"a\\"type\\":\\"b","type":"read"}', // escapes anywhere
      '{"ts":"1","type": "read"}', // not the compact form
      '{"ts":"1","type":"","pid":5}', // empty
      `{"ts":"1","type":"${'x'.repeat(65)}"}`, // too long for an event name
      '{"ts":"1","type":"read","pid":5', // truncated
      ' {"ts":"1","type":"read"}', // not starting with the object
      '["type","read"]',
      '{"ts":"1","pid":5}',
    ];
    for (const line of unsure) expect(peekNativeType(line), line).toBeUndefined();
  });

  it('agrees with JSON.parse whenever it answers, and so does the skip decision (random records)', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const parts = ['"type":"read"', '"type":"openat"', '"pid":5', '"comm":"x{y"', '"fd":{"type":"file","num":3}', '"args":{"name":"a\\"b"}', '"typ\\u0065":"close"', '"ts":"1"'];
    let answered = 0;
    for (let i = 0; i < 20_000; i++) {
      const members = Array.from({ length: 1 + rnd(5) }, () => parts[rnd(parts.length)] as string);
      const line = `{${members.join(',')}}`;
      const parsed = (JSON.parse(line) as { type: unknown }).type;
      // Skipped only when the type JSON.parse sees is one the filter does not need.
      if (unusedNativeRecord(line, onlyOpenat)) expect(typeof parsed === 'string' && parsed !== 'openat', line).toBe(true);
      const peeked = peekNativeType(line);
      if (peeked === undefined) continue;
      answered++;
      expect(parsed, line).toBe(peeked);
    }
    expect(answered).toBeGreaterThan(1000);
  });
});

describe('native decoder with an event-type filter', () => {
  const lines = [
    '{"ts":"1","num":1,"type":"openat","pid":5,"comm":"cat","res":3,"args":{"dirfd":-100,"name":"/etc/passwd","flags":0,"mode":0}}',
    '{"ts":"2","num":2,"type":"read","pid":5,"comm":"cat","res":10,"args":{"fd":3,"size":4096}}',
    '{"ts":"3","num":3,"type":"read","pid":5,"comm":"cat","res":10,"args":{"fd":3,"size":4096}', // truncated: peeked, so unparsed
    '{"ts":"4","num":4,"type":"read","pid":5,"type":"openat","comm":"cat","res":4,"args":{"dirfd":-100,"name":"/etc/shadow","flags":0,"mode":0}}',
    '{"ts":"5","num":5,"type":"write","pid":5,"comm":"cat","res":1,"args":{"fd":1,"size":1}}',
    '{"ts":"6","num":6,"type":"openat","pid":5,"comm":"cat","res":-2,"args":{"name":"/nope"}',
  ];

  it('skips records of unused types unparsed and counts them; parses the rest', () => {
    for (const format of ['native', 'auto'] as const) {
      const d = createDecoder(format, { eventTypes: onlyOpenat });
      const types = lines.map((l, i) => d.decode(l, i + 1)?.type);
      // The duplicate-key record is an openat to JSON.parse, so it is parsed and kept.
      expect(types, format).toEqual(['openat', undefined, undefined, 'openat', undefined, undefined]);
      expect(d.stats.unusedTypes, format).toBe(3);
      expect(d.stats.events, format).toBe(2);
      expect(d.stats.bad, format).toBe(1); // the truncated openat is needed, so parsed: bad
      expect(d.stats.lines, format).toBe(lines.length);
    }
  });

  it('parses everything without a filter, and for formats that cannot peek', () => {
    const d = createDecoder('native');
    expect(lines.map((l, i) => d.decode(l, i + 1)?.type)).toEqual(['openat', 'read', undefined, 'openat', 'write', undefined]);
    expect(d.stats.unusedTypes).toBe(0);
    expect(d.stats.bad).toBe(2);
    const flat = createDecoder('falco-json', { eventTypes: onlyOpenat });
    expect(flat.decode('{"evt.type":"read","proc.name":"cat","evt.time":1}', 1)?.type).toBe('read');
    expect(flat.stats.unusedTypes).toBe(0);
  });

  it('asks the filter per record, so a changed answer applies to the next record', () => {
    let wanted = new Set(['openat']);
    const d = createDecoder('native', { eventTypes: { needs: (t) => wanted.has(t) } });
    expect(d.decode(lines[1] as string, 1)).toBeUndefined();
    wanted = new Set(['openat', 'read']);
    expect(d.decode(lines[1] as string, 2)?.type).toBe('read');
    expect(d.stats.unusedTypes).toBe(1);
  });
});
