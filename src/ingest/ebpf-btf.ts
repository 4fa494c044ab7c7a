// A minimal reader of the kernel's BTF (/sys/kernel/btf/vmlinux): finds a struct by name and the
// byte offset of one of its members. The eBPF sensor needs a few offsets that bpftrace 0.17 cannot
// express (it has no offsetof and no address-of operator) and a few member names that changed
// between kernel releases (kernfs_node.parent became __parent in 6.15).
//
// Format (Documentation/bpf/btf.rst): a 24-byte header, then a type section of variable-length
// records (12-byte common part + kind-specific tail), then a string section. Type ids start at 1.

import { readFileSync } from 'node:fs';

const KIND_STRUCT = 4;
const KIND_UNION = 5;
const KIND_TYPEDEF = 8;

/** Bytes that follow the 12-byte common part, per kind, for `vlen` members. */
function tailSize(kind: number, vlen: number): number {
  switch (kind) {
    case 1: return 4; // INT
    case 3: return 12; // ARRAY
    case 4: case 5: return vlen * 12; // STRUCT, UNION
    case 6: return vlen * 8; // ENUM
    case 13: return vlen * 8; // FUNC_PROTO
    case 14: return 4; // VAR
    case 15: return vlen * 12; // DATASEC
    case 17: return 4; // DECL_TAG
    case 19: return vlen * 12; // ENUM64
    default: return 0; // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
  }
}

interface Member { readonly name: string; readonly type: number; readonly bitOffset: number }

export class Btf {
  private readonly buf: Buffer;
  private readonly typesStart: number;
  private readonly strStart: number;
  /** Byte position of every type record, indexed by type id (index 0 unused). */
  private readonly positions: number[] = [0];
  private structsByName: Map<string, number> | undefined;

  constructor(buf: Buffer) {
    if (buf.length < 24 || buf.readUInt16LE(0) !== 0xeb9f) throw new Error('not a BTF file (bad magic)');
    const hdrLen = buf.readUInt32LE(4);
    const typeOff = buf.readUInt32LE(8);
    const typeLen = buf.readUInt32LE(12);
    const strOff = buf.readUInt32LE(16);
    this.buf = buf;
    this.typesStart = hdrLen + typeOff;
    this.strStart = hdrLen + strOff;
    const end = this.typesStart + typeLen;
    if (end > buf.length || this.strStart > buf.length) throw new Error('truncated BTF file');
    for (let pos = this.typesStart; pos + 12 <= end;) {
      this.positions.push(pos);
      const info = buf.readUInt32LE(pos + 4);
      pos += 12 + tailSize((info >>> 24) & 0x1f, info & 0xffff);
    }
  }

  static fromFile(path = '/sys/kernel/btf/vmlinux'): Btf {
    return new Btf(readFileSync(path));
  }

  private str(off: number): string {
    const start = this.strStart + off;
    const end = this.buf.indexOf(0, start);
    return this.buf.toString('latin1', start, end < 0 ? this.buf.length : end);
  }

  private kindOf(id: number): number {
    const pos = this.positions[id];
    return pos === undefined ? -1 : (this.buf.readUInt32LE(pos + 4) >>> 24) & 0x1f;
  }

  private members(id: number): Member[] {
    const pos = this.positions[id];
    if (pos === undefined) return [];
    const info = this.buf.readUInt32LE(pos + 4);
    const kflag = info >>> 31;
    const out: Member[] = [];
    for (let i = 0, m = pos + 12; i < (info & 0xffff); i++, m += 12) {
      const raw = this.buf.readUInt32LE(m + 8);
      out.push({ name: this.str(this.buf.readUInt32LE(m)), type: this.buf.readUInt32LE(m + 4), bitOffset: kflag ? raw & 0xffffff : raw });
    }
    return out;
  }

  /** The id of the struct (or union) of that name, or that a typedef of that name stands for. */
  structId(name: string): number | undefined {
    if (this.structsByName === undefined) {
      const map = new Map<string, number>();
      for (let id = 1; id < this.positions.length; id++) {
        const kind = this.kindOf(id);
        // Typedefs of structs count too (kernel_cap_t is a typedef of an anonymous struct).
        const target = kind === KIND_TYPEDEF ? this.resolve(id) : id;
        const targetKind = this.kindOf(target);
        if (targetKind !== KIND_STRUCT && targetKind !== KIND_UNION) continue;
        const n = this.str(this.buf.readUInt32LE(this.positions[id]!));
        // A name can appear more than once; keep the first complete one.
        if (n !== '' && !map.has(n)) map.set(n, target);
      }
      this.structsByName = map;
    }
    return this.structsByName.get(name);
  }

  /**
   * Byte offset of `member` inside `struct name`, looking through anonymous struct/union members
   * (as C does); undefined when the struct or member does not exist.
   */
  memberOffset(structName: string, member: string): number | undefined {
    const id = this.structId(structName);
    return id === undefined ? undefined : this.findIn(id, member, 0, 0);
  }

  hasMember(structName: string, member: string): boolean {
    return this.memberOffset(structName, member) !== undefined;
  }

  private findIn(id: number, member: string, base: number, depth: number): number | undefined {
    if (depth > 8) return undefined;
    for (const m of this.members(id)) {
      if (m.name === member) return (base + m.bitOffset) / 8;
      if (m.name === '') {
        const inner = this.resolve(m.type);
        const kind = this.kindOf(inner);
        if (kind === KIND_STRUCT || kind === KIND_UNION) {
          const found = this.findIn(inner, member, base + m.bitOffset, depth + 1);
          if (found !== undefined) return found;
        }
      }
    }
    return undefined;
  }

  /** Follows typedef/const/volatile/restrict/type-tag links to the underlying type id. */
  private resolve(id: number): number {
    for (let i = 0; i < 16; i++) {
      const kind = this.kindOf(id);
      if (kind !== 8 && kind !== 9 && kind !== 10 && kind !== 11 && kind !== 18) return id;
      id = this.buf.readUInt32LE(this.positions[id]! + 8);
    }
    return id;
  }
}
