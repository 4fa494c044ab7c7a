// Condition compiler – security: rule strings and field arguments are data, never code; matchers
// cannot be made to backtrack catastrophically by hostile event data.
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../src/condition/parse.js';
import { compileCondition } from '../../src/condition/compile.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { eventFromFields } from '../../src/event/types.js';
import { compileGlob } from '../../src/condition/glob.js';
import { compilePathPrefixes } from '../../src/condition/pmatch.js';

const registry = syscallFields({ hostname: 'sec' });
const g = globalThis as { __pwned?: number };

const PAYLOADS = [
  '"); globalThis.__pwned = 1; ("',
  "'); globalThis.__pwned = 1; //",
  '${globalThis.__pwned = 1}',
  '`+(globalThis.__pwned=1)+`',
  '\\"); globalThis.__pwned=1; //',
  '</script><script>globalThis.__pwned=1</script>',
  'constructor',
  '__proto__',
];

describe('security – no code from rule text or event data', () => {
  it.each(PAYLOADS)('rule literal %s is compared as a plain string', (payload) => {
    g.__pwned = 0;
    const quoted = JSON.stringify(payload).slice(1, -1).replace(/\\"/g, '\\"');
    const cond = `proc.cmdline = "${quoted}" or proc.cmdline in ("${quoted}", x) or proc.cmdline contains "${quoted}"`;
    const { test } = compileCondition(parseCondition(cond), registry);
    const run = test as (e: unknown) => boolean;
    expect(run(eventFromFields({ 'proc.cmdline': payload }))).toBe(true);
    expect(run(eventFromFields({ 'proc.cmdline': 'benign' }))).toBe(false);
    expect(g.__pwned).toBe(0);
  });

  it('field arguments are data: proc.env[…] and evt.arg[…] with hostile keys', () => {
    g.__pwned = 0;
    const cond = `proc.env["x'];globalThis.__pwned=1;//"] exists or evt.arg["__proto__"] exists or evt.arg[constructor] = x`;
    const { test } = compileCondition(parseCondition(cond), registry);
    expect((test as (e: unknown) => boolean)(eventFromFields({ 'proc.name': 'x' }))).toBe(false);
    expect(g.__pwned).toBe(0);
  });

  it('event values that look like code or prototype keys are just values', () => {
    g.__pwned = 0;
    const { test } = compileCondition(parseCondition('proc.name in (__proto__, constructor) and fd.name glob "*"'), registry);
    const run = test as (e: unknown) => boolean;
    expect(run(eventFromFields({ 'proc.name': '__proto__', 'fd.name': 'x' }))).toBe(true);
    expect(run(eventFromFields({ 'proc.name': 'toString', 'fd.name': 'x' }))).toBe(false);
    expect(g.__pwned).toBe(0);
  });
});

describe('security – matchers are linear on hostile input', () => {
  // Each of these is exponential for a naive backtracking matcher; here they must finish at once.
  it('glob with many stars against a long non-matching string', () => {
    const m = compileGlob('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b');
    expect(m('a'.repeat(50_000))).toBe(false);
  });

  it('regex with nested quantifiers (RE2 semantics, no backtracking)', () => {
    const { test } = compileCondition(parseCondition("proc.cmdline regex '(a+)+$'"), registry);
    expect((test as (e: unknown) => boolean)(eventFromFields({ 'proc.cmdline': `${'a'.repeat(50_000)}!` }))).toBe(false);
  });

  it('pmatch on a deep path', () => {
    const m = compilePathPrefixes(['/a/*/*/*/*/*/*/z', '/b']);
    expect(m('/a' + '/x'.repeat(10_000))).toBe(false);
  });
});
