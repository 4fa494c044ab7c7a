// The loader's public API: rules files (paths, directories, globs) or in-memory contents in, compiled
// rules and per-file load results out. Files are read in order into one collector (later files
// override earlier ones), then compiled once; every problem in every file is reported in one run.

import { readFile as readFileAsync, stat } from 'node:fs/promises';
import fg from 'fast-glob';
import { toString } from '../condition/ast.js';
import { ConfigError } from '../common/errors.js';
import { parsePriority, type Priority } from '../common/priority.js';
import type { FieldRegistry } from '../fields/registry.js';
import { syscallFields } from '../fields/syscall.js';
import { Collector } from './collector.js';
import { RuleCompiler, ruleLocation, type AppendOutput } from './compiler.js';
import { Diagnostics } from './diagnostics.js';
import type { ExEntry } from './infos.js';
import type { LoadedRules, RuleDetails, SkippedRule } from './loaded.js';
import { readFile } from './reader.js';
import { applySelection, parseRuleMatching, validateSelection, type SelectionEntry } from './selection.js';
import { BUILTIN_PLUGIN_VERSIONS, FALCO_ENGINE_VERSION, parseSemver, satisfies } from './versions.js';
import { newSrc, type Src } from './yaml.js';

export interface LoadOptions {
  /**
   * Field registries of the known sources (e.g. the CLI's allRegistries()). Rules of any other
   * source get LOAD_UNKNOWN_SOURCE and are skipped. Default: the syscall source only.
   */
  readonly sources?: readonly FieldRegistry[] | ((source: string) => FieldRegistry | undefined);
  /** Minimum priority (Falco `priority:`); less severe rules are not loaded at all. Default debug. */
  readonly priority?: Priority | string;
  /** Falco `rules:` enable/disable entries, applied in order after every file is loaded. */
  readonly selection?: readonly SelectionEntry[];
  /** Falco `append_output` entries. */
  readonly appendOutput?: readonly AppendOutput[];
  /** Falco `rule_matching` (first | all, case-insensitive), recorded for the engine. */
  readonly ruleMatching?: string;
  /** Plugin versions that count as loaded, name → x.y.z (default BUILTIN_PLUGIN_VERSIONS). */
  readonly pluginVersions?: Readonly<Record<string, string>>;
}

export interface FileLoadOptions extends LoadOptions {
  /** Files, directories (their *.yaml / *.yml, sorted) and globs, in load order. */
  readonly paths: readonly string[];
  /** Directory relative paths and globs are resolved against (default process.cwd()). */
  readonly cwd?: string;
}

export interface RulesContent {
  readonly name: string;
  readonly content: string;
}

let defaultRegistry: FieldRegistry | undefined;

function registryLookup(sources: LoadOptions['sources']): (source: string) => FieldRegistry | undefined {
  if (typeof sources === 'function') return sources;
  const list = sources ?? [(defaultRegistry ??= syscallFields())];
  return (source) => list.find((r) => r.source === source);
}

function thresholdOf(p: LoadOptions['priority']): Priority {
  if (p === undefined) return 7;
  if (typeof p === 'number') return p;
  const parsed = parsePriority(p);
  if (parsed === undefined) throw new ConfigError(`invalid priority '${p}': use emergency, alert, critical, error, warning, notice, informational (info) or debug`);
  return parsed;
}

const GLOB_CHARS = /[*?[\]{}]/;
const RULE_FILE = /\.ya?ml$/i;

/** Expands paths to files in load order; problems (nothing matched, unreadable) go to `diag`. */
export async function expandPaths(paths: readonly string[], cwd: string, diag: Diagnostics): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (GLOB_CHARS.test(p)) {
      const found = (await fg(p, { cwd, onlyFiles: true, dot: false })).filter((f) => RULE_FILE.test(f)).sort();
      if (found.length === 0) diag.plain(p, 'error', 'LOAD_ERR_FILE_READ', `No rules files (.yaml, .yml) match '${p}'`);
      out.push(...found);
      continue;
    }
    let isDir = false;
    try {
      isDir = (await stat(resolvePath(cwd, p))).isDirectory();
    } catch (err) {
      diag.plain(p, 'error', 'LOAD_ERR_FILE_READ', `Could not read rules file '${p}': ${readReason(err)}`);
      continue;
    }
    if (isDir) {
      const found = await fg('*', { cwd: resolvePath(cwd, p), onlyFiles: true });
      const files = found.filter((f) => RULE_FILE.test(f)).sort().map((f) => joinPath(p, f));
      out.push(...files);
    } else {
      out.push(p);
    }
  }
  return out;
}

function readReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}

