// End to end on the live kernel – `peregrine run --source ebpf` with the default rules: real actions
// (read /etc/shadow; create then remove a file below /etc; a program in a container-like cgroup
// spawning a shell and running a package manager; a ptrace attach; a process started before
// Peregrine reading /etc/shadow through a directory fd it opened before) each produce the expected
// alert with the right fields. Skips, loudly, only where the machine truly cannot load eBPF.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupMounts } from '../../src/ingest/ebpf-cgroups.js';
import { ebpfUnavailable } from '../helpers/ebpf.js';
import { ensureBuilt } from '../helpers/cli.js';
import { LiveCli } from '../helpers/spawn.js';

const why = ebpfUnavailable();
if (why !== undefined) console.warn(`\n*** eBPF end-to-end test SKIPPED — this machine cannot load the sensor: ${why} ***\n`);

type Alert = { rule: string; output_fields: Record<string, unknown> };

function run(cmd: string, args: string[], cwd?: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { cwd, stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', (code) => resolve(code));
  });
}

describe.skipIf(why !== undefined)('eBPF sensor + default rules – live kernel', () => {
  let peregrine: LiveCli;
  let dir = '';
  const cgroupDirs: string[] = [];
  const tok = randomBytes(4).toString('hex');
  const containerId = randomBytes(32).toString('hex');

  const alerts = (): Alert[] => peregrine.lines().flatMap((l) => {
    try {
      return [JSON.parse(l) as Alert];
    } catch {
      return [];
    }
  });
  const waitFor = async (rule: string, pred: (a: Alert) => boolean): Promise<Alert> => {
    let found: Alert | undefined;
    await peregrine.until(() => (found = alerts().find((a) => a.rule === rule && pred(a))) !== undefined, 30_000, `alert '${rule}'`);
    return found as Alert;
  };

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'pg-e2e-ebpf-'));
    // Older than Peregrine: known only through the /proc scan (its parent, its cmdline), with a
    // directory fd the sensor never saw opened.
    const old = spawn('python3', ['-c', [
      'import os, sys',
      'd = os.open("/etc", os.O_RDONLY | os.O_DIRECTORY)',
      'sys.stdin.readline()',
      'os.close(os.open("shadow", os.O_RDONLY, dir_fd=d))',
    ].join('\n')], { stdio: ['pipe', 'ignore', 'ignore'] });
    const oldDone = new Promise((res) => old.on('close', res));
    peregrine = new LiveCli(['run', '--source', 'ebpf', '-o', 'json_output=true', '-o', 'log_level=info']);
    await peregrine.until(() => peregrine.logs().some((l) => l['msg'] === 'eBPF sensor ready'), 120_000, 'the sensor to be ready');
    await peregrine.until(() => peregrine.logs().some((l) => l['msg'] === 'process table seeded from /proc'), 30_000, 'the /proc scan');
    old.stdin!.end('go\n');
    await oldDone;

    await run('cat', ['/etc/shadow']);
    await run('sh', ['-c', `touch /etc/peregrine-e2e-${tok} && rm /etc/peregrine-e2e-${tok}`]);

    // A "container": a docker-style cgroup with a 64-hex id. A program (python3) moves itself into
    // it, then starts a shell and a binary named like a package manager.
    const mounts = cgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'), 'memory');
    const root = mounts.v2 ?? mounts.v1;
    if (root === undefined) throw new Error('no cgroup file system found');
    const cg = join(root, 'docker', containerId);
    mkdirSync(cg, { recursive: true });
    cgroupDirs.push(cg, join(root, 'docker'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync('/bin/true', join(dir, 'bin', 'apt-get'));
    chmodSync(join(dir, 'bin', 'apt-get'), 0o755);
    await run('python3', ['-c', [
      'import os, subprocess',
      `open(${JSON.stringify(join(cg, 'cgroup.procs'))}, "w").write(str(os.getpid()))`,
      'subprocess.run(["sh", "-c", "true"])',
      `subprocess.run([${JSON.stringify(join(dir, 'bin', 'apt-get'))}, "install", "-y", "curl"])`,
    ].join('\n')]);

    // ptrace attach (python3 is not an exempt debugger): attach to a sleeping child, then detach.
    await run('python3', ['-c', [
      'import ctypes, subprocess, time, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'child = subprocess.Popen(["sleep", "30"])',
      'time.sleep(0.2)',
      'assert libc.ptrace(16, child.pid, None, None) == 0, ctypes.get_errno()',
      'os.waitpid(child.pid, 0)',
      'libc.ptrace(17, child.pid, None, None)',
      'child.kill()',
    ].join('\n')]);
  }, 240_000);

  afterAll(async () => {
    if (peregrine !== undefined) {
      peregrine.signal('SIGTERM');
      await peregrine.exited;
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    for (const d of cgroupDirs) {
      try {
        rmdirSync(d);
      } catch {
        // still in use or shared
      }
    }
  }, 180_000);

  it('reading /etc/shadow fires "Sensitive Account File Read" for cat on the host', async () => {
    const a = await waitFor('Sensitive Account File Read', (x) => x.output_fields['proc.name'] === 'cat');
    expect(a.output_fields['fd.name']).toBe('/etc/shadow');
    expect(a.output_fields['container.id']).toBe('host');
  });

  it('creating a file below /etc fires "File Written Below /etc" with the file and the process', async () => {
    const a = await waitFor('File Written Below /etc', (x) => x.output_fields['fd.name'] === `/etc/peregrine-e2e-${tok}`);
    expect(a.output_fields['proc.name']).toBe('touch');
    expect(a.output_fields['proc.pname']).toBe('sh');
  });

  it('a program in a container cgroup starting a shell fires "Shell Spawned in Container" with the container id', async () => {
    const a = await waitFor('Shell Spawned in Container', (x) => x.output_fields['container.id'] === containerId.slice(0, 12));
    expect(a.output_fields['proc.name']).toBe('sh');
    expect(a.output_fields['proc.pname']).toBe('python3');
  });

  it('a package manager in the container fires "Package Manager Run in Container"', async () => {
    const a = await waitFor('Package Manager Run in Container', (x) => x.output_fields['container.id'] === containerId.slice(0, 12));
    expect(a.output_fields['proc.name']).toBe('apt-get');
    expect(a.output_fields['proc.pname']).toBe('python3');
  });

  it('a process older than Peregrine has its parent and cmdline from /proc, and its dirfd-relative open is resolved', async () => {
    const a = await waitFor('Sensitive Account File Read', (x) => x.output_fields['proc.name'] === 'python3');
    expect(a.output_fields['fd.name']).toBe('/etc/shadow');
    expect(a.output_fields['proc.pname']).toBe(readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim());
    expect(String(a.output_fields['proc.cmdline'])).toContain('dir_fd=d');
  });

  it('a ptrace attach fires "Process Attached with Ptrace"', async () => {
    const a = await waitFor('Process Attached with Ptrace', (x) => x.output_fields['proc.name'] === 'python3');
    expect(a.output_fields['evt.arg.request']).toBe('PTRACE_ATTACH');
    expect(a.output_fields['container.id']).toBe('host');
  });
});
