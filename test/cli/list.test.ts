// `peregrine list`: rules with priority, source, tags and enabled state, in evaluation order.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCommand } from '../../src/cli/commands/list.js';
import { main } from '../../src/cli/main.js';
import { ensureBuilt, fakeContext, runCli } from '../helpers/cli.js';
import { describeShared, STABLE_RULES } from '../helpers/shared.js';

let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'peregrine-list-'));
  writeFileSync(join(dir, 'rules.yaml'), `- rule: Second defined first
  desc: d
  condition: evt.type = open
  output: x
  priority: warning
  tags: [b, a]
- rule: Audit rule
  desc: d
  condition: ka.verb = get
  output: x
  priority: info
  source: k8s_audit_test
- rule: Off
  desc: d
  condition: evt.type = close
  output: x
  priority: debug
  enabled: false
`);
});

describeShared('list on the upstream rules (spawned)', () => {
  it('prints a table in evaluation order', () => {
    const r = runCli(['list', '-r', STABLE_RULES]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+PRIORITY\s+SOURCE\s+ENABLED\s+STATUS\s+TAGS$/);
    expect(r.stdout).toMatch(/^Terminal shell in container\s+Notice\s+syscall\s+yes\s+ok\s+T1059,container,maturity_stable,mitre_execution,shell$/m);
    expect(lines[lines.length - 1]).toMatch(/^\d+ rules compiled$/);
  });
});

describe('list', () => {
  it('--json: every rule, compiled or not, with its status', async () => {
    const ctx = fakeContext(dir);
    expect(await listCommand.run(['--json', '-r', 'rules.yaml'], ctx)).toBe(0);
    const rows = JSON.parse(ctx.out()) as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.name, r.priority, r.source, r.enabled, r.status, r.tags])).toEqual([
      ['Second defined first', 'Warning', 'syscall', true, 'ok', ['a', 'b']],
      ['Off', 'Debug', 'syscall', false, 'ok', []],
      ['Audit rule', 'Informational', 'k8s_audit_test', true, 'unknown source', []],
    ]);
    expect(rows[0]?.location).toBe('rules.yaml:1:3');
  });

  it('spawned, with errors: lists what loaded, errors on stderr, exit 1', () => {
    writeFileSync(join(dir, 'bad.yaml'), '- rule: Broken\n  desc: d\n');
    const r = runCli(['list', '-r', 'rules.yaml', '-r', 'bad.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad.yaml:1:3: error LOAD_ERR_YAML_VALIDATE: Item has no mapping for key 'condition'");
    expect(r.stdout).toContain('Second defined first');
  });

  it('--help', async () => {
    const ctx = fakeContext(dir);
    expect(await main(['list', '--help'], ctx)).toBe(0);
    expect(ctx.out()).toContain('Usage: peregrine list -r PATH');
  });
});
