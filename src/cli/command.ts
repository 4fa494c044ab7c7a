// The shape of a CLI command: a name, a one-line summary, its --help text, and a run function that
// returns the exit code. Commands never call process.exit; main.ts does.

export interface CommandContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /**
   * The command writes alerts to stdout through an output that handles a closed pipe itself (and
   * drains the other outputs before exiting); main must not exit on EPIPE for it.
   */
  readonly ownsStdout?: boolean;
  run(args: readonly string[], ctx: CommandContext): Promise<number>;
}
