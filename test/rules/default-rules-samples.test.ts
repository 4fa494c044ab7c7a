// Default rules on the project's samples – every benign sample replays through the decoder, the state
// tracker and the engine (rule_matching all) without any default rule at WARNING or above firing;
// the demo intrusion fires the rules its story names; the committed samples are exactly what
// scripts/gen-samples.mjs generates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allRegistries } from '../../src/cli/registries.js';
import { atLeast, parsePriority } from '../../src/common/priority.js';
import { createDecoder } from '../../src/decode/index.js';
import { Engine } from '../../src/engine/engine.js';
import { loadRules } from '../../src/rules/load.js';
import type { LoadedRules } from '../../src/rules/loaded.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { StateTracker } from '../../src/state/tracker.js';
import { ROOT } from '../helpers/shared.js';

const SAMPLES = join(ROOT, 'samples');
const WARNING = parsePriority('warning')!;

let loaded: LoadedRules;

beforeAll(async () => {
  loaded = await loadRules({ paths: [join(ROOT, 'rules')], sources: allRegistries() });
  expect(loaded.successful).toBe(true);
});

interface Fired { rule: CompiledRule; line: number }

function replay(file: string): { fired: Fired[]; events: number; bad: number } {
  const engine = new Engine(loaded.rules, { matching: 'all' });
  const decoder = createDecoder('auto');
  const tracker = new StateTracker();
  const fired: Fired[] = [];
  const out: CompiledRule[] = [];
  let events = 0;
  readFileSync(join(SAMPLES, file), 'utf8').split('\n').forEach((line, i) => {
    const ev = decoder.decode(line, i + 1);
    if (ev === undefined) return;
    events++;
    tracker.apply(ev);
    engine.match(ev, out);
    for (const rule of out) fired.push({ rule, line: i + 1 });
  });
  expect(engine.stats.errors).toBe(0);
  return { fired, events, bad: decoder.stats.bad };
}

const benign = readdirSync(SAMPLES).filter((f) => f.startsWith('benign-') && f.endsWith('.jsonl')).sort();

describe('benign samples', () => {
  it('are there: host administration, a Kubernetes node, a build host', () => {
    expect(benign).toEqual(['benign-dev-build.jsonl', 'benign-host-admin.jsonl', 'benign-k8s-node.jsonl']);
  });

  it.each(benign)('%s fires no default rule at WARNING or above', (file) => {
    const { fired, events, bad } = replay(file);
    expect(bad).toBe(0);
    expect(events).toBeGreaterThan(100);
    const serious = fired.filter((f) => atLeast(f.rule.priority, WARNING)).map((f) => `${file}:${f.line} ${f.rule.name}`);
    expect(serious).toEqual([]);
  });

  it.each(benign)('%s fires no default rule at all (not even NOTICE)', (file) => {
    expect(replay(file).fired.map((f) => `${file}:${f.line} ${f.rule.name}`)).toEqual([]);
  });
});

describe('the demo intrusion', () => {
  it('fires ten different default rules, most of them WARNING or above', () => {
    const { fired, bad } = replay('demo-attack.jsonl');
    expect(bad).toBe(0);
    const names = new Set(fired.map((f) => f.rule.name));
    expect([...names].sort()).toEqual([
      'Crypto Miner Executed', 'Drifted Binary Executed in Container', 'Kubernetes API Contacted from Container',
      'Kubernetes Service Account Token Read', 'Log or Shell History Cleared', 'Outbound Connection to Mining Pool Port',
      'Package Manager Run in Container', 'Program Executed from Temporary Directory', 'Reverse Shell Redirected to Network Socket',
      'Sensitive Account File Read', 'Shell Spawned in Container',
    ]);
    expect(fired.filter((f) => f.rule.priority <= 2).length).toBeGreaterThanOrEqual(5); // Critical
  });
});

describe('the committed samples', () => {
  it('are exactly what scripts/gen-samples.mjs generates', () => {
    const out = mkdtempSync(join(tmpdir(), 'peregrine-samples-'));
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-samples.mjs'), '--out', out], { stdio: 'pipe' });
    const generated = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: false })
      .map(String).filter((f) => f.endsWith('.jsonl')).sort();
    const files = generated(out);
    expect(files).toEqual(generated(SAMPLES));
    for (const f of files) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(SAMPLES, f), 'utf8'));
  });
});
