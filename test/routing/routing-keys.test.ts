// Routing keys – pid, ppid, tid, event kind and result read from raw lines without JSON.parse: the
// fast path, the nested-object fallback, hostile strings, and the flat Falco-field format.
import { describe, expect, it } from 'vitest';
import { EventKind, intAt, keysFor, topLevelValue, type LineKeys } from '../../src/routing/keys.js';

function native(line: string): LineKeys {
  const k = keysFor('native') as LineKeys;
  k.reset(line);
  return k;
}

function flat(line: string): LineKeys {
  const k = keysFor('falco-json') as LineKeys;
  k.reset(line);
  return k;
}

/** What JSON.parse says, for comparison. */
function truth(line: string): { pid: number; ppid: number; tid: number; res: number } {
  const o = JSON.parse(line) as Record<string, unknown>;
  const id = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : -1);
  return { pid: id(o['pid']), ppid: id(o['ppid']), tid: id(o['tid']), res: id(o['res']) };
}

describe('routing keys – native lines', () => {
  it('reads the keys of a plain sensor line', () => {
    const k = native('{"type":"clone","ts":"1","pid":4242,"ppid":1,"tid":4243,"comm":"curl","res":4250,"args":{"flags":18874385}}');
    expect([k.pid(), k.ppid(), k.tid(), k.res(), k.kind()]).toEqual([4242, 1, 4243, 4250, EventKind.Fork]);
  });

  it('tells forks, exits and other events apart by the exact type name', () => {
    for (const [type, kind] of [['clone', EventKind.Fork], ['clone3', EventKind.Fork], ['fork', EventKind.Fork], ['vfork', EventKind.Fork],
      ['procexit', EventKind.Exit], ['openat', EventKind.Other], ['clones', EventKind.Other], ['procexit2', EventKind.Other], ['fork\\u0000', EventKind.Other],
      ['', EventKind.Other], ['p', EventKind.Other]] as const) {
      expect(native(`{"type":"${type}","ts":"1","pid":1}`).kind(), type).toBe(kind);
    }
    expect(native('{"type":7,"pid":1}').kind()).toBe(EventKind.Other);
    expect(native('{"pid":1}').kind()).toBe(EventKind.Other);
  });

  it('reads a missing key as -1 and looks each key up once per line', () => {
    const k = native('{"type":"read","ts":"1","pid":7,"res":10,"args":{"fd":3}}');
    expect([k.ppid(), k.tid()]).toEqual([-1, -1]);
    k.reset('{"type":"read","ts":"1","pid":8,"tid":9}');
    expect([k.pid(), k.tid(), k.res()]).toEqual([8, 9, -1]);
  });

  it('ignores keys of nested objects: ptrace and kill carry args.pid, socket args.type', () => {
    const ptrace = '{"type":"ptrace","ts":"1","args":{"request":16,"pid":999},"pid":10,"res":0}';
    expect(native(ptrace).pid()).toBe(10);
    const socket = '{"args":{"domain":2,"type":"clone","proto":0},"type":"socket","pid":11,"res":3}';
    expect(native(socket).kind()).toBe(EventKind.Other);
    const onlyNested = '{"type":"kill","ts":"1","args":{"pid":5,"sig":9}}';
    expect(native(onlyNested).pid()).toBe(-1);
    const inArray = '{"type":"x","list":[{"pid":1}],"pid":2}';
    expect(native(inArray).pid()).toBe(2);
  });

  it('is not fooled by key-like text inside string values', () => {
    const lines = [
      '{"type":"openat","ts":"1","comm":"a\\",\\"pid\\":666,\\"","pid":12,"res":3}',
      '{"type":"openat","ts":"1","args":{"name":"/tmp/\\"pid\\":5"},"pid":13}',
      '{"type":"openat","comm":"{\\"pid\\":1}","pid":14}',
      '{"type":"openat","comm":"x\\\\","pid":15}',
      '{"type":"openat","x\\"pid":16,"pid":17}',
      '{ "type" : "clone" , "pid" : 18 , "res" : 19 }',
    ];
    for (const l of lines) {
      const k = native(l);
      expect(k.pid(), l).toBe(truth(l).pid);
      expect(k.res(), l).toBe(truth(l).res);
    }
    expect(native('{ "type" : "clone" , "pid" : 18 , "res" : 19 }').kind()).toBe(EventKind.Fork);
  });

  it('reads only non-negative integers', () => {
    for (const [v, want] of [['12', 12], ['-1', -1], ['1.5', -1], ['1e3', -1], ['"12"', -1], ['null', -1], ['true', -1], ['99999999999', -1], ['2147483647', 2147483647], ['0', 0]] as const) {
      expect(native(`{"type":"x","pid":${v}}`).pid(), v).toBe(want);
    }
    expect(intAt(' 42,', 0)).toBe(42);
  });

  it('agrees with JSON.parse on generated lines with shuffled key orders and nested lookalikes', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 500; i++) {
      const members: string[] = [`"type":"${rnd() < 0.5 ? 'clone' : 'read'}"`, `"pid":${Math.floor(rnd() * 1e6)}`, '"ts":"1"'];
      if (rnd() < 0.5) members.push(`"ppid":${Math.floor(rnd() * 1e6)}`);
      if (rnd() < 0.5) members.push(`"tid":${Math.floor(rnd() * 1e6)}`);
      if (rnd() < 0.5) members.push(`"res":${Math.floor(rnd() * 2e6) - 1e6}`);
      members.push(`"args":{"pid":${Math.floor(rnd() * 9)},"res":-3,"ppid":5,"name":"\\"tid\\":1"}`);
      if (rnd() < 0.3) members.push('"argv":["\\"pid\\":", "{", "["]');
      members.sort(() => rnd() - 0.5);
      const line = `{${members.join(',')}}`;
      const k = native(line);
      const t = truth(line);
      expect({ pid: k.pid(), ppid: k.ppid(), tid: k.tid(), res: k.res() }, line).toEqual(t);
    }
  });

  it('finds top-level values by scanning, or says there is none', () => {
    expect(topLevelValue('{"a":{"pid":1},"pid":2}', 'pid')).toBe(21);
    expect(topLevelValue('{"a":{"pid":1}}', 'pid')).toBe(-1);
    expect(topLevelValue('not json', 'pid')).toBe(-1);
    expect(topLevelValue('{"pid"', 'pid')).toBe(-1);
    expect(topLevelValue('{"a":"unterminated', 'pid')).toBe(-1);
    expect(topLevelValue('{"a":1} ,"pid":2', 'pid')).toBe(-1);
  });
});

