// The list of CLI commands, in the order --help shows them.
import type { Command } from '../command.js';
import { describeCommand } from './describe.js';
import { eventsCommand } from './events.js';
import { explainCommand } from './explain.js';
import { fieldsCommand } from './fields.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { listCommand } from './list.js';
import { testCommand } from './test.js';
import { validateCommand } from './validate.js';

export const commands: readonly Command[] = [
  runCommand, replayCommand, testCommand, explainCommand, validateCommand, listCommand, describeCommand, fieldsCommand, eventsCommand,
];