function resolvePath(cwd: string, p: string): string {
  return p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`;
}

function joinPath(dir: string, f: string): string {
  return dir.endsWith('/') ? `${dir}${f}` : `${dir}/${f}`;
}

/** Loads rules files from disk. */
export async function loadRules(options: FileLoadOptions): Promise<LoadedRules> {
  const cwd = options.cwd ?? process.cwd();
  const diag = new Diagnostics();
  const files = await expandPaths(options.paths, cwd, diag);
  const contents: Array<RulesContent | undefined> = [];
  for (const f of files) {
    try {
      contents.push({ name: f, content: await readFileAsync(resolvePath(cwd, f), 'utf8') });
    } catch (err) {
      diag.plain(f, 'error', 'LOAD_ERR_FILE_READ', `Could not read rules file '${f}': ${readReason(err)}`);
      contents.push(undefined);
    }
  }
  return loadContents(contents.filter((c): c is RulesContent => c !== undefined), options, diag);
}

/** Loads rules from in-memory contents, in order (synchronous; for tests and embedding). */
export function loadRulesFromStrings(inputs: readonly RulesContent[], options: LoadOptions = {}): LoadedRules {
  return loadContents(inputs, options, new Diagnostics());
}

function loadContents(inputs: readonly RulesContent[], options: LoadOptions, diag: Diagnostics): LoadedRules {
  const priority = thresholdOf(options.priority);
  const ruleMatching = parseRuleMatching(options.ruleMatching);
  const selection = options.selection ?? [];
  validateSelection(selection);
  const registryFor = registryLookup(options.sources);

  const collector = new Collector(FALCO_ENGINE_VERSION);
  const srcs: Src[] = [];
  inputs.forEach((input, i) => {
    const src = newSrc(input.name, i, input.content);
    srcs.push(src);
    diag.result(input.name);
    readFile(src, collector, diag);
  });

  const out = new RuleCompiler(collector, { registryFor, priority, appendOutput: options.appendOutput ?? [] }, diag).run();
  checkPlugins(collector, options.pluginVersions ?? BUILTIN_PLUGIN_VERSIONS, diag);

  applySelection(out.rules, selection);
  const skipped: SkippedRule[] = out.skipped.map(({ info, reason }) => ({
    name: info.name, source: info.source, priority: info.priority, enabled: info.enabled, tags: [...info.tags].sort(), reason,
    location: ruleLocation(info.ctx),
  }));
  applySelection(skipped, selection);

  const details = new Map<string, RuleDetails>();
  for (const info of collector.rules.values()) {
    details.set(info.name, {
      name: info.name,
      source: info.source,
      priority: info.priority,
      desc: info.desc,
      enabled: info.enabled,
      tags: [...info.tags].sort(),
      condition: info.cond.text,
      exceptions: info.exceptions.map((ex) => ({
        name: ex.name,
        fields: ex.fields ? entryValue(ex.fields) as string | string[] : [],
        comps: ex.comps ? entryValue(ex.comps) as string | string[] : [],
        values: ex.values.map(entryValue),
      })),
      definedAt: ruleLocation(info.ctx),
      history: info.history.map(ruleLocation),
    });
  }

  const results = diag.all();
  const errorCount = results.reduce((n, r) => n + r.errors.length, 0);
  const warningCount = results.reduce((n, r) => n + r.warnings.length, 0);
  return {
    rules: out.rules,
    skipped,
    details,
    macros: out.macros.map((m) => {
      const ast = m.ast;
      let printed: string | undefined;
      return {
        name: m.info.name, condition: m.info.cond.text, used: m.used, location: ruleLocation(m.info.ctx),
        get expanded(): string | undefined {
          if (ast !== undefined) printed ??= toString(ast);
          return printed;
        },
      };
    }),
    lists: [...collector.lists.values()].map((l) => ({
      name: l.name, items: [...l.items], used: out.lists.get(l.name)?.used ?? false, location: ruleLocation(l.ctx),
    })),
    results,
    successful: errorCount === 0,
    errorCount,
    warningCount,
    ruleMatching,
    priority,
    files: inputs.map((i) => i.name),
    requiredEngineVersion: collector.engineRequirement?.version,
    requiredPlugins: collector.pluginRequirements.map((r) => ({ alternatives: r.alternatives, location: ruleLocation(r.ctx) })),
  };
}

function entryValue(e: ExEntry): unknown {
  return e.isList ? e.items.map(entryValue) : e.item;
}

/**
 * Falco checks required_plugin_versions after every file is loaded: each requirement needs one of its
 * alternatives loaded with the same major version and at least the required version.
 */
function checkPlugins(col: Collector, have: Readonly<Record<string, string>>, diag: Diagnostics): void {
  for (const req of col.pluginRequirements) {
    const ok = req.alternatives.some((alt) => {
      const loaded = have[alt.name];
      const a = loaded === undefined ? undefined : parseSemver(loaded);
      const want = parseSemver(alt.version);
      return a !== undefined && want !== undefined && satisfies(a, want);
    });
    if (ok) continue;
    const wanted = req.alternatives.map((a) => `${a.name} (>= ${a.version})`).join(', ');
    const builtin = Object.entries(have).map(([n, v]) => `${n} ${v}`).join(', ');
    diag.error('LOAD_ERR_VALIDATE',
      `Plugin requirement not satisfied, must load one of: ${wanted}. Peregrine has no plugins; its built-in sources stand in for: ${builtin || 'none'}.`,
      req.ctx);
  }
}
