// Copies generated JavaScript (the Peggy parser) next to the compiled TypeScript in dist/.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src', 'condition', 'generated', 'parser.js');
const to = join(root, 'dist', 'condition', 'generated', 'parser.js');
mkdirSync(dirname(to), { recursive: true });
copyFileSync(from, to);
