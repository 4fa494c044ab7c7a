// The list of CLI commands, in the order --help shows them.
import type { Command } from '../command.js';
import { eventsCommand } from './events.js';
import { fieldsCommand } from './fields.js';

export const commands: readonly Command[] = [fieldsCommand, eventsCommand];
