// sources: entries of peregrine.yaml → live source specs: the /proc seeding switch (scan_proc).
import { describe, expect, it } from 'vitest';
import { sourcesFromConfig } from '../../src/cli/live-sources.js';

describe('sources: scan_proc', () => {
  it('is left to the default (ebpf on, command off) unless given, and must be a boolean', () => {
    expect(sourcesFromConfig([{ type: 'ebpf' }])).toEqual([{ type: 'ebpf' }]);
    expect(sourcesFromConfig([{ type: 'ebpf', scan_proc: false }])).toEqual([{ type: 'ebpf', scanProc: false }]);
    expect(sourcesFromConfig([{ type: 'command', command: ['sensor', '-x'], scan_proc: true }])).toEqual([
      { type: 'command', command: ['sensor', '-x'], format: 'auto', scanProc: true },
    ]);
    expect(() => sourcesFromConfig([{ type: 'ebpf', scan_proc: 'yes' }])).toThrow(/sources\[0\]\.scan_proc/);
  });
});
