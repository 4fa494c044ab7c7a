// Engine – generated bucket dispatchers: for every event, engine.match returns exactly the candidates
// whose conditions hold (checked against the closure back end), in rule order, stopping at the first
// with rule_matching: first, with the same evaluation and match counts as a plain loop; conditions
// decided by the event type alone; events with and without source-given values.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { dispatcherFor } from '../../src/engine/dispatch.js';
import { compileCondition } from '../../src/condition/compile.js';
import { generatedSource } from '../../src/condition/codegen.js';
import { createDecoder } from '../../src/decode/index.js';
import { eventFromFields, newSyscallEvent, type Event, type SyscallEvent } from '../../src/event/types.js';
import { loadRules } from '../../src/rules/load.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { allRegistries, registryFor } from '../../src/cli/registries.js';
import { StateTracker } from '../../src/state/tracker.js';
import { traceLines } from '../../bench/gen-trace.mjs';
import { ruleFrom } from '../helpers/compiled-rule.js';
import { expectOnlyFixedCode } from '../helpers/generated-code.js';
import { DATA, INCUBATING_RULES, SANDBOX_RULES, STABLE_RULES, describeShared } from '../helpers/shared.js';

type Pred = (ev: unknown) => boolean;

/** What the engine must return: the enabled candidates whose condition holds, by the closure back end. */
function expected(engine: Engine, reference: Map<CompiledRule, Pred>, ev: Event): string[] {
  return engine.candidates(ev).filter((r) => (reference.get(r) as Pred)(ev)).map((r) => r.name);
}

function references(rules: readonly CompiledRule[]): Map<CompiledRule, Pred> {
  return new Map(rules.map((r) => [r, compileCondition(r.ast, registryFor(r.source) ?? (() => { throw new Error(r.source); })(), { backend: 'closures' }).test as Pred]));
}

describeShared('engine – dispatchers over the upstream rules', () => {
  it('match exactly the candidates whose conditions hold, on native events, variants and JSON samples', async () => {
    const loaded = await loadRules({ paths: [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES], sources: allRegistries() });
    for (const r of loaded.rules) r.enabled = true;
    const engine = new Engine(loaded.rules, { matching: 'all' });
    const reference = references(loaded.rules);
    const problems: string[] = [];
    const out: CompiledRule[] = [];
    let matched = 0;
    const check = (ev: Event, tag: string): void => {
      engine.match(ev, out);
      const got = out.map((r) => r.name);
      matched += got.length;
      const want = expected(engine, reference, ev);
      if (got.join('|') !== want.join('|')) problems.push(`${tag} (${ev.type}): got [${got.join(', ')}], want [${want.join(', ')}]`);
    };
    const decoder = createDecoder('native');
    const tracker = new StateTracker();
    let n = 0;
    for (const line of traceLines({ events: 8000, seed: 5 })) {
      const ev = decoder.decode(line, ++n) as SyscallEvent | undefined;
      if (ev === undefined) continue;
      tracker.apply(ev);
      check(ev, `event ${n}`);
      const p = ev.proc;
      check({ ...ev, fd: undefined }, `event ${n} without fd`);
      if (p !== undefined) check({ ...ev, proc: { ...p, name: n % 2 ? 'sh' : 'sshd', parent: undefined } }, `event ${n} as a shell`);
      check({ ...ev, type: ['execve', 'openat', 'connect', 'unlinkat', 'ptrace', 'setuid', 'mount', 'rename'][n % 8] as string }, `event ${n} retyped`);
    }
    const dir = join(DATA, 'sysdig-json-from-scap');
    for (const file of readdirSync(dir)) {
      const dec = createDecoder('auto');
      readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l !== '').forEach((line, i) => {
        const ev = dec.decode(line, i + 1);
        if (ev !== undefined) check(ev, `${file}:${i + 1}`);
      });
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(matched).toBeGreaterThan(100);
    expect(engine.stats.errors).toBe(0);
  });
});

