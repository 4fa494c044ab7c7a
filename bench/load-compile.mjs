// Benchmark: load + compile of the three upstream syscall rule files (stable, incubating, sandbox):
// read, YAML, collect, list substitution, parse, macro expansion, compile to predicates, outputs.
// Runs on the built dist/ (npm run build first). Reports the first (cold) run, then the median and
// minimum of N warm runs; the last line is a one-line summary. Target: median < 300 ms.
//
// Usage: node bench/load-compile.mjs [N]      (default N = 20)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'rules', 'load.js');
if (!existsSync(dist)) {
  console.error('bench/load-compile: dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const compat = join(root, '..', 'shared', 'compat', 'falco-rules');
const paths = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) => join(compat, f));
if (!paths.every(existsSync)) {
  console.error(`bench/load-compile: upstream rule files not found under ${compat}`);
  process.exit(2);
}

const n = Math.max(1, Number(process.argv[2] ?? 20));
const t0 = performance.now();
const { loadRules } = await import(dist);
const importMs = performance.now() - t0;

const times = [];
let last;
for (let i = 0; i <= n; i++) {
  const start = performance.now();
  last = await loadRules({ paths });
  times.push(performance.now() - start);
  if (!last.successful) {
    console.error(`bench/load-compile: the upstream files did not load: ${last.errorCount} errors`);
    process.exit(1);
  }
}
const cold = times[0];
const warm = times.slice(1).sort((a, b) => a - b);
const median = warm[Math.floor(warm.length / 2)];
const f = (x) => x.toFixed(1);
console.log(`module import: ${f(importMs)} ms; first (cold) load: ${f(cold)} ms`);
console.log(`warm runs (N=${n}): median ${f(median)} ms, min ${f(warm[0])} ms, max ${f(warm[warm.length - 1])} ms`);
console.log(`load-compile: ${paths.length} files, ${last.rules.length} rules, ${last.macros.length} macros, ${last.lists.length} lists: median ${f(median)} ms (cold ${f(cold)} ms, N=${n}); target < 300 ms: ${median < 300 ? 'met' : 'NOT met'}`);
