// The example lines in README.md's "Input formats" section decode as the format they document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDecoder, detectFormat } from '../../src/decode/index.js';
import { ROOT } from '../helpers/shared.js';
import { field, run } from '../helpers/events.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Input formats'));
const examples = [...section.matchAll(/\*\*[^*]+\*\* \(`([a-z-]+)`\)[\s\S]*?```json\n([^\n]+)\n```/g)].map((m) => [m[1]!, m[2]!] as const);

describe('README input format examples', () => {
  it('documents all five formats', () => {
    expect(examples.map(([f]) => f)).toEqual(['native', 'falco-json', 'sysdig', 'tetragon', 'tracee']);
  });
  it.each(examples)('%s: the example is detected and decodes to an event with a process', (format, line) => {
    expect(detectFormat(line)).toBe(format);
    const d = createDecoder('auto');
    expect(d.decode(line, 1)).toBeDefined();
    expect(d.stats.bad).toBe(0);
    const ev = run([line], format).events[0]!;
    expect(typeof field(ev, 'proc.name')).toBe('string');
    expect(typeof field(ev, 'evt.type')).toBe('string');
  });
});
