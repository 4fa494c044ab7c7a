// Condition compiler – back ends: the generated predicate of every upstream rule agrees with the
// closure back end (the reference) on decoded events, including events with no source-given values
// (the derivation fast path), events with parts missing, and k8s audit events; per-event memoisation
// never leaks a value from one event, or from before newEvaluation(), into another.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCondition, newEvaluation } from '../../src/condition/compile.js';
import { generatedSource } from '../../src/condition/codegen.js';
import { parseCondition } from '../../src/condition/parse.js';
import { createDecoder } from '../../src/decode/index.js';
import { K8sAuditDecoder } from '../../src/decode/k8saudit.js';
import type { Event, Process, SyscallEvent } from '../../src/event/types.js';
import { newSyscallEvent } from '../../src/event/types.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { loadRules } from '../../src/rules/load.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { allRegistries, registryFor } from '../../src/cli/registries.js';
import { StateTracker } from '../../src/state/tracker.js';
import { traceLines } from '../../bench/gen-trace.mjs';
import { DATA, INCUBATING_RULES, K8S_AUDIT_RULES, SANDBOX_RULES, STABLE_RULES, describeShared } from '../helpers/shared.js';

type Pred = (ev: unknown) => boolean;

/** The same rule compiled by both back ends. */
interface Pair {
  readonly rule: CompiledRule;
  readonly code: Pred;
  readonly closures: Pred;
}

function pairs(rules: readonly CompiledRule[]): Pair[] {
  return rules.map((rule) => {
    const registry = registryFor(rule.source);
    if (registry === undefined) throw new Error(`no registry for ${rule.source}`);
    return {
      rule,
      code: rule.test as Pred,
      closures: compileCondition(rule.ast, registry, { backend: 'closures' }).test as Pred,
    };
  });
}

/** Evaluates every pair on `ev` (as the engine does: one evaluation per event); returns disagreements. */
function disagreements(ps: readonly Pair[], ev: Event, tag: string): string[] {
  newEvaluation();
  const out: string[] = [];
  for (const p of ps) {
    const a = p.code(ev);
    const b = p.closures(ev);
    if (a !== b) out.push(`${tag}: ${p.rule.name}: code ${a}, closures ${b}`);
  }
  return out;
}

/** Variants of a decoded event with parts missing or changed, to reach the unavailable-value paths. */
function variants(ev: SyscallEvent, i: number): SyscallEvent[] {
  const out: SyscallEvent[] = [{ ...ev, proc: undefined }, { ...ev, fd: undefined }];
  const p = ev.proc;
  if (p !== undefined) {
    const parent: Process = { ...p, name: i % 2 === 0 ? 'bash' : 'containerd', parent: undefined };
    out.push({ ...ev, proc: { ...p, name: ['sh', 'sshd', 'exe', 'runc'][i % 4], args: i % 3 === 0 ? undefined : ['-c', 'cat /etc/shadow'], parent } });
  }
  if (ev.fd !== undefined) {
    const names = ['/etc/shadow', '/root/.ssh/id_rsa', '/etc/pam.d/sshd', '/dev/null', '/bin/ls', undefined];
    out.push({ ...ev, fd: { ...ev.fd, name: names[i % names.length], type: (['file', 'directory', undefined, 'ipv4'] as const)[i % 4] } });
  }
  out.push({ ...ev, type: ['execve', 'openat', 'connect', 'unlinkat', 'ptrace', 'setuid', 'mount'][i % 7] as string });
  return out;
}

