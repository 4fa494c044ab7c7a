// Regenerates the Peggy parser before any test runs, so tests always exercise grammar/condition.peggy.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers/shared.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-parser.mjs')], { stdio: 'inherit' });
}
