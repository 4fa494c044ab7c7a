// A detection session: the parts `run` and `replay` share, wired together — rules loaded from the
// settings, the engine, the alert formatter, the outputs (opened), the detector — plus the summary,
// metrics and hot reload. Commands add their sources and decide when the session ends.

import type { Logger } from '../common/logger.js';
import { priorityName } from '../common/priority.js';
import { Engine } from '../engine/engine.js';
import { AlertFormatter } from '../format/formatter.js';
import type { MetricSample } from '../metrics/prometheus.js';
import { createOutputs } from '../output/create.js';
import type { AlertFanout } from '../output/fanout.js';
import { outputMetrics } from '../output/metrics.js';
import type { LoadedRules } from '../rules/loaded.js';
import { Detector } from './detector.js';
import { eventTypesFor, type SessionEventTypes } from './event-types.js';
import { loadRuntimeRules, referencedFields, RulesLoadError, type RuntimeSettings } from './runtime.js';

export interface SessionOptions {
  readonly settings: RuntimeSettings;
  readonly logger: Logger;
  /** 'block' for offline replay (nothing lost), undefined for each output's configured policy. */
  readonly policy?: 'block';
  readonly profile?: boolean;
  readonly stdout: NodeJS.WritableStream;
}

/** Engine counters of rules evaluated elsewhere (worker threads), merged into the summary and metrics. */
export interface RemoteEngineCounts {
  /** Predicate failures. */
  readonly errors: number;
  /** Evaluations and matches by rule id. */
  readonly rules: ReadonlyMap<number, { readonly evaluations: number; readonly matches: number }>;
}

/** Counters a source reports for the summary and metrics (bad lines, drops, …). */
export interface SourceReport {
  readonly name: string;
  readonly counters: Readonly<Record<string, number>>;
}

export class Session {
  readonly detector: Detector;
  readonly outputs: AlertFanout;
  /**
   * The event types the rules and the state tables use, for decoders that skip other records
   * unparsed; undefined when the config asks to decode every record (decode.skip_unused_types).
   */
  readonly eventTypes: SessionEventTypes | undefined;
  readonly startedAt = Date.now();
  private loadedRules: LoadedRules;
  private reloads = { ok: 0, failed: 0 };
  private readonly sourceReports = new Map<string, () => SourceReport>();
  private remote: (() => RemoteEngineCounts) | undefined;

  private constructor(readonly options: SessionOptions, loaded: LoadedRules, outputs: AlertFanout, formatter: AlertFormatter) {
    this.loadedRules = loaded;
    this.outputs = outputs;
    this.detector = new Detector(this.newEngine(loaded), formatter, outputs);
    this.eventTypes = eventTypesFor(options.settings.config, this.detector.currentEngine);
  }

  static async start(options: SessionOptions): Promise<Session> {
    const loaded = await loadRuntimeRules(options.settings);
    const formatter = new AlertFormatter(options.settings.format);
    const outputs = createOutputs(options.settings.outputs, {
      logger: options.logger,
      format: { hostname: options.settings.format.hostname, timeFormatIso8601: options.settings.format.timeFormatIso8601 },
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
      stdout: options.stdout,
    });
    await outputs.open();
    return new Session(options, loaded, outputs, formatter);
  }

  get rules(): LoadedRules {
    return this.loadedRules;
  }

  get engine(): Engine {
    return this.detector.currentEngine;
  }

  fields(): string[] {
    return referencedFields(this.loadedRules);
  }

  private newEngine(loaded: LoadedRules): Engine {
    return new Engine(loaded.rules, { matching: loaded.ruleMatching, profile: this.options.profile === true });
  }

  /** Registers a source's counters for the summary and /metrics. */
  addSource(name: string, report: () => SourceReport): void {
    this.sourceReports.set(name, report);
  }

  /** Adds the engine counters of evaluation done elsewhere (worker threads) to the summary and metrics. */
  addRemoteEngines(counts: () => RemoteEngineCounts): void {
    this.remote = counts;
  }

