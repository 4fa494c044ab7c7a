// Helpers for CLI tests: build dist/ once (test files run in parallel processes, so the build is
// guarded by a lock directory and skipped when dist/ is newer than every source), spawn the real
// CLI, and run a command in-process with a captured context.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../../src/cli/command.js';
import { ROOT } from './shared.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const LOCK = join(ROOT, '.tmp', 'cli-build.lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|peggy)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function upToDate(): boolean {
  if (!existsSync(MAIN)) return false;
  const built = statSync(MAIN).mtimeMs;
  return built >= Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'grammar')));
}

export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  for (let waited = 0; waited < 300_000; waited += 200) {
    if (upToDate()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      await new Promise((r) => setTimeout(r, 200)); // another test file is building
      continue;
    }
    try {
      if (!upToDate()) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
    } finally {
      rmdirSync(LOCK);
    }
    return;
  }
  throw new Error('timed out waiting for another test file to build dist/');
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli/main.js ARGS` in `cwd` (default the repository root). */
export function runCli(args: readonly string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A CommandContext whose output is captured. */
export function fakeContext(cwd = ROOT): CommandContext & { out(): string; err(): string } {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) => ({ write(chunk: string | Uint8Array): boolean { append(String(chunk)); return true; } }) as unknown as NodeJS.WritableStream;
  return {
    stdout: stream((s) => { out += s; }),
    stderr: stream((s) => { err += s; }),
    env: {},
    cwd,
    out: () => out,
    err: () => err,
  };
}
