// Explain – a condition on one event as a tree of values and results, with short-circuits marked,
// for true, false and missing-field cases.
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../src/condition/parse.js';
import { explainCondition, renderExplain } from '../../src/condition/explain.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { eventFromFields } from '../../src/event/types.js';

const registry = syscallFields({ hostname: 'h' });
const explain = (cond: string, fields: Record<string, unknown>) => explainCondition(parseCondition(cond), registry, eventFromFields(fields));

describe('explain', () => {
  it('shows values and results for a true condition', () => {
    const e = explain('evt.type = openat and fd.name startswith /etc', { 'evt.type': 'openat', 'fd.name': '/etc/shadow' });
    expect(e.result).toBe(true);
    expect(renderExplain(e)).toBe([
      '✓ and',
      '├── ✓ evt.type = openat    [evt.type = "openat"]',
      '└── ✓ fd.name startswith /etc    [fd.name = "/etc/shadow"]',
      '',
    ].join('\n'));
  });

  it('marks the failing check and the short-circuited rest', () => {
    const e = explain('evt.type = execve and (proc.name = sh or proc.pname = bash)', { 'evt.type': 'openat', 'proc.name': 'sh' });
    expect(e.result).toBe(false);
    const text = renderExplain(e);
    expect(text).toContain('✗ evt.type = execve    [evt.type = "openat"]');
    expect(text).toContain('· or    (not evaluated: short-circuit)');
    expect(text).toContain('· proc.name = sh');
  });

  it('says when a check is false because a value is unavailable', () => {
    const e = explain('proc.pname != bash', { 'proc.name': 'x' });
    expect(e.result).toBe(false);
    expect(e.missing).toBe(true);
    expect(renderExplain(e)).toBe('✗ proc.pname != bash    [proc.pname = <NA> (unavailable)]    (false: value unavailable)\n');
  });

  it('explains negation and val() comparisons', () => {
    const e = explain('not proc.name = val(proc.pname)', { 'proc.name': 'a', 'proc.pname': 'b' });
    expect(e.result).toBe(true);
    expect(renderExplain(e)).toBe([
      '✓ not',
      '└── ✗ proc.name = val(proc.pname)    [proc.name = "a"; val(proc.pname) = "b"]',
      '',
    ].join('\n'));
  });

  it('agrees with the compiled predicate on ancestor fields', () => {
    const e = explain('proc.aname in (sshd)', { 'proc.aname': 'sshd' });
    expect(e.result).toBe(true);
  });
});
