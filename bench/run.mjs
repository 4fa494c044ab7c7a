#!/usr/bin/env node
// `npm run bench`: builds, then runs every benchmark scenario in bench/ (or those named on the
// command line) one after another, each in its own Node process, and prints each scenario's final
// one-line summary at the end. Figures are ratios measured within one run; record them in
// bench/RESULTS.md together with the date, machine and method.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const NOT_SCENARIOS = new Set(['run.mjs', 'gen-trace.mjs']);
const wanted = process.argv.slice(2);

const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const scenarios = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !NOT_SCENARIOS.has(f) && !f.startsWith('_'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

const summaries = [];
let failed = 0;
for (const s of scenarios) {
  console.log(`\n=== ${s}`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, s)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  const lines = (r.stdout ?? '').trim().split('\n');
  summaries.push(`${s.padEnd(28)} ${r.status === 0 ? lines[lines.length - 1] : `FAILED (exit ${r.status})`}`);
  if (r.status !== 0) failed++;
}
console.log(`\n=== summary (${new Date().toISOString()}, node ${process.version})`);
for (const s of summaries) console.log(s);
process.exit(failed ? 1 : 0);