describeShared('generated predicates agree with the closure back end', () => {
  it('upstream syscall rules on a native trace (derived values) and its variants', async () => {
    const loaded = await loadRules({ paths: [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES], sources: allRegistries() });
    const ps = pairs(loaded.rules);
    for (const p of ps) expect(generatedSource(p.code), p.rule.name).toBeDefined();
    const decoder = createDecoder('native');
    const tracker = new StateTracker();
    const problems: string[] = [];
    let n = 0;
    let matched = 0;
    for (const line of traceLines({ events: 6000, seed: 3 })) {
      const ev = decoder.decode(line, ++n) as SyscallEvent | undefined;
      if (ev === undefined) continue;
      tracker.apply(ev);
      expect(ev.given).toBeUndefined();
      problems.push(...disagreements(ps, ev, `event ${n}`));
      for (const p of ps) if (p.code(ev)) matched++;
      for (const v of variants(ev, n)) problems.push(...disagreements(ps, v, `variant of event ${n}`));
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(matched).toBeGreaterThan(0);
  });

  it('upstream syscall rules on sysdig and Falco JSON samples (source-given values)', async () => {
    const loaded = await loadRules({ paths: [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES], sources: allRegistries() });
    const ps = pairs(loaded.rules);
    const dir = join(DATA, 'sysdig-json-from-scap');
    const problems: string[] = [];
    for (const file of readdirSync(dir)) {
      const decoder = createDecoder('auto');
      const tracker = new StateTracker();
      readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l !== '').forEach((line, i) => {
        const ev = decoder.decode(line, i + 1) as SyscallEvent | undefined;
        if (ev === undefined) return;
        tracker.apply(ev);
        problems.push(...disagreements(ps, ev, `${file}:${i + 1}`));
        for (const v of variants(ev, i)) problems.push(...disagreements(ps, v, `variant of ${file}:${i + 1}`));
      });
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('upstream k8s_audit rules on the audit samples', async () => {
    const loaded = await loadRules({ paths: [K8S_AUDIT_RULES], sources: allRegistries() });
    const ps = pairs(loaded.rules);
    expect(ps.length).toBeGreaterThan(40);
    const dir = join(DATA, 'falco-test-trace_files', 'k8s_audit');
    const problems: string[] = [];
    let matched = 0;
    for (const file of readdirSync(dir)) {
      for (const ev of new K8sAuditDecoder().decode(readFileSync(join(dir, file), 'utf8')).events) {
        problems.push(...disagreements(ps, ev, file));
        for (const p of ps) if (p.code(ev)) matched++;
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(matched).toBeGreaterThan(0);
  });
});

describe('per-event memoisation', () => {
  const registry = syscallFields({ hostname: 'memo' });
  // Both conditions share the costly check (proc.cmdline is remembered per event, and so is the
  // shared sub-expression once the second condition reuses it).
  const shared = '(proc.cmdline contains curl and fd.name startswith /etc)';
  const a = compileCondition(parseCondition(`${shared} and proc.name = sh`), registry).test as Pred;
  const b = compileCondition(parseCondition(`${shared} or proc.name = bash`), registry).test as Pred;
  const proc = (name: string, args: string[]): Process => ({ ...({} as Process), pid: 1, tid: 1, name, args, parent: undefined });
  const event = (name: string, args: string[], path: string): SyscallEvent => {
    const ev = newSyscallEvent('openat');
    ev.proc = proc(name, args);
    ev.fd = { num: 3, type: 'file', name: path } as SyscallEvent['fd'];
    return ev;
  };

  it('alternating events never see each other\'s remembered values', () => {
    const hit = event('sh', ['curl', 'x'], '/etc/passwd');
    const miss = event('sh', ['wget', 'x'], '/etc/passwd');
    for (let i = 0; i < 3; i++) {
      expect(a(hit)).toBe(true);
      expect(b(miss)).toBe(false);
      expect(a(miss)).toBe(false);
      expect(b(hit)).toBe(true);
    }
  });

  it('an event changed in place is re-evaluated after newEvaluation()', () => {
    const ev = event('sh', ['curl', 'x'], '/etc/passwd');
    newEvaluation();
    expect(a(ev)).toBe(true);
    (ev.proc as Process).args = ['wget'];
    newEvaluation();
    expect(a(ev)).toBe(false);
    expect(b(ev)).toBe(false);
    ev.fd = { ...(ev.fd as NonNullable<SyscallEvent['fd']>), name: '/tmp/x' };
    (ev.proc as Process).args = ['curl'];
    newEvaluation();
    expect(b(ev)).toBe(false);
    expect(a(ev)).toBe(false);
  });
});
