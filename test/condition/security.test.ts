// Condition compiler – security: rule strings and field arguments are data, never code (also in
// the generated predicates: no rule text reaches their source); matchers cannot be made to
// backtrack catastrophically by hostile event data.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../src/condition/parse.js';
import { compileCondition } from '../../src/condition/compile.js';
import { generatedSource } from '../../src/condition/codegen.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { eventFromFields, newSyscallEvent } from '../../src/event/types.js';
import { compileGlob } from '../../src/condition/glob.js';
import { compilePathPrefixes } from '../../src/condition/pmatch.js';
import { loadRules } from '../../src/rules/load.js';
import { allRegistries } from '../../src/cli/registries.js';
import { ensureBuilt } from '../helpers/cli.js';
import { ruleFrom } from '../helpers/compiled-rule.js';
import { expectOnlyFixedCode } from '../helpers/generated-code.js';
import { dispatcherFor } from '../../src/engine/dispatch.js';
import { Engine } from '../../src/engine/engine.js';
import { typeSetHas } from '../../src/condition/evttypes.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { load, rule, ruleYaml } from '../helpers/rules.js';
import { ROOT, SANDBOX_RULES, INCUBATING_RULES, STABLE_RULES, describeShared } from '../helpers/shared.js';

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

// ------------------------------------------------------------------------------ generated predicates

