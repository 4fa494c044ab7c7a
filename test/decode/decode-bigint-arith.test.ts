// Exact nanosecond arithmetic without BigInt (src/decode/bigint.ts nsMinus): a process start from
// an event time and a duration, both beyond 2^53 in sum, agrees with BigInt everywhere.
import { describe, expect, it } from 'vitest';
import { nsMinus } from '../../src/decode/bigint.js';

function big(ts: string, d: number): string | undefined {
  const v = BigInt(ts) - BigInt(d);
  return v > 0n ? v.toString() : undefined;
}

describe('nsMinus', () => {
  it('matches BigInt on edges: borrows, zero and negative results, short and long timestamps', () => {
    const cases: [string, number][] = [
      ['1732662000000008543', 587], ['1732662000000000000', 1], ['1732662000999999999', 999999999],
      ['1732662001000000000', 1000000000], ['1000000000000000', 1000000000000000], ['1000000000000000', 999999999999999],
      ['1000000000000000', 1000000000000001], ['1732662000000008543', Number.MAX_SAFE_INTEGER], ['12', 5], ['12', 12],
      ['999999999999999', 1], ['0000001732662000000008543', 3], ['123456789012345678901234', 2 ** 52 + 1],
      ['1732662000000008543', 0],
    ];
    for (const [ts, d] of cases) expect(nsMinus(ts, d), `${ts} - ${d}`).toBe(big(ts, d));
  });

  it('matches BigInt on 20k random timestamps and durations (seeded)', () => {
    let s = 12345;
    const r = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 4294967296;
    };
    for (let i = 0; i < 20_000; i++) {
      const len = 16 + Math.floor(r() * 9);
      let ts = String(1 + Math.floor(r() * 9));
      while (ts.length < len) ts += String(Math.floor(r() * 10));
      const d = Math.floor(r() * (r() < 0.5 ? 2 ** 53 : 1e12));
      expect(nsMinus(ts, d)).toBe(big(ts, d));
    }
  });

  it('falls back to BigInt (and its errors) for what is not plain digits', () => {
    expect(nsMinus('1732662000000008543', 2 ** 60)).toBe(big('1732662000000008543', 2 ** 60));
    expect(() => nsMinus('17326620000000085x3', 1)).toThrow(SyntaxError);
  });
});
