// eBPF sensor text helpers – bpftrace 0.17's escaped text (raw byte counts, the \uffffffXX form of
// bytes >= 0x80), comm decoding, IPv4/IPv6 text as inet_ntop writes it, ports in network order.
import { describe, expect, it } from 'vitest';
import { commFromHex, fixHighBytes, ipv4FromWord, ipv6FromWords, portFromNet, rawLength } from '../../src/ingest/ebpf-text.js';

/** IPv6 address → the four little-endian u32 words (hex) the sensor prints. */
function words(bytes: number[]): string[] {
  const b = Buffer.from(bytes);
  return [0, 4, 8, 12].map((i) => b.readUInt32LE(i).toString(16));
}
const v6 = (text: string): number[] => {
  // tiny expander for test inputs: "a:b::c" (no embedded IPv4)
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
};

describe('eBPF text helpers', () => {
  it('counts raw bytes of escaped text: short escapes, \\u00XX, \\uffffffXX and UTF-8', () => {
    expect(rawLength('abc')).toBe(3);
    expect(rawLength('a\\"b\\\\c\\n')).toBe(6);
    expect(rawLength('\\u0001\\u001f')).toBe(2);
    expect(rawLength('\\uffffffc3\\uffffffa9')).toBe(2);
    expect(rawLength('é€😀')).toBe(2 + 3 + 4);
  });

  it('decodes \\uffffffXX runs as UTF-8 and leaves an escaped backslash followed by "uffffff" alone', () => {
    expect(fixHighBytes('caf\\uffffffc3\\uffffffa9!')).toBe('café!');
    expect(JSON.parse(`"${fixHighBytes('\\uffffffff\\uffffff41x')}"`)).toBe('\ufffdAx'); // invalid byte → U+FFFD
    expect(fixHighBytes('\\\\uffffff41')).toBe('\\\\uffffff41');
    expect(fixHighBytes('plain \\"text\\"')).toBe('plain \\"text\\"');
    // a quote or backslash produced by decoding is escaped again
    expect(JSON.parse(`"${fixHighBytes('a\\uffffffe2\\uffffff80\\uffffff9c')}"`)).toBe('a\u201c');
  });

  it('decodes comm from its two little-endian words, stopping at the NUL', () => {
    expect(commFromHex('746163', '0')).toBe('cat');
    expect(commFromHex('6f632d6562756b', '0')).toBe('kube-co');
    const full = Buffer.from('0123456789abcde\0');
    expect(commFromHex(full.readBigUInt64LE(0).toString(16), full.readBigUInt64LE(8).toString(16))).toBe('0123456789abcde');
    const q = Buffer.alloc(16);
    q.write('a"b\\\n');
    expect(JSON.parse(`"${commFromHex(q.readBigUInt64LE(0).toString(16), '0')}"`)).toBe('a"b\\\n');
  });

  it('writes IPv4 addresses and network-order ports', () => {
    expect(ipv4FromWord('100007f')).toBe('127.0.0.1');
    expect(ipv4FromWord('0')).toBe('0.0.0.0');
    expect(ipv4FromWord('ffffffff')).toBe('255.255.255.255');
    expect(portFromNet(0xbb01)).toBe(443);
    expect(portFromNet(0x5000)).toBe(80);
  });

  it('writes IPv6 addresses as inet_ntop does (RFC 5952)', () => {
    for (const [text, want] of [
      ['::', '::'], ['::1', '::1'], ['fe80::1', 'fe80::1'], ['2001:db8::8:800:200c:417a', '2001:db8::8:800:200c:417a'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'], ['fd00:10:96::1', 'fd00:10:96::1'],
    ] as const) {
      expect(ipv6FromWords(words(v6(text)))).toBe(want);
    }
    expect(ipv6FromWords(words([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 7]))).toBe('::ffff:10.0.0.7');
  });
});
