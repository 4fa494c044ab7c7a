// Condition parser and compiler – fuzzing: 100,000 random and mutated conditions each give an AST or
// a located error; nothing crashes or hangs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseCondition } from '../../src/condition/parse.js';
import { compileCondition } from '../../src/condition/compile.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { ConditionCompileError, ConditionSyntaxError } from '../../src/common/errors.js';
import { eventFromFields } from '../../src/event/types.js';
import { HAS_SHARED, STABLE_RULES } from '../helpers/shared.js';
import { rng } from '../helpers/rng.js';


const SEEDS = [
  'evt.type in (open,openat,openat2) and evt.is_open_write=true and fd.typechar=\'f\' and fd.num>=0',
  'proc.aname[2]=qualys-cloud-ag or proc.aname[5] in (tfm-rake,tfm-ruby)',
  'fd.name contains \'/.ssh/\' and fd.name glob \'/home/*/.ssh/*\' and not fd.nameraw glob \'*../*../*\'',
  'not proc.pname exists or proc.pname in (runc:[0:PARENT], runc:[1:CHILD])',
  'proc.cmdline startswith "sh -c envdir \\"/run/etc/wal-e.d/env\\" wal-g wal-push"',
  'fd.ip != "0.0.0.0" and fd.net != "127.0.0.0/8" and not fd.snet in ("10.0.0.0/8")',
  '(evt.rawres >= 0 or evt.res = EINPROGRESS) and b64(toupper(proc.name)) bcontains cafe',
  'proc.name startswith oneof (sshd, sudo) and join("-", (fd.name, fd.directory)) = /tmp',
];

const ALPHABET = ' \t\n()[]"\'=,<>!.*?/\\abcdefghijklmnopqrstuvwxyz_0123456789ANDORNOTandornotinexists%$#\x00\x01é';
const TOKENS = ['and', 'or', 'not', '(', ')', 'proc.name', 'fd.name', '=', '!=', 'in', 'contains ', 'exists', '"x y"',
  "'q'", '(a, b)', 'val(', 'tolower(', ')', '[', ']', '1', '0x1f', 'glob ', 'pmatch', ',', 'macro', '  '];

function mutate(s: string, r: () => number): string {
  const n = 1 + Math.floor(r() * 4);
  let out = s;
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const c = ALPHABET[Math.floor(r() * ALPHABET.length)] ?? ' ';
    switch (Math.floor(r() * 5)) {
      case 0: out = out.slice(0, at) + c + out.slice(at); break;
      case 1: out = out.slice(0, at) + out.slice(at + 1); break;
      case 2: out = out.slice(0, at) + c + out.slice(at + 1); break;
      case 3: out = out.slice(0, at); break;
      default: out = out.slice(0, at) + out.slice(Math.floor(r() * out.length)); break;
    }
  }
  return out;
}

function tokenSoup(r: () => number): string {
  const n = Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += TOKENS[Math.floor(r() * TOKENS.length)] + (r() < 0.5 ? ' ' : '');
  return s;
}

function upstreamConditions(): string[] {
  if (!HAS_SHARED) return [];
  const items = parseYaml(readFileSync(STABLE_RULES, 'utf8')) as { condition?: string }[];
  return items.map((i) => i.condition).filter((c): c is string => typeof c === 'string');
}

describe('condition fuzzing', () => {
  it('100,000 random and mutated conditions → an AST or a located error, never a crash', () => {
    const r = rng(0x5eed);
    const registry = syscallFields({ hostname: 'fuzz' });
    const seeds = [...SEEDS, ...upstreamConditions()];
    const ev = eventFromFields({ 'proc.name': 'x', 'fd.name': '/tmp/x', 'evt.type': 'open' });
    let parsed = 0;
    let rejected = 0;
    let compiled = 0;
    for (let i = 0; i < 100_000; i++) {
      const input = i % 4 === 0 ? tokenSoup(r) : mutate(seeds[i % seeds.length] as string, r);
      let ast;
      try {
        ast = parseCondition(input);
        parsed++;
      } catch (e) {
        if (!(e instanceof ConditionSyntaxError)) throw new Error(`parser crashed on ${JSON.stringify(input)}: ${String(e)}`);
        expect(e.position.offset).toBeGreaterThanOrEqual(0);
        expect(e.position.offset).toBeLessThanOrEqual(input.length);
        expect(e.position.line).toBeGreaterThanOrEqual(1);
        rejected++;
        continue;
      }
      try {
        const { test } = compileCondition(ast, registry);
        (test as (e: unknown) => boolean)(ev);
        compiled++;
      } catch (e) {
        if (!(e instanceof ConditionCompileError)) throw new Error(`compiler crashed on ${JSON.stringify(input)}: ${String(e)}`);
      }
    }
    expect(parsed + rejected).toBe(100_000);
    expect(parsed).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
    expect(compiled).toBeGreaterThan(100);
  });
});
