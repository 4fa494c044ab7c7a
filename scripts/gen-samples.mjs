#!/usr/bin/env node
// Generates Peregrine's own sample event streams (native JSON lines) into samples/:
//   samples/rules/<rule>.jsonl   scenarios for the default rules' tests (rules/tests/*.yaml), one
//                                block per scenario, each replayable on its own from empty state;
//   samples/benign-*.jsonl       everyday host and Kubernetes-node activity no WARNING+ rule may fire on;
//   samples/demo-attack.jsonl    a short intrusion story for the README's replay example.
// Every event is made up here (no capture of a real system). Deterministic: re-running it rewrites
// the same files (a test checks that the committed samples are this script's output). `--index`
// prints each block's line range (what the rule tests reference); `--out DIR` writes elsewhere.
//
// Usage: node scripts/gen-samples.mjs [--index] [--out DIR]

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioFiles } from './samples/rule-scenarios.mjs';
import { benignFiles } from './samples/benign.mjs';
import { demoFile } from './samples/demo.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const outAt = process.argv.indexOf('--out');
const OUT = outAt > 0 && process.argv[outAt + 1] !== undefined ? process.argv[outAt + 1] : join(ROOT, 'samples');
const files = [...scenarioFiles(), ...benignFiles(), demoFile()];
for (const f of files) {
  const path = join(OUT, f.name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, f.text());
}
if (process.argv.includes('--index')) {
  for (const f of files) {
    console.log(`samples/${f.name} (${f.lines.length} lines)`);
    for (const b of f.blocks) console.log(`  ${b.first}-${b.last}  ${b.title}`);
  }
} else {
  console.log(`wrote ${files.length} files, ${files.reduce((n, f) => n + f.lines.length, 0)} events`);
}
