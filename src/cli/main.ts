#!/usr/bin/env node
// Peregrine's command-line entry point: the composition root. It dispatches to a command, maps
// errors to exit codes, and is the only place that calls process.exit.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Command, CommandContext } from './command.js';
import { commands } from './commands/index.js';
import { PeregrineError, UsageError } from '../common/errors.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Peregrine ${version()} — runtime behavioural detection with Falco's rule language

Usage: peregrine <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'peregrine <command> --help' for a command's options.
`;
}

export async function main(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    ctx.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    ctx.stdout.write(`${version()}\n`);
    return 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (command?.ownsStdout) stdoutOwned = true;
  if (command === undefined) {
    ctx.stderr.write(`peregrine: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    ctx.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) {
      ctx.stderr.write(`peregrine ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (err instanceof PeregrineError) {
      ctx.stderr.write(`peregrine ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** Set when the running command handles a closed stdout itself. */
let stdoutOwned = false;

const isEntry = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isEntry || process.argv[1]?.endsWith('/peregrine')) {
  // A closed stdout (`peregrine … | head`) is a normal way to stop reading: exit quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      if (stdoutOwned) return;
      process.exit(0);
    }
    throw err;
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() })
    .then(async (code) => {
      // Exit explicitly: outputs are closed by now, but a stuck resource (a FIFO nobody opened for
      // reading, a half-open socket) must not keep a finished command alive. First let stdout
      // drain — writes to a pipe may still be queued — waiting at most a few seconds.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 5000);
        t.unref();
        if (process.stdout.destroyed || !process.stdout.writable) return resolve();
        process.stdout.write('', () => {
          clearTimeout(t);
          resolve();
        });
      });
      process.exit(code);
    })
    .catch((err: unknown) => {
      process.stderr.write(`peregrine: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(70);
    });
}