describe('engine – dispatchers', () => {
  const a = ruleFrom('a', 'evt.type in (open, openat) and fd.name startswith /etc');
  const b = ruleFrom('b', '(evt.type = open or proc.name = x) and not evt.type = close');
  const c = ruleFrom('c', 'evt.type in (open, openat) and (proc.name in (x, y) or proc.pname in (x, z)) and proc.name in (x, q)');
  const d = ruleFrom('d', 'proc.name = x');

  const native = (type: string, proc: string, path: string): SyscallEvent => {
    const ev = newSyscallEvent(type);
    ev.proc = { pid: 1, tid: 1, name: proc, parent: { pid: 0, tid: 0, name: 'z' } } as SyscallEvent['proc'];
    ev.fd = { num: 3, type: 'file', name: path } as SyscallEvent['fd'];
    return ev;
  };

  it('fold conditions decided by the event type (derived values) and agree with given values', () => {
    const engine = new Engine([a, b, c, d], { matching: 'all' });
    const out: CompiledRule[] = [];
    const names = (ev: Event): string[] => (engine.match(ev, out), out.map((r) => r.name));
    expect(names(native('open', 'y', '/etc/x'))).toEqual(['a', 'b']);
    expect(names(native('openat', 'x', '/tmp'))).toEqual(['b', 'c', 'd']);
    expect(names(native('close', 'x', '/etc'))).toEqual(['d']);
    expect(names(eventFromFields({ 'evt.type': 'open', 'proc.name': 'y', 'fd.name': '/etc/x' }))).toEqual(['a', 'b']);
    expect(names(eventFromFields({ 'evt.type': 'openat', 'proc.name': 'x', 'proc.pname': 'q', 'fd.name': '/tmp' }))).toEqual(['b', 'c', 'd']);
    expect(names(eventFromFields({ 'evt.type': 'close', 'proc.name': 'x' }))).toEqual(['d']);
  });

  it('stop at the first match with rule_matching: first, counting evaluations as a loop would', () => {
    const engine = new Engine([a, b, c, d], { matching: 'first' });
    const out: CompiledRule[] = [];
    engine.match(native('openat', 'x', '/tmp'), out);
    expect(out.map((r) => r.name)).toEqual(['b']);
    engine.match(native('open', 'q', '/tmp'), out);
    expect(out.map((r) => r.name)).toEqual(['b']);
    engine.match(native('close', 'q', '/tmp'), out);
    expect(out).toEqual([]);
    const counts = Object.fromEntries(engine.ruleCounts().map((x) => [x.rule.name, [x.evaluations, x.matches]]));
    // b (every type but close) stops both opens; close events only reach d.
    expect(counts).toEqual({ a: [2, 0], b: [2, 2], c: [0, 0], d: [1, 0] });
  });

  /** The names of the rules an openat by `proc` (with `args`) on `path` matches. */
  const openatMatches = (engine: Engine) => (proc: string, args: string[], path: string): string[] => {
    const out: CompiledRule[] = [];
    const ev = native('openat', proc, path);
    (ev.proc as { args: string[] }).args = args;
    engine.match(ev, out);
    return out.map((r) => r.name);
  };
  const countsByName = (engine: Engine): Record<string, [number, number]> =>
    Object.fromEntries(engine.ruleCounts().map((x) => [x.rule.name, [x.evaluations, x.matches]]));

  it('skip a condition whose shared opening conjunct is already false, still counting its evaluation', () => {
    // proc.name in (…) is cheap and shared, so it opens both; proc.cmdline (costly) comes after.
    const e1 = ruleFrom('e1', 'evt.type = openat and proc.name in (a, b) and proc.cmdline contains one');
    const e2 = ruleFrom('e2', 'evt.type = openat and proc.name in (a, b) and proc.cmdline contains two');
    const e3 = ruleFrom('e3', 'evt.type = openat and fd.name startswith /etc');
    expect(generatedSource(dispatcherFor([e1, e2, e3], 'openat'))).toMatch(/F\.b[0-9]+ !== 1 && r[0-9]+\(ev\)/);
    const engine = new Engine([e1, e2, e3], { matching: 'all' });
    const names = openatMatches(engine);
    expect(names('c', ['one', 'two'], '/tmp/x')).toEqual([]);
    expect(names('c', ['one'], '/etc/x')).toEqual(['e3']);
    expect(names('a', ['two'], '/tmp/x')).toEqual(['e2']);
    expect(names('b', ['one', 'two'], '/etc/x')).toEqual(['e1', 'e2', 'e3']);
    expect(countsByName(engine)).toEqual({ e1: [4, 1], e2: [4, 2], e3: [4, 2] });
  });

  it('skip a condition whose negated shared conjunct is already true', () => {
    const g1 = ruleFrom('g1', 'evt.type = openat and proc.name in (a, b) and proc.cmdline contains one');
    const g2 = ruleFrom('g2', 'evt.type = openat and not proc.name in (a, b) and proc.cmdline contains two');
    const g3 = ruleFrom('g3', 'evt.type = openat and not proc.name in (a, b) and fd.name startswith /etc');
    expect(generatedSource(dispatcherFor([g1, g2, g3], 'openat'))).toMatch(/F\.b[0-9]+ !== 2 && r[0-9]+\(ev\)/);
    const engine = new Engine([g1, g2, g3], { matching: 'all' });
    const names = openatMatches(engine);
    expect(names('a', ['one', 'two'], '/etc/x')).toEqual(['g1']);
    expect(names('c', ['one', 'two'], '/etc/x')).toEqual(['g2', 'g3']);
    expect(names('b', ['two'], '/tmp/x')).toEqual([]);
    expect(names('c', ['one'], '/tmp/x')).toEqual([]);
    expect(countsByName(engine)).toEqual({ g1: [4, 1], g2: [4, 1], g3: [4, 1] });
  });

  it('generated dispatchers hold only fixed fragments and numbered names', () => {
    const fn = dispatcherFor([a, b, c, d], 'openat');
    expectOnlyFixedCode(generatedSource(fn), 'dispatcher');
  });
});
