// Runs rule-test cases (`peregrine test`): the composition of the loader, decoders, state tracker
// and engine for one case at a time. Each case replays its events from empty state through fresh
// decoders into its own engine and collects the alerts; a failing case is replayed once more to find,
// for each expected rule that did not fire, the event that came closest (src/ruletest/closest.ts).
// Rule sets are loaded once per distinct (files, priority, selection).

import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import fg from 'fast-glob';
import { formatLoadResults } from '../common/load-result.js';
import { priorityName } from '../common/priority.js';
import { createDecoder, detectFormat, type Format, type FormatOption } from '../decode/index.js';
import { K8sAuditDecoder } from '../decode/k8saudit.js';
import { Engine } from '../engine/engine.js';
import type { Event } from '../event/types.js';
import { editDistance, type FieldRegistry } from '../fields/registry.js';
import { loadRules } from '../rules/load.js';
import type { LoadedRules } from '../rules/loaded.js';
import type { CompiledRule } from '../rules/types.js';
import { ClosestEvent } from '../ruletest/closest.js';
import type { CoveredRule } from '../ruletest/coverage.js';
import { evaluateCase, type Alert, type CaseOutcome } from '../ruletest/outcome.js';
import { parseTestFile } from '../ruletest/parse.js';
import type { CaseResult, Diagnosis, FileResult } from '../ruletest/result.js';
import { isPositive, type EventLine, type TestCase } from '../ruletest/spec.js';
import { StateTracker } from '../state/tracker.js';
import { displayPath } from '../common/display-path.js';

export interface RuleTestOptions {
  readonly cwd: string;
  /** Rules for cases that name no `rules_files`. */
  readonly defaultRules: readonly string[];
  readonly sources: readonly FieldRegistry[];
  /** Run only cases whose name contains this text. */
  readonly filter?: string;
}

const TEST_FILE = /\.ya?ml$/i;
const GLOB_CHARS = /[*?[\]{}]/;

/** Test files from paths: files, directories (their *.yaml / *.yml, sorted) and globs. */
export async function expandTestPaths(paths: readonly string[], cwd: string): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    if (GLOB_CHARS.test(p)) {
      const found = (await fg(p, { cwd, onlyFiles: true })).filter((f) => TEST_FILE.test(f)).sort();
      if (found.length === 0) missing.push(p);
      files.push(...found);
      continue;
    }
    const abs = isAbsolute(p) ? p : join(cwd, p);
    try {
      if ((await stat(abs)).isDirectory()) {
        const found = (await fg('*', { cwd: abs, onlyFiles: true })).filter((f) => TEST_FILE.test(f)).sort();
        files.push(...found.map((f) => join(p, f)));
      } else {
        files.push(p);
      }
    } catch {
      missing.push(p);
    }
  }
  return { files, missing };
}

export class RuleTestRunner {
  private readonly sets = new Map<string, Promise<LoadedRules>>();

  constructor(private readonly options: RuleTestOptions) {}

  private display(p: string): string {
    return displayPath(p, this.options.cwd);
  }

  private abs(p: string): string {
    return isAbsolute(p) ? p : join(this.options.cwd, p);
  }

  /** Parses and runs one test file. */
  async runFile(path: string): Promise<FileResult> {
    let text: string;
    try {
      text = readFileSync(this.abs(path), 'utf8');
    } catch (err) {
      return { path, cases: [], problems: [`${path}: cannot read the test file: ${(err as Error).message}`] };
    }
    const parsed = parseTestFile(path, text, { cwd: this.options.cwd, readSample: (p) => readFileSync(p, 'utf8') });
    if (parsed.file === undefined) {
      const problems = parsed.problems.map((p) => {
        const head = `${p.where.file}:${p.where.line}:${p.where.column}: ${p.message}`;
        return p.snippet === undefined ? head : `${head}\n${p.snippet.split('\n').map((l) => `    | ${l}`).join('\n')}`;
      });
      return { path, cases: [], problems };
    }
    const filter = this.options.filter;
    const cases: CaseResult[] = [];
    for (const c of parsed.file.cases) {
      if (filter !== undefined && !c.name.includes(filter)) continue;
      cases.push(await this.runCase(c));
    }
    return { path, cases, problems: [] };
  }

  private rulesFor(c: TestCase): Promise<LoadedRules> {
    const paths = c.rulesFiles ?? this.options.defaultRules;
    const key = JSON.stringify([paths, c.config.priority ?? null, c.config.selection]);
    let set = this.sets.get(key);
    if (set === undefined) {
      set = loadRules({
        paths, cwd: this.options.cwd, sources: this.options.sources, priority: c.config.priority, selection: c.config.selection,
      });
      this.sets.set(key, set);
    }
    return set;
  }

  private registry(source: string): FieldRegistry | undefined {
    return this.options.sources.find((r) => r.source === source);
  }