describe('security – generated predicates hold no rule text', () => {
  const run = (test: unknown, ev: unknown): boolean => (test as (e: unknown) => boolean)(ev);

  it.each(PAYLOADS)('payload %s in strings, lists, field arguments: data in a constant, never code', (payload) => {
    g.__pwned = 0;
    const q = JSON.stringify(payload);
    const cond = `proc.cmdline = ${q} or proc.cmdline in (${q}, x) or proc.cmdline startswith ${q} or proc.cmdline endswith ${q}`
      + ` or proc.cmdline contains ${q} or proc.cmdline glob ${q} or proc.env[${q}] = ${q} or evt.arg[${q}] in (${q})`;
    const { test } = compileCondition(parseCondition(cond), registry);
    const source = generatedSource(test);
    expectOnlyFixedCode(source);
    expect(source).not.toContain(payload);
    expect(run(test, eventFromFields({ 'proc.cmdline': payload }))).toBe(true);
    expect(run(test, eventFromFields({ 'proc.cmdline': 'benign' }))).toBe(false);
    expect(g.__pwned).toBe(0);
  });

  it('exception values and names are data too (tuple and scalar forms, through the loader)', () => {
    g.__pwned = 0;
    // Falco writes exception values into the condition quoted but unescaped, so values with quotes or
    // parentheses cannot be expressed; these can, and look like code (even like generated names).
    const values = ['${globalThis.__pwned = 1}', '}; globalThis.__pwned = 1; {', 'k0.t = 0; K[0] = null', 'constructor', '__proto__'];
    const yamlValues = values.map((p) => JSON.stringify(p));
    const r = load(ruleYaml('r', 'proc.name = bash', [
      '  exceptions:',
      "    - name: \"x'); globalThis.__pwned = 1; //\"",
      '      fields: [proc.cmdline, fd.name]',
      '      comps: [=, startswith]',
      `      values: [${yamlValues.map((h) => `[${h}, ${h}]`).join(', ')}]`,
      '    - name: scalar',
      '      fields: proc.cmdline',
      '      comps: in',
      `      values: [${yamlValues.join(', ')}]`,
      '',
    ].join('\n')));
    const compiled = rule(r, 'r');
    const source = generatedSource(compiled.test);
    expectOnlyFixedCode(source);
    for (const p of values.filter((x) => x.length > 12)) expect(source).not.toContain(p);
    expect(run(compiled.test, eventFromFields({ 'proc.name': 'bash', 'proc.cmdline': 'ls' }))).toBe(true);
    for (const p of values) expect(run(compiled.test, eventFromFields({ 'proc.name': 'bash', 'proc.cmdline': p }))).toBe(false);
    expect(g.__pwned).toBe(0);
  });

  it('events whose values look like code are data on the derived path (no given values)', () => {
    g.__pwned = 0;
    const payload = 'x");globalThis.__pwned=1;//';
    const { test } = compileCondition(parseCondition(`evt.arg.name = ${JSON.stringify(payload)} or evt.arg.name in (constructor)`), registry);
    const ev = (name: string): unknown => Object.assign(newSyscallEvent('openat'), { args: { name } });
    expect(run(test, ev(payload))).toBe(true);
    expect(run(test, ev('constructor'))).toBe(true);
    expect(run(test, ev('__proto__'))).toBe(false);
    expect(g.__pwned).toBe(0);
  });

  describeShared('the upstream rules', () => {
    it('every rule compiles to generated code made only of fixed fragments', async () => {
      const loaded = await loadRules({ paths: [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES], sources: allRegistries() });
      expect(loaded.rules.length).toBeGreaterThan(80);
      for (const r of loaded.rules) expectOnlyFixedCode(generatedSource(r.test));
    });

    it('every bucket dispatcher over them is made only of fixed fragments too', async () => {
      const loaded = await loadRules({ paths: [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES], sources: allRegistries() });
      const syscall = loaded.rules.filter((r) => r.source === 'syscall');
      const types = ['execve', 'openat', 'connect', 'unlinkat', 'ptrace', 'setuid', 'mount', 'rename', 'close', 'nonexistent'];
      for (const type of types) {
        const rules = syscall.filter((r) => typeSetHas(r.eventTypes, type));
        expectOnlyFixedCode(generatedSource(dispatcherFor(rules, type)), 'dispatcher');
      }
    });
  });

  it.each(PAYLOADS)('payload %s in rules and events through a bucket dispatcher: data, never code', (payload) => {
    g.__pwned = 0;
    const q = JSON.stringify(payload);
    const a = ruleFrom('a', `evt.type = openat and (proc.name in (${q}, x, y) or proc.pname in (${q}, z))`);
    const b = ruleFrom('b', `proc.name in (${q}, q) and fd.name startswith ${q}`);
    const c = ruleFrom('c', `evt.type in (openat, open) and proc.cmdline contains ${q}`);
    const source = generatedSource(dispatcherFor([a, b, c], 'openat'));
    expectOnlyFixedCode(source, 'dispatcher');
    expect(source).not.toContain(payload);
    const engine = new Engine([a, b, c], { matching: 'all' });
    const out: CompiledRule[] = [];
    const ev = newSyscallEvent('openat');
    ev.proc = { pid: 1, tid: 1, name: payload, cmdline: `x ${payload}`, args: [payload], parent: { pid: 0, tid: 0, name: payload } } as unknown as typeof ev.proc;
    ev.fd = { num: 3, type: 'file', name: `${payload}/x` } as unknown as typeof ev.fd;
    engine.match(ev, out);
    expect(out.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    ev.proc.name = 'benign'; // (the parent keeps the payload; proc.cmdline is name + args)
    engine.match(ev, out);
    expect(out.map((r) => r.name)).toEqual(['a', 'c']);
    engine.match(eventFromFields({ 'evt.type': 'openat', 'proc.name': payload, 'fd.name': payload, 'proc.cmdline': payload }), out);
    expect(out.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(engine.stats.errors).toBe(0);
    expect(g.__pwned).toBe(0);
  });

  it('without code generation (node --disallow-code-generation-from-strings) conditions still work, as closures', async () => {
    await ensureBuilt();
    const script = `
      const { compileCondition } = await import(${JSON.stringify(join(ROOT, 'dist', 'condition', 'compile.js'))});
      const { generatedSource } = await import(${JSON.stringify(join(ROOT, 'dist', 'condition', 'codegen.js'))});
      const { parseCondition } = await import(${JSON.stringify(join(ROOT, 'dist', 'condition', 'parse.js'))});
      const { syscallFields } = await import(${JSON.stringify(join(ROOT, 'dist', 'fields', 'syscall.js'))});
      const { eventFromFields } = await import(${JSON.stringify(join(ROOT, 'dist', 'event', 'types.js'))});
      const { test } = compileCondition(parseCondition('proc.name in (a, b) and not fd.name startswith /tmp'), syscallFields());
      const { dispatcherFor } = await import(${JSON.stringify(join(ROOT, 'dist', 'engine', 'dispatch.js'))});
      const rule = { id: 0, test };
      const dispatch = dispatcherFor([rule], 'openat');
      const out = [], evals = new Float64Array(1), hits = new Float64Array(1);
      const ev = eventFromFields({ 'proc.name': 'a', 'fd.name': '/etc' });
      dispatch(ev, out, false, evals, hits);
      console.log(JSON.stringify([generatedSource(test) === undefined, test(ev),
        test(eventFromFields({ 'proc.name': 'a', 'fd.name': '/tmp/x' })), generatedSource(dispatch) === undefined, out.length, evals[0], hits[0]]));`;
    const res = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toEqual([true, true, false, true, 1, 1, 1]);
  });
});
