// A child process as a source: its stdout lines; a clear error when it fails or is missing; the
// child is terminated when the consumer stops early.
import { describe, expect, it } from 'vitest';
import { childProcessSource } from '../../src/ingest/child.js';
import type { LineItem } from '../../src/ingest/types.js';

async function collect(src: AsyncIterable<{ items: LineItem[] }>, limit = Infinity): Promise<LineItem[]> {
  const out: LineItem[] = [];
  for await (const b of src) {
    out.push(...b.items);
    if (out.length >= limit) break;
  }
  return out;
}

describe('child process source', () => {
  it('yields the child’s stdout lines', async () => {
    const src = childProcessSource(process.execPath, ['-e', 'for (let i = 0; i < 5000; i++) console.log(JSON.stringify({i}))']);
    const lines = await collect(src);
    expect(lines.length).toBe(5000);
    expect(lines[4999]).toBe('{"i":4999}');
  });

  it('reports a failing child with its exit status and stderr', async () => {
    const src = childProcessSource(process.execPath, ['-e', 'console.log("one"); console.error("sensor: no BTF"); process.exit(3)']);
    await expect(collect(src)).rejects.toThrow(/exited with status 3: sensor: no BTF/);
  });

  it('reports a missing program', async () => {
    await expect(collect(childProcessSource('/nonexistent/sensor', []))).rejects.toThrow(/not found/);
  });

  it('terminates the child when the consumer breaks out', async () => {
    const src = childProcessSource(process.execPath, ['-e', 'setInterval(() => console.log("tick"), 5)']);
    const t0 = Date.now();
    const lines = await collect(src, 3);
    expect(lines.slice(0, 3)).toEqual(['tick', 'tick', 'tick']);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
