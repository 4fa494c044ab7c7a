// `peregrine describe`: one rule as compiled — expanded condition, event types, exceptions, output.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeCommand } from '../../src/cli/commands/describe.js';
import { main } from '../../src/cli/main.js';
import { ensureBuilt, fakeContext, runCli } from '../helpers/cli.js';
import { describeShared, STABLE_RULES } from '../helpers/shared.js';

let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'peregrine-describe-'));
  writeFileSync(join(dir, 'rules.yaml'), `- list: shells
  items: [bash, sh]
- rule: Shell opened a file
  desc: a shell opened something
  condition: evt.type in (open, openat) and proc.name in (shells)
  output: "%proc.name opened %fd.name"
  priority: notice
  tags: [fs]
  exceptions:
    - name: trusted
      fields: [proc.pname, fd.name]
      values:
        - [sshd, /etc/motd]
- rule: Shell opened a file
  condition: and fd.num >= 0
  override:
    condition: append
`);
});

describeShared('describe an upstream rule (spawned)', () => {
  it('shows the expanded condition and event types', () => {
    const r = runCli(['describe', '-r', STABLE_RULES, 'Terminal shell in container']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Rule:        Terminal shell in container');
    expect(r.stdout).toContain('(evt.type in (execve, execveat) and container.id != host and proc.name in (ash, bash');
    expect(r.stdout).toContain('Event types: execve, execveat');
    expect(r.stdout).toContain(`Defined at:  ${STABLE_RULES}:`);
  });
});

describe('describe', () => {
  it('shows exceptions, the appended condition, history, output and fields', async () => {
    const ctx = fakeContext(dir);
    expect(await describeCommand.run(['-r', 'rules.yaml', 'Shell opened a file'], ctx)).toBe(0);
    const out = ctx.out();
    expect(out).toContain('Changed at:  rules.yaml:14:3');
    expect(out).toContain('  evt.type in (open, openat) and proc.name in (shells) and fd.num >= 0');
    expect(out).toContain('  - trusted: fields ["proc.pname","fd.name"], comps ["=","="]');
    expect(out).toContain('      ["sshd","/etc/motd"]');
    expect(out).toContain('  ((evt.type in (open, openat) and proc.name in (bash, sh) and fd.num >= 0) and not (proc.pname = sshd and fd.name = /etc/motd))');
    expect(out).toContain('Event types: open, openat');
    expect(out).toContain('Output fields: proc.name, fd.name');
  });

  it('--json', async () => {
    const ctx = fakeContext(dir);
    expect(await describeCommand.run(['--json', '-r', 'rules.yaml', 'Shell opened a file'], ctx)).toBe(0);
    const d = JSON.parse(ctx.out()) as Record<string, unknown>;
    expect(d).toMatchObject({ name: 'Shell opened a file', status: 'ok', priority: 'Notice', eventTypes: { except: false, names: ['open', 'openat'], count: 2 } });
    expect(d.exceptionFields).toEqual(['fd.name', 'proc.pname']);
  });

  it('a rule that did not compile: what it says, and why it did not compile (exit 1)', async () => {
    writeFileSync(join(dir, 'audit.yaml'), '- rule: Audit\n  desc: an audit rule\n  condition: ka.verb = get\n  output: x\n  priority: info\n  source: some_plugin\n');
    const ctx = fakeContext(dir);
    expect(await describeCommand.run(['-r', 'audit.yaml', 'Audit'], ctx)).toBe(1);
    expect(ctx.out()).toContain("Status:      not compiled (unknown source 'some_plugin')");
    expect(ctx.out()).toContain('  ka.verb = get');
    expect(ctx.out()).not.toContain('Expanded condition');
  });

  it('spawned: an unknown rule exits 1 with suggestions', () => {
    const r = runCli(['describe', '-r', 'rules.yaml', 'shell opened'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no rule named 'shell opened'; did you mean: 'Shell opened a file'?");
  });

  it('no rule name: usage error; --help', async () => {
    const ctx = fakeContext(dir);
    expect(await main(['describe', '-r', 'rules.yaml'], ctx)).toBe(2);
    const help = fakeContext(dir);
    expect(await main(['describe', '--help'], help)).toBe(0);
    expect(help.out()).toContain('Usage: peregrine describe -r PATH');
  });
});
