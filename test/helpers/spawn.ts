// A long-running CLI process for live-mode tests: collects stdout and stderr as they arrive, waits
// for conditions, sends signals, and waits for the exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ROOT } from './shared.js';

export class LiveCli {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...args], {
      cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => { this.stdout += d; });
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  lines(): string[] {
    return this.stdout.split('\n').filter((l) => l !== '');
  }

  /** Log records (pino JSON lines on stderr). */
  logs(): Record<string, unknown>[] {
    return this.stderr.split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async until(cond: () => boolean, ms = 15_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstdout:\n${this.stdout.slice(-2000)}\nstderr:\n${this.stderr.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  endInput(): void {
    this.child.stdin?.end();
  }
}

/**
 * A list for the live CLIs a test file starts: each is killed (SIGKILL) and awaited after every
 * test, so a failed test leaves no process behind. Call at the top level of a test file.
 */
export function killedAfterEach(): LiveCli[] {
  const running: LiveCli[] = [];
  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.signal('SIGKILL');
      await p.exited;
    }
  });
  return running;
}
