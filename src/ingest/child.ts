// A child process as a source (an eBPF sensor, sysdig): its stdout is read as lines with the usual
// backpressure (a paused pipe stops the child when the consumer is slow). The last 64 KiB of its
// stderr are kept for the error raised when it exits non-zero or cannot be started. Breaking out of
// the loop, or aborting the signal, terminates the child (SIGTERM to that pid only).

import { spawn } from 'node:child_process';
import { SourceError } from './errors.js';
import { linesFromReadable } from './stream.js';
import type { EventSource, LineBatch, LineOptions } from './types.js';

export interface ChildSourceOptions extends LineOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Called with each stderr chunk as text (e.g. to forward warnings). */
  readonly onStderr?: (text: string) => void;
  /** Explains a non-zero exit from the stderr tail; defaults to quoting it. */
  readonly describeFailure?: (code: number | null, signal: NodeJS.Signals | null, stderr: string) => SourceError;
}

const STDERR_KEEP = 64 * 1024;

export function childProcessSource(command: string, args: readonly string[], options: ChildSourceOptions = {}): EventSource {
  const name = `process ${command}`;
  async function* run(): AsyncGenerator<LineBatch> {
    const child = spawn(command, [...args], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      options.onStderr?.(text);
      stderr = (stderr + text).slice(-STDERR_KEEP);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      for await (const batch of linesFromReadable(child.stdout, { ...options, gunzip: false })) yield batch;
      const end = await exited;
      finished = true;
      if (end.error !== undefined) {
        const code = (end.error as NodeJS.ErrnoException).code;
        throw new SourceError('SOURCE_CHILD_FAILED', code === 'ENOENT'
          ? `cannot run '${command}': not found on PATH`
          : `cannot run '${command}': ${end.error.message}`, { cause: end.error });
      }
      if (options.signal?.aborted) return;
      if (end.code !== 0) {
        throw options.describeFailure?.(end.code, end.signal, stderr)
          ?? new SourceError('SOURCE_CHILD_FAILED', `'${command}' exited with ${end.code === null ? `signal ${end.signal}` : `status ${end.code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (!finished && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
  }
  return { name, [Symbol.asyncIterator]: () => run() };
}