  async runCase(c: TestCase): Promise<CaseResult> {
    const t0 = performance.now();
    const loaded = await this.rulesFor(c);
    const done = (r: Omit<CaseResult, 'testCase' | 'ms'>): CaseResult => ({ testCase: c, ms: performance.now() - t0, ...r });
    if (!loaded.successful) {
      const text = formatLoadResults(loaded.results, { warnings: false });
      return done({ passed: false, errors: [`the rules files did not load:\n${text}`], outcome: undefined, diagnoses: [], events: 0, alerts: 0 });
    }
    const byName = new Map(loaded.rules.map((r) => [r.name, r]));
    const unknown = c.expect.filter((e) => !byName.has(e.rule)).map((e) => this.unknownRule(c, e.rule, loaded, `${e.where.file}:${e.where.line}:${e.where.column}`));
    if (unknown.length > 0) return done({ passed: false, errors: unknown, outcome: undefined, diagnoses: [], events: 0, alerts: 0 });

    const engine = new Engine(loaded.rules, { matching: c.config.ruleMatching });
    const errors: string[] = [];
    const alerts: Alert[] = [];
    const out: CompiledRule[] = [];
    const events = this.replay(c, errors, (ev, line) => {
      engine.match(ev, out);
      for (const r of out) alerts.push(alertOf(r, ev, line));
    });
    if (engine.stats.errors > 0) errors.push(`${engine.stats.errors} rule evaluation(s) failed: ${String(engine.takeLastError())}`);
    if (events === 0) errors.push('no events: the decoder produced none from the case\'s records');
    const outcome = evaluateCase(c, alerts);
    const passed = outcome.passed && errors.length === 0;
    const diagnoses = outcome.passed ? [] : this.diagnose(c, byName, outcome);
    return done({ passed, errors, outcome, diagnoses, events, alerts: alerts.length });
  }

  private unknownRule(c: TestCase, name: string, loaded: LoadedRules, at: string): string {
    const skipped = loaded.skipped.find((s) => s.name === name);
    if (skipped !== undefined) {
      const why = skipped.reason === 'unknown-source' ? `its source '${skipped.source}' is unknown` : skipped.reason === 'unknown-filter' ? 'skip-if-unknown-filter dropped it' : 'it did not compile';
      return `${at}: rule '${name}' is defined but not loaded: ${why}`;
    }
    if (loaded.details.has(name)) return `${at}: rule '${name}' is below the priority threshold (config priority: ${priorityName(loaded.priority)})`;
    const names = loaded.rules.map((r) => r.name);
    const lower = name.toLowerCase();
    const near = names.filter((n) => n.toLowerCase().includes(lower) || editDistance(lower, n.toLowerCase(), 6) < 6).slice(0, 3);
    const files = (c.rulesFiles ?? this.options.defaultRules).map((f) => this.display(f)).join(', ');
    return `${at}: no rule named '${name}' in ${files}${near.length > 0 ? `; did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : ''}`;
  }

  /** Replays a case's records in order, from empty state; bad records go to `errors`. Returns the event count. */
  private replay(c: TestCase, errors: string[], onEvent: (ev: Event, line: EventLine) => void): number {
    let n = 0;
    if (c.format === 'k8s_audit') {
      for (const entry of c.events) {
        let at = '';
        const dec = new K8sAuditDecoder({ onProblem: (_kind, message) => errors.push(`${at}: ${message}`) });
        for (const line of entry.lines) {
          at = `${line.source}:${line.line}`;
          for (const ev of dec.decode(line.text).events) {
            n++;
            onEvent(ev, line);
          }
        }
      }
      return n;
    }
    const tracker = new StateTracker();
    let detected: Format | undefined;
    for (const entry of c.events) {
      // With format auto, an entry whose first record does not identify a format (e.g. an inline
      // event missing a member) is read in the format found so far, so its errors say what is wrong.
      const first = entry.lines[0]?.text;
      const format: FormatOption = c.format !== 'auto' ? c.format : (first === undefined ? undefined : detectFormat(first)) ?? detected ?? 'auto';
      const dec = createDecoder(format, { log: (m) => errors.push(m), logBurst: 1000, sourceName: entry.lines[0]?.source });
      for (const line of entry.lines) {
        const ev = dec.decode(line.text, line.line);
        if (ev === undefined) continue;
        tracker.apply(ev);
        n++;
        onEvent(ev, line);
      }
      detected ??= dec.detected;
    }
    return n;
  }

  /** For each expected rule that fired too rarely: why it could not fire, or its closest event. */
  private diagnose(c: TestCase, byName: ReadonlyMap<string, CompiledRule>, outcome: CaseOutcome): Diagnosis[] {
    const out: Diagnosis[] = [];
    const trackers: ClosestEvent[] = [];
    for (const k of outcome.checks) {
      const e = k.expectation;
      if (e === undefined || k.ok || !isPositive(e) || k.fired >= (e.count ?? e.atLeast ?? 1)) continue;
      const rule = byName.get(k.rule);
      const registry = rule === undefined ? undefined : this.registry(rule.source);
      if (rule === undefined || registry === undefined) continue;
      if (!rule.enabled) {
        out.push({ rule: rule.name, note: 'the rule is disabled (enabled: false, or disabled by the config\'s rules: selection)', candidates: 0, nearMiss: undefined });
        continue;
      }
      trackers.push(new ClosestEvent(rule, registry));
    }
    if (trackers.length > 0) {
      this.replay(c, [], (ev, line) => {
        for (const t of trackers) t.consider(ev, line.source, line.line);
      });
      for (const t of trackers) out.push({ rule: t.rule.name, note: undefined, candidates: t.candidates, nearMiss: t.result() });
    }
    return out;
  }

  /** Every compiled rule of the rule sets loaded so far (for coverage), once per name. */
  async loadedRules(): Promise<CoveredRule[]> {
    const seen = new Map<string, CoveredRule>();
    for (const set of this.sets.values()) {
      const loaded = await set;
      for (const r of loaded.rules) {
        if (seen.has(r.name)) continue;
        seen.set(r.name, { name: r.name, location: `${this.display(r.location.file)}:${r.location.line}`, enabled: r.enabled });
      }
    }
    return [...seen.values()];
  }
}

function alertOf(r: CompiledRule, ev: Event, line: EventLine): Alert {
  let fields: Record<string, unknown> = {};
  let output = '';
  try {
    fields = r.output.fields(ev);
    output = r.output.render(ev);
  } catch (err) {
    output = `(output failed: ${(err as Error).message})`;
  }
  return { rule: r.name, priority: r.priority, source: line.source, line: line.line, eventType: ev.type, fields, output };
}
