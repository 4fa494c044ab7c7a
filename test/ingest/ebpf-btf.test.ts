// eBPF sensor BTF reader – struct member offsets through anonymous unions and typedefs, on a
// hand-built BTF blob and on this kernel's /sys/kernel/btf/vmlinux when it exists.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { Btf } from '../../src/ingest/ebpf-btf.js';
import { kernelOffsets, kernelShape } from '../../src/ingest/ebpf-program.js';

interface Member { name: string; type: number; bitOffset: number; bitSize?: number }
interface T { kind: number; name: string; size?: number; type?: number; members?: Member[]; words?: number[] }

/** A BTF blob: header, type records (ids from 1, in order), string table. */
function blob(types: T[]): Buffer {
  const table: string[] = [''];
  const str = (s: string): number => {
    if (s === '') return 0;
    let at = 0;
    for (const x of table) {
      if (x === s) return at;
      at += Buffer.byteLength(x) + 1;
    }
    table.push(s);
    return at;
  };
  const words: number[] = [];
  for (const t of types) {
    const kflag = t.members?.some((m) => m.bitSize !== undefined) === true;
    const vlen = t.members?.length ?? (t.words !== undefined && t.kind === 6 ? t.words.length / 2 : 0);
    words.push(str(t.name), ((kflag ? 1 : 0) << 31) | (t.kind << 24) | vlen, t.size ?? t.type ?? 0);
    for (const m of t.members ?? []) words.push(str(m.name), m.type, kflag ? ((m.bitSize ?? 0) << 24) | m.bitOffset : m.bitOffset);
    words.push(...(t.words ?? []));
  }
  const typeSec = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => typeSec.writeUInt32LE(w >>> 0, i * 4));
  const strSec = Buffer.from(`${table.join('\0')}\0`);
  const hdr = Buffer.alloc(24);
  hdr.writeUInt16LE(0xeb9f, 0);
  hdr.writeUInt8(1, 2);
  hdr.writeUInt32LE(24, 4);
  hdr.writeUInt32LE(typeSec.length, 12);
  hdr.writeUInt32LE(typeSec.length, 16);
  hdr.writeUInt32LE(strSec.length, 20);
  return Buffer.concat([hdr, typeSec, strSec]);
}

describe('eBPF BTF reader', () => {
  const build = (): Buffer => blob([
    /* 1 */ { kind: 1, name: 'int', size: 4, words: [32] },
    /* 2 */ { kind: 5, name: '', size: 4, members: [{ name: 'a', type: 1, bitOffset: 0 }, { name: 'b', type: 1, bitOffset: 0 }] },
    /* 3 */ { kind: 4, name: 'outer', size: 24, members: [{ name: 'x', type: 1, bitOffset: 0 }, { name: '', type: 2, bitOffset: 64 }, { name: 'z', type: 1, bitOffset: 128 }] },
    /* 4 */ { kind: 8, name: 'cap_t', type: 5 },
    /* 5 */ { kind: 4, name: '', size: 8, members: [{ name: 'val', type: 1, bitOffset: 0 }] },
    /* 6 */ { kind: 6, name: 'e', size: 4, words: [0, 1, 0, 2] },
    /* 7 */ { kind: 4, name: 'bits', size: 8, members: [{ name: 'lo', type: 1, bitOffset: 0, bitSize: 4 }, { name: 'hi', type: 1, bitOffset: 36, bitSize: 4 }] },
  ]);

  it('finds direct members, members of anonymous unions, typedef names and bitfield offsets', () => {
    const btf = new Btf(build());
    expect(btf.memberOffset('outer', 'x')).toBe(0);
    expect(btf.memberOffset('outer', 'z')).toBe(16);
    expect(btf.memberOffset('outer', 'a')).toBe(8);
    expect(btf.memberOffset('outer', 'b')).toBe(8);
    expect(btf.memberOffset('cap_t', 'val')).toBe(0);
    expect(btf.hasMember('cap_t', 'nope')).toBe(false);
    expect(btf.memberOffset('bits', 'hi')).toBe(4.5);
    expect(btf.memberOffset('missing', 'x')).toBeUndefined();
  });

  it('rejects data that is not BTF, and truncated BTF', () => {
    expect(() => new Btf(Buffer.from('not btf at all, not at all'))).toThrow(/bad magic/);
    const b = build();
    expect(() => new Btf(b.subarray(0, 40))).toThrow(/truncated/);
  });

  it.skipIf(!existsSync('/sys/kernel/btf/vmlinux'))('reads the offsets the sensor needs from this kernel', () => {
    const btf = Btf.fromFile();
    const off = kernelOffsets(btf);
    expect(off.comm).toBeGreaterThan(0);
    expect(off.pidNumbers).toBeGreaterThan(0);
    expect(off.savedAuxv).toBeGreaterThan(0);
    expect(off.unixAddressName).toBeGreaterThanOrEqual(8);
    expect(btf.memberOffset('mount', 'mnt')).toBe(32);
    const shape = kernelShape(btf, () => true);
    expect(['__parent', 'parent']).toContain(shape.kernfsParent);
  });
});
