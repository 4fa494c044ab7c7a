// The measured process of bench/instructions.mjs (run under valgrind's callgrind, `node --predictable`):
// one pipeline stage, cumulative, over every line of a trace, for a number of rounds. Prints one JSON
// line: records, candidate evaluations and matches of one round.
//   node bench/_instructions-workload.mjs DIST STAGE ROUNDS TRACE RULES_DIR
// Stages: parse (JSON.parse alone, the ceiling's work) · decode (native decoder, every record
// parsed) · state (+ state tracker) · stable (+ engine over falco_rules.yaml's enabled rules) ·
// rules (+ engine over stable + incubating + sandbox, enabled rules) · alerts (rules + each match
// formatted as a Falco JSON alert).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dist, stage, roundsArg, trace, rulesDir] = process.argv.slice(2);
const STAGES = ['parse', 'decode', 'state', 'stable', 'rules', 'alerts'];
const level = STAGES.indexOf(stage ?? '');
if (dist === undefined || level < 0 || trace === undefined) {
  console.error(`usage: _instructions-workload.mjs DIST ${STAGES.join('|')} ROUNDS TRACE RULES_DIR`);
  process.exit(2);
}
const rounds = Number(roundsArg);
const lines = readFileSync(trace, 'utf8').split('\n').filter((l) => l.length > 0);
const imp = (p) => import(join(dist, p));

let engine;
let formatter;
if (level >= 3) {
  const { loadRules } = await imp('rules/load.js');
  const { allRegistries } = await imp('cli/registries.js');
  const { Engine } = await imp('engine/engine.js');
  const files = level === 3 ? ['falco_rules.yaml'] : ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'];
  const loaded = await loadRules({ paths: files.map((f) => join(rulesDir ?? '', f)), sources: allRegistries() });
  if (!loaded.successful) throw new Error('the upstream rules failed to load');
  engine = new Engine(loaded.rules.filter((r) => r.enabled), { matching: 'all' });
  if (level >= 5) formatter = new (await imp('format/formatter.js')).AlertFormatter({});
}
const { createDecoder } = await imp('decode/index.js');
const { StateTracker } = await imp('state/tracker.js');
const { newSyscallEvent } = await imp('event/types.js');

// Counts are taken in the first round only: the driver subtracts a one-round run from a three-round
// run, so whatever the first round does beyond the stage itself (counting candidates, JIT warm-up)
// cancels out.
let records = 0;
let candidates = 0;
let matches = 0;
let sink = 0;
const out = [];
// One decoder and one state table across rounds, as in a long-running pipeline: replaying the trace
// again meets the same processes.
const decoder = createDecoder('native');
const tracker = new StateTracker();
const into = newSyscallEvent('');
for (let round = 0; round < rounds; round++) {
  const first = round === 0;
  if (level === 0) {
    for (const line of lines) sink += JSON.parse(line).num;
    if (first) records = lines.length;
    continue;
  }
  for (let i = 0; i < lines.length; i++) {
    if (first) records++;
    const ev = decoder.decode(lines[i], i + 1, into);
    if (ev === undefined || level < 2) continue;
    tracker.apply(ev);
    if (engine === undefined) continue;
    if (first) candidates += engine.candidates(ev).length;
    const n = engine.match(ev, out);
    if (first) matches += n;
    if (formatter !== undefined) for (let k = 0; k < n; k++) sink += formatter.format(out[k], ev).json().length;
  }
}
console.log(JSON.stringify({ records, candidates, matches, sink: sink > 0 }));