  /** Predicate failures, here and in worker threads. */
  private engineErrors(): number {
    return this.engine.stats.errors + (this.remote?.().errors ?? 0);
  }

  /**
   * Loads the rules again; swaps them in atomically only when they load without errors. On failure the
   * old rules keep running and the problem is logged and sent to the outputs as an internal alert.
   */
  async reload(reason: string): Promise<boolean> {
    const { logger } = this.options;
    try {
      const loaded = await loadRuntimeRules(this.options.settings);
      const engine = this.newEngine(loaded);
      this.detector.swapEngine(engine);
      this.eventTypes?.update(engine);
      this.loadedRules = loaded;
      this.reloads.ok++;
      logger.info({ reason, rules: loaded.rules.length }, 'rules reloaded');
      return true;
    } catch (err) {
      this.reloads.failed++;
      const report = err instanceof RulesLoadError ? err.report : err instanceof Error ? err.message : String(err);
      logger.error({ reason, problems: report }, 'rules reload failed: keeping the previous rules');
      this.outputs.emitInternal({
        what: 'rules reload failure',
        priority: 2,
        message: `rules reload failed (${reason}); the previous rules are still running`,
        fields: { reason, problems: report },
      });
      return false;
    }
  }

  /** Delivers every queued alert and closes the outputs. */
  async close(): Promise<void> {
    await this.outputs.close();
  }

  /** Events read so far: those evaluated, and native records skipped unparsed as of unused types. */
  eventsRead(): number {
    return this.detector.totalEvents() + unusedTypeSkippedIn([...this.sourceReports.values()].map((f) => f()));
  }

  summary(): Summary {
    const c = this.detector.counts;
    const sources: SourceReport[] = [...this.sourceReports.values()].map((f) => f());
    const unusedTypeSkipped = unusedTypeSkippedIn(sources);
    const bySource = this.detector.eventsBySource();
    if (unusedTypeSkipped > 0) bySource.set('syscall', (bySource.get('syscall') ?? 0) + unusedTypeSkipped);
    return {
      seconds: (Date.now() - this.startedAt) / 1000,
      events: this.detector.totalEvents() + unusedTypeSkipped,
      unusedTypeSkipped,
      eventsBySource: Object.fromEntries(bySource),
      alerts: c.alerts,
      byPriority: Object.fromEntries(c.byPriority.map((n, p) => [priorityName(p as 0), n]).filter(([, n]) => (n as number) > 0)),
      byRule: Object.fromEntries([...c.byRule.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
      sources,
      outputs: this.outputs.stats().map((s) => ({ name: s.name, sent: s.sent, failed: s.failed, dropped: s.dropped, discarded: s.discarded, filtered: s.filtered, suppressed: s.suppressed })),
      engineErrors: this.engineErrors(),
      reloads: { ...this.reloads },
    };
  }

  metrics(): MetricSample[] {
    const out: MetricSample[] = [];
    const c = this.detector.counts;
    for (const [source, n] of this.detector.eventsBySource()) {
      out.push({ name: 'peregrine_events_total', help: 'Events evaluated, by source.', type: 'counter', labels: { source }, value: n });
    }
    for (const [rule, n] of c.byRule) {
      const r = this.loadedRules.rules.find((x) => x.name === rule);
      out.push({ name: 'peregrine_alerts_total', help: 'Alerts, by rule and priority.', type: 'counter', labels: { rule, priority: r ? priorityName(r.priority) : '' }, value: n });
    }
    const remote = this.remote?.().rules;
    for (const { rule, evaluations: local, matches: localMatches } of this.engine.ruleCounts()) {
      const r = remote?.get(rule.id);
      const evaluations = local + (r?.evaluations ?? 0);
      const matches = localMatches + (r?.matches ?? 0);
      if (evaluations === 0) continue;
      out.push({ name: 'peregrine_rule_evaluations_total', help: 'Condition evaluations, by rule.', type: 'counter', labels: { rule: rule.name }, value: evaluations });
      out.push({ name: 'peregrine_rule_matches_total', help: 'Condition matches, by rule.', type: 'counter', labels: { rule: rule.name }, value: matches });
    }
    out.push({ name: 'peregrine_engine_errors_total', help: 'Predicate failures (counted, never thrown).', type: 'counter', value: this.engineErrors() });
    out.push({ name: 'peregrine_rules_loaded', help: 'Rules loaded (enabled and disabled).', type: 'gauge', value: this.loadedRules.rules.length });
    out.push({ name: 'peregrine_rules_reloads_total', help: 'Rule reloads, by result.', type: 'counter', labels: { result: 'ok' }, value: this.reloads.ok });
    out.push({ name: 'peregrine_rules_reloads_total', help: 'Rule reloads, by result.', type: 'counter', labels: { result: 'failed' }, value: this.reloads.failed });
    for (const report of this.sourceReports.values()) {
      const r = report();
      for (const [k, v] of Object.entries(r.counters)) {
        const key = k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9_]/g, '_');
        out.push({ name: `peregrine_source_${key}`, help: `Source counter: ${k.replace(/_/g, ' ')}.`, type: k.endsWith('_total') ? 'counter' : 'gauge', labels: { source: r.name }, value: v });
      }
    }
    out.push(...outputMetrics(this.outputs.stats()));
    return out;
  }
}

