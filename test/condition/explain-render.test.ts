// Explain rendering – skipped sub-expressions collapsed to one line (long ones cut), or expanded in
// full; the explanation as JSON (unavailable values null).
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../src/condition/parse.js';
import { explainCondition, explainJson, renderExplain } from '../../src/condition/explain.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { eventFromFields } from '../../src/event/types.js';

const registry = syscallFields({ hostname: 'h' });
const explain = (cond: string, fields: Record<string, unknown>) => explainCondition(parseCondition(cond), registry, eventFromFields(fields));

describe('explain rendering', () => {
  const e = explain('evt.type = execve and (proc.name = sh or proc.pname = bash) and not proc.cmdline contains x', { 'evt.type': 'openat', 'proc.name': 'sh' });

  it('collapses each skipped sub-expression to its canonical text on one line', () => {
    expect(renderExplain(e, { collapseSkipped: true })).toBe([
      '✗ and',
      '├── ✗ evt.type = execve    [evt.type = "openat"]',
      '├── · (proc.name = sh or proc.pname = bash)    (not evaluated: short-circuit)',
      '└── · not proc.cmdline contains x    (not evaluated: short-circuit)',
      '',
    ].join('\n'));
  });

  it('expands skipped sub-expressions with the values they would read by default', () => {
    const text = renderExplain(e);
    expect(text).toContain('├── · or    (not evaluated: short-circuit)');
    expect(text).toContain('│   ├── · proc.name = sh    [proc.name = "sh"]    (not evaluated: short-circuit)');
  });

  it('cuts a long collapsed sub-expression at 160 characters', () => {
    const names = Array.from({ length: 60 }, (_, i) => `name${i}`).join(', ');
    const long = explain(`evt.type = execve and proc.name in (${names})`, { 'evt.type': 'open' });
    const line = renderExplain(long, { collapseSkipped: true }).split('\n')[2]!;
    expect(line.startsWith('└── · proc.name in (name0, name1,')).toBe(true);
    expect(line).toContain('…    (not evaluated: short-circuit)');
    expect(line.length).toBeLessThan(210);
  });

  it('gives the explanation as JSON: results, values (null when unavailable) and children', () => {
    const j = explainJson(explain('proc.pid > 1 and proc.pname = bash', { 'evt.type': 'x', 'proc.pid': 4242 }));
    expect(j).toEqual({
      kind: 'and', text: '(proc.pid > 1 and proc.pname = bash)', result: false,
      children: [
        { kind: 'binary', text: 'proc.pid > 1', result: true, values: [{ field: 'proc.pid', value: 4242 }] },
        { kind: 'binary', text: 'proc.pname = bash', result: false, values: [{ field: 'proc.pname', value: null }], missing: true },
      ],
    });
  });
});