describe('routing keys – flat Falco-field lines', () => {
  it('reads proc.pid, proc.ppid, thread.tid, evt.type and evt.rawres', () => {
    const k = flat('{"evt.args":"res=17498(curl)","evt.rawres":17498,"evt.type":"clone","proc.name":"curl","proc.pid":17497,"proc.ppid":3200,"thread.tid":17497}');
    expect([k.pid(), k.ppid(), k.tid(), k.res(), k.kind()]).toEqual([17497, 3200, 17497, 17498, EventKind.Fork]);
  });

  it('reads them inside output_fields of a Falco alert line', () => {
    const k = flat('{"hostname":"h","output":"x","output_fields":{"evt.type":"procexit","proc.pid":5,"thread.tid":6},"priority":"Notice","rule":"r","tags":["a"]}');
    expect([k.pid(), k.tid(), k.kind()]).toEqual([5, 6, EventKind.Exit]);
  });

  it('skips look-alikes inside strings and missing or null values', () => {
    const k = flat('{"evt.args":"x\\"proc.pid\\":1","proc.cmdline":"sh -c \\"proc.pid\\":9","proc.pid":42,"proc.ppid":null}');
    expect([k.pid(), k.ppid(), k.tid()]).toEqual([42, -1, -1]);
  });

  it('has no cheap keys for sysdig -j, Tetragon and Tracee', () => {
    expect(keysFor('sysdig')).toBeUndefined();
    expect(keysFor('tetragon')).toBeUndefined();
    expect(keysFor('tracee')).toBeUndefined();
  });
});