/** Records skipped unparsed as of event types nothing uses: events of the input all the same. */
function unusedTypeSkippedIn(sources: readonly SourceReport[]): number {
  return sources.reduce((n, src) => n + (src.counters['unused_type_skipped'] ?? 0), 0);
}

export interface Summary {
  readonly seconds: number;
  /** Events read, including those skipped unparsed (unusedTypeSkipped). */
  readonly events: number;
  /** Native records of event types no enabled rule and no state table uses, skipped unparsed. */
  readonly unusedTypeSkipped: number;
  readonly eventsBySource: Record<string, number>;
  readonly alerts: number;
  readonly byPriority: Record<string, number>;
  readonly byRule: Record<string, number>;
  readonly sources: readonly SourceReport[];
  readonly outputs: readonly { name: string; sent: number; failed: number; dropped: number; discarded: number; filtered: number; suppressed: number }[];
  readonly engineErrors: number;
  readonly reloads: { ok: number; failed: number };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** The human-readable summary printed at the end of a replay (and on stop of a run). */
export function renderSummary(s: Summary, title: string): string {
  const lines: string[] = [];
  const rate = s.seconds > 0 ? Math.round(s.events / s.seconds) : s.events;
  lines.push(`${title}: ${fmt(s.events)} events in ${s.seconds.toFixed(2)} s (${fmt(rate)} events/s), ${fmt(s.alerts)} alerts`);
  if (s.alerts > 0) {
    lines.push(`  by priority: ${Object.entries(s.byPriority).map(([p, n]) => `${p} ${fmt(n)}`).join(', ')}`);
    lines.push('  by rule:');
    for (const [rule, n] of Object.entries(s.byRule)) lines.push(`    ${fmt(n).padStart(8)}  ${rule}`);
  }
  for (const src of s.sources) {
    const interesting = Object.entries(src.counters).filter(([, v]) => v > 0);
    if (interesting.length > 0) lines.push(`  input ${src.name}: ${interesting.map(([k, v]) => `${k.replace(/_/g, ' ')} ${fmt(v)}`).join(', ')}`);
  }
  for (const o of s.outputs) {
    const extra = [o.dropped ? `dropped ${fmt(o.dropped)}` : '', o.failed ? `failed ${fmt(o.failed)}` : '', o.discarded ? `discarded ${fmt(o.discarded)}` : '',
      o.filtered ? `filtered ${fmt(o.filtered)}` : '', o.suppressed ? `suppressed ${fmt(o.suppressed)}` : ''].filter(Boolean).join(', ');
    lines.push(`  output ${o.name}: sent ${fmt(o.sent)}${extra ? `, ${extra}` : ''}`);
  }
  if (s.engineErrors > 0) lines.push(`  engine: ${fmt(s.engineErrors)} predicate errors (see log)`);
  return `${lines.join('\n')}\n`;
}
