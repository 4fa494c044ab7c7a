// The detection engine: per-source rulesets, and `match(event)` returning the rules that fire as
// data (formatting happens later, only for matches). With `rule_matching: first` evaluation stops at
// the first matching rule; with `all` every candidate rule is evaluated, in rule order.
//
// The hot path allocates nothing when no rule matches: candidates come from a cached bucket, whose
// generated dispatcher (dispatch.ts) calls each candidate's predicate directly, and matches are
// pushed into a caller-owned array.

import type { Event } from '../event/types.js';
import type { CompiledRule } from '../rules/types.js';
import { SourceRuleset, type RuleMatching } from './ruleset.js';
import { newEvaluation } from '../condition/compile.js';
import { NO_TYPES, union, type TypeSet } from '../condition/evttypes.js';

export interface EngineStats {
  events: number;
  /** Events of a source with no ruleset. */
  unknownSource: number;
  matches: number;
  /** Predicate exceptions (never expected; counted, never thrown out of the pipeline). */
  errors: number;
}

/** Per-rule cost, collected only when profiling is on. */
export interface RuleProfile {
  readonly rule: CompiledRule;
  evaluations: number;
  matches: number;
  /** Total evaluation time in nanoseconds. */
  nanos: number;
}

export interface EngineOptions {
  readonly matching?: RuleMatching;
  /** Measure evaluations and time per rule (costs a clock read per evaluation). */
  readonly profile?: boolean;
}

type Test = (ev: Event) => boolean;

export class Engine {
  readonly matching: RuleMatching;
  readonly stats: EngineStats = { events: 0, unknownSource: 0, matches: 0, errors: 0 };
  private readonly rulesets = new Map<string, SourceRuleset>();
  private readonly profiles: Map<number, RuleProfile> | undefined;
  /** Evaluations and matches per rule id (always counted: one array increment per evaluation). */
  private readonly evals: Float64Array;
  private readonly hits: Float64Array;
  private lastError: unknown;

  constructor(rules: readonly CompiledRule[], options: EngineOptions = {}) {
    this.matching = options.matching ?? 'first';
    const bySource = new Map<string, CompiledRule[]>();
    for (const r of rules) {
      let list = bySource.get(r.source);
      if (list === undefined) bySource.set(r.source, (list = []));
      list.push(r);
    }
    for (const [source, list] of bySource) this.rulesets.set(source, new SourceRuleset(source, list));
    this.profiles = options.profile ? new Map(rules.map((r) => [r.id, { rule: r, evaluations: 0, matches: 0, nanos: 0 }])) : undefined;
    const size = rules.reduce((m, r) => Math.max(m, r.id + 1), 0);
    this.evals = new Float64Array(size);
    this.hits = new Float64Array(size);
  }

  /** Evaluations and matches of each rule so far. */
  ruleCounts(): { rule: CompiledRule; evaluations: number; matches: number }[] {
    return this.rules().map((rule) => ({ rule, evaluations: this.evals[rule.id] ?? 0, matches: this.hits[rule.id] ?? 0 }));
  }

  sources(): string[] {
    return [...this.rulesets.keys()];
  }

  rules(): CompiledRule[] {
    return [...this.rulesets.values()].flatMap((rs) => [...rs.all()]);
  }

  /** The event types some enabled rule of `source` can match (every type when one is unrestricted). */
  eventTypes(source: string): TypeSet {
    let types = NO_TYPES;
    for (const rule of this.rulesets.get(source)?.all() ?? []) if (rule.enabled) types = union(types, rule.eventTypes);
    return types;
  }

  /** The enabled rules an event would be evaluated against. */
  candidates(event: Event): readonly CompiledRule[] {
    return this.rulesets.get(event.source)?.candidates(event.type) ?? [];
  }

  /**
   * Evaluates `event` and appends the matching rules to `out` (cleared first). Returns the count.
   * Never throws: a failing predicate is counted in stats.errors and treated as no match.
   */
  match(event: Event, out: CompiledRule[]): number {
    if (out.length !== 0) out.length = 0; // (setting the length is a runtime call even when it is 0)
    newEvaluation();
    this.stats.events++;
    const rs = this.rulesets.get(event.source);
    if (rs === undefined) {
      this.stats.unknownSource++;
      return 0;
    }
    const bucket = rs.bucket(event.type);
    if (bucket.rules.length === 0) return 0;
    if (this.profiles !== undefined) return this.matchProfiled(event, bucket.rules, out);
    try {
      bucket.dispatch(event, out, this.matching === 'first', this.evals, this.hits);
    } catch (err) {
      this.stats.errors++;
      this.lastError = err;
    }
    this.stats.matches += out.length;
    return out.length;
  }

  private matchProfiled(event: Event, candidates: readonly CompiledRule[], out: CompiledRule[]): number {
    const first = this.matching === 'first';
    const profiles = this.profiles as Map<number, RuleProfile>;
    for (const rule of candidates) {
      const p = profiles.get(rule.id) as RuleProfile;
      const t0 = process.hrtime.bigint();
      let hit = false;
      try {
        hit = (rule.test as Test)(event);
      } catch (err) {
        this.stats.errors++;
        this.lastError = err;
      }
      p.nanos += Number(process.hrtime.bigint() - t0);
      p.evaluations++;
      this.evals[rule.id]!++;
      if (hit) {
        p.matches++;
        this.hits[rule.id]!++;
        out.push(rule);
        if (first) break;
      }
    }
    this.stats.matches += out.length;
    return out.length;
  }

  /** The most recent predicate exception, for logging. */
  takeLastError(): unknown {
    const e = this.lastError;
    this.lastError = undefined;
    return e;
  }

  /** Per-rule profile, most expensive first; undefined unless constructed with `profile: true`. */
  profile(): RuleProfile[] | undefined {
    if (this.profiles === undefined) return undefined;
    return [...this.profiles.values()].sort((a, b) => b.nanos - a.nanos || b.evaluations - a.evaluations);
  }

  /** Enables or disables rules; returns how many changed. */
  setEnabled(predicate: (rule: CompiledRule) => boolean, enabled: boolean): number {
    let changed = 0;
    for (const rs of this.rulesets.values()) {
      for (const r of rs.all()) {
        if (predicate(r) && r.enabled !== enabled) {
          r.enabled = enabled;
          changed++;
        }
      }
      rs.invalidate();
    }
    return changed;
  }
}
