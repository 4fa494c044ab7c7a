// `peregrine validate`: every problem of every file, exit 0 when valid and 1 on errors, text or JSON.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { main } from '../../src/cli/main.js';
import { ensureBuilt, fakeContext, runCli } from '../helpers/cli.js';
import { describeShared, INCUBATING_RULES, SANDBOX_RULES, STABLE_RULES } from '../helpers/shared.js';

let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'peregrine-validate-'));
  writeFileSync(join(dir, 'bad.yaml'), `- macro: m
  condition: proc.name = x
- rule: r1
  desc: d
  condition: evt.type = open and proc.nam = x
  output: "%proc.name"
  priority: INFO
- rule: r2
  desc: d
  condition: evt.type = open
  output: x
  priority: loud
`);
  writeFileSync(join(dir, 'good.yaml'), '- macro: unused\n  condition: proc.name = x\n');
});

describeShared('validate on the upstream files (spawned)', () => {
  it('exits 0 and says every file is Ok', () => {
    const r = runCli(['validate', '-r', STABLE_RULES, '-r', INCUBATING_RULES, '-r', SANDBOX_RULES]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${STABLE_RULES}: Ok`);
    expect(r.stdout).toContain(`${SANDBOX_RULES}: Ok`);
    expect(r.stdout).toMatch(/^valid: \d+ rules, \d+ macros, \d+ lists; 0 errors, \d+ warnings$/m);
  });
});

describe('validate on bad files (spawned)', () => {
  it('exits 1, with file:line:col, item and caret for every error', () => {
    const r = runCli(['validate', '-r', 'bad.yaml', '-r', 'good.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("bad.yaml:5:34: error LOAD_ERR_COMPILE_CONDITION: filter_check called with nonexistent field proc.nam (did you mean 'proc.name'?)");
    expect(r.stdout).toContain("  in rule 'r1' (bad.yaml:3:3)");
    expect(r.stdout).toContain("bad.yaml:12:13: error LOAD_ERR_YAML_VALIDATE: Invalid priority 'loud'");
    // As in Falco, unused macros and lists are only reported once everything compiles.
    expect(r.stdout).not.toContain('LOAD_UNUSED_MACRO');
    expect(r.stdout).toContain('bad.yaml: Invalid (2 errors)');
    expect(r.stdout).toContain('good.yaml: Ok');
    expect(r.stdout).toMatch(/^INVALID: /m);
  });

  it('warnings are shown (exit 0); --quiet leaves them out', () => {
    const r = runCli(['validate', '-r', 'good.yaml'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('good.yaml:1:3: warning LOAD_UNUSED_MACRO: Macro not referred to by any other rule/macro');
    expect(r.stdout).toContain('good.yaml: Ok, with 1 warning');
    const q = runCli(['validate', '-q', '-r', 'good.yaml'], dir);
    expect(q.code).toBe(0);
    expect(q.stdout).not.toContain('LOAD_UNUSED_MACRO');
  });

  it('--json prints Falco\'s load-result shape', () => {
    const r = runCli(['validate', '--json', '-r', 'bad.yaml', '-r', 'good.yaml'], dir);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { falco_load_results: Array<{ name: string; successful: boolean; errors: Array<Record<string, unknown>>; warnings: unknown[] }> };
    expect(json.falco_load_results.map((x) => [x.name, x.successful, x.errors.length, x.warnings.length])).toEqual([['bad.yaml', false, 2, 0], ['good.yaml', true, 0, 0]]);
    expect(Object.keys(json.falco_load_results[0]?.errors[0] ?? {}).sort()).toEqual(['code', 'codedesc', 'context', 'message']);
  });

  it('a missing file is an error, not a crash', () => {
    const r = runCli(['validate', '-r', 'missing.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error LOAD_ERR_FILE_READ: Could not read rules file 'missing.yaml': no such file or directory");
  });
});

describe('validate usage', () => {
  it('without -r: usage error, exit 2', async () => {
    const ctx = fakeContext(dir);
    expect(await main(['validate'], ctx)).toBe(2);
    expect(ctx.err()).toContain('no rules files given: use -r PATH');
  });

  it('--help tells the options and exit codes', async () => {
    const ctx = fakeContext(dir);
    expect(await main(['validate', '--help'], ctx)).toBe(0);
    for (const s of ['-r, --rules PATH', '--json', '--quiet', 'Exit status']) expect(ctx.out()).toContain(s);
  });

  it('run() in-process gives the same result as the spawned CLI', async () => {
    const ctx = fakeContext(dir);
    expect(await validateCommand.run(['-r', 'bad.yaml'], ctx)).toBe(1);
    expect(ctx.out()).toContain('bad.yaml:5:34: error LOAD_ERR_COMPILE_CONDITION');
  });
});
