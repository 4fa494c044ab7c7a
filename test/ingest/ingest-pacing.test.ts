// --realtime: events are released at the pace of their timestamps (with an injected clock).
import { describe, expect, it } from 'vitest';
import { paceByTimestamp } from '../../src/ingest/pacing.js';

describe('realtime pacing', () => {
  it('waits for the gap between timestamps, scaled by speed; ts-less items pass at once', async () => {
    let now = 0;
    const waits: number[] = [];
    const sleep = async (ms: number): Promise<void> => {
      waits.push(Math.round(ms));
      now += ms;
    };
    async function* batches(): AsyncGenerator<{ ts: string }[]> {
      yield [{ ts: '1000000000000000000' }, { ts: '1000000000500000000' }, { ts: '' }];
      yield [{ ts: '1000000002000000000' }];
    }
    const out: string[] = [];
    for await (const b of paceByTimestamp(batches(), (x) => x.ts, { now: () => now, sleep, speed: 2 })) out.push(...b.map((x) => x.ts));
    expect(out).toEqual(['1000000000000000000', '1000000000500000000', '', '1000000002000000000']);
    expect(waits).toEqual([250, 750]);
  });
});
