// `peregrine run`: live detection. Reads one or more event sources until SIGTERM/SIGINT (or until
// every source ends), sends alerts to every configured output, logs a periodic stats line, serves
// /healthz and /metrics when enabled, reloads rules on SIGHUP or when a rules file changes (keeping
// the old rules when the new ones do not load), and reopens file outputs on SIGUSR1.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../../common/errors.js';
import { parseDuration } from '../../config/schema.js';
import { FORMATS, type FormatOption } from '../../decode/types.js';
import { startMetricsServer, type MetricsServer } from '../../metrics/server.js';
import { createLogger } from '../logger.js';
import { describeSource, driveSource, sourcesFromConfig, type LiveSourceSpec } from '../live-sources.js';
import { RULES_OPTION_HELP } from '../rules-input.js';
import { watchRules } from '../rules-watch.js';
import { loadSettings, RulesLoadError, SETTINGS_OPTIONS, settingsArgs } from '../runtime.js';
import { renderSummary, Session } from '../session.js';

const SOURCE_TYPES = ['file', 'stdin', 'nats', 'command', 'ebpf'] as const;

export const runCommand: Command = {
  name: 'run',
  summary: 'Detect live: read event sources until stopped, alerts to every configured output',
  ownsStdout: true,
  usage: `Usage: peregrine run [options]

Reads events from the configured sources (the 'sources:' list of peregrine.yaml, or the flags
below) and sends alerts to every configured output (stdout, files, NATS) at once, each with its own
queue so a slow or dead output never stalls detection or the others. Runs until SIGTERM or SIGINT
(then drains every output) or until every source has ended.

Signals: SIGHUP reloads the rules (kept unchanged if the new ones have errors); SIGUSR1 reopens
file outputs (log rotation). With watch_config_files (default true) a changed rules file reloads too.

Sources (flags replace the config's sources; several may be combined):
  --source TYPE             file | stdin | nats | command | ebpf (the bundled bpftrace sensor: needs
                            root, bpftrace, tracefs and kernel BTF; each missing piece is named)
  -i, --input PATH          read PATH (same as --source file)
  --follow                  keep reading PATH as it grows, across rotation (like tail -F)
  --format FORMAT           input format: auto (default), ${FORMATS.join(', ')}
  --nats-url URL            NATS server(s) for --source nats (comma separated)
  --nats-subject SUBJECT    subject to subscribe to
  --nats-queue GROUP        queue group, so several workers share one stream
  --command 'CMD ARGS'      a sensor to run for --source command; its stdout is the event stream
  --k8s-audit-webhook PORT  receive Kubernetes audit events on [HOST:]PORT (kube-apiserver webhook)
  --k8s-audit-path PATH     webhook URL path (default /k8s-audit)
  --k8s-audit-tls-cert FILE, --k8s-audit-tls-key FILE
                            serve the webhook over HTTPS
  --k8s-audit-tls-ca FILE   require client certificates signed by this CA
  --k8s-audit-log FILE      read a kube-apiserver audit log (JSON lines; with --follow, keep reading)

Rules and configuration:
${RULES_OPTION_HELP}
                    (default: rules_files from the config, else Peregrine's bundled rules)
  -c, --config FILE         peregrine.yaml (default: ./peregrine.yaml, then /etc/peregrine/peregrine.yaml)
  -o, --option KEY=VALUE    override a config key, Falco style (repeatable)
  --json                    alerts as Falco JSON (same as -o json_output=true)
  -h, --help                show this help

Exit status: 0 after a clean stop, 1 when rules failed to load or a source failed, 2 on bad usage.`,
  async run(args, ctx) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        ...SETTINGS_OPTIONS,
        source: { type: 'string', multiple: true },
        input: { type: 'string', short: 'i', multiple: true },
        follow: { type: 'boolean', default: false },
        format: { type: 'string', default: 'auto' },
        'nats-url': { type: 'string' },
        'nats-subject': { type: 'string' },
        'nats-queue': { type: 'string' },
        command: { type: 'string' },
        'k8s-audit-webhook': { type: 'string' },
        'k8s-audit-path': { type: 'string' },
        'k8s-audit-tls-cert': { type: 'string' },
        'k8s-audit-tls-key': { type: 'string' },
        'k8s-audit-tls-ca': { type: 'string' },
        'k8s-audit-log': { type: 'string', multiple: true },
      },
      allowPositionals: false,
    });
    const format = values.format as FormatOption;
    if (format !== 'auto' && !FORMATS.includes(format as never)) throw new UsageError(`unknown format '${values.format}'`);
    const settings = loadSettings(settingsArgs(values, ctx));
    const specs = sourcesFromFlags(values, format) ?? sourcesFromConfig((settings.config['sources'] as Record<string, unknown>[] | undefined) ?? []);
    if (specs.length === 0) throw new UsageError('no event source: give --source/--input/--k8s-audit-* flags, or a sources: list in the config');

    const logger = createLogger(String(settings.config['log_level'] ?? 'info'));
    let session: Session;
    try {
      session = await Session.start({ settings, logger, stdout: ctx.stdout });
    } catch (err) {
      if (err instanceof RulesLoadError) {
        ctx.stderr.write(`${err.report}\nperegrine run: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    logger.info({ rules: session.rules.rules.length, sources: specs.map(describeSource), outputs: session.outputs.names }, 'peregrine running');

    const abort = new AbortController();
    const ready = new Set<string>();
    let stopping = false;
    const shutdown = (why: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason: why }, 'stopping: draining outputs');
      abort.abort();
    };
    const onTerm = (): void => shutdown('SIGTERM');
    const onInt = (): void => shutdown('SIGINT');
    const onHup = (): void => void session.reload('SIGHUP');
    const onUsr1 = (): void => {
      session.outputs.reopen().then(() => logger.info({}, 'outputs reopened (SIGUSR1)'), (err: unknown) => logger.error({ err: String(err) }, 'reopening outputs failed'));
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGHUP', onHup);
    process.on('SIGUSR1', onUsr1);
    session.outputs.onStop((name, reason) => {
      logger.warn({ output: name, reason }, 'output stopped');
      if (session.outputs.live === 0) shutdown(`every output stopped (${name}: ${reason})`);
    });
    const unwatch = settings.config['watch_config_files'] === false ? () => undefined
      : watchRules(settings.rulesPaths, settings.cwd, (what) => void session.reload(`rules changed: ${what}`));

    let server: MetricsServer | undefined;
    const web = settings.config['webserver'] as { enabled: boolean; listen_address: string; listen_port: number; prometheus_metrics_enabled: boolean };
    if (web.enabled) {
      server = await startMetricsServer({
        host: web.listen_address, port: web.listen_port, metrics: web.prometheus_metrics_enabled,
        collect: () => session.metrics(),
        health: () => {
          if (stopping) return { ok: false, detail: 'stopping' };
          if (session.outputs.live === 0) return { ok: false, detail: 'no output can deliver' };
          if (ready.size < specs.length) return { ok: false, detail: `sources starting: ${ready.size}/${specs.length} ready` };
          return { ok: true };
        },
      });
      logger.info({ port: server.port }, 'serving /healthz and /metrics');
    }
    const metricsCfg = settings.config['metrics'] as { enabled: boolean; interval: string | number };
    const statsTimer = metricsCfg.enabled ? setInterval(() => logStats(session, logger), parseDuration(metricsCfg.interval) ?? 60_000) : undefined;
    statsTimer?.unref();

    const state = settings.config['state'] as { max_processes: number; max_fds_per_process: number };
    const decode = settings.config['decode'] as { keep_enter_events: boolean; max_line_bytes: number };
    let failed = 0;
    await Promise.all(specs.map(async (spec) => {
      try {
        await driveSource(spec, {
          session, logger, signal: abort.signal,
          state: { maxProcesses: state.max_processes, maxFdsPerProcess: state.max_fds_per_process },
          decode: { keepEnter: decode.keep_enter_events, maxLineBytes: decode.max_line_bytes },
          onReady: (n) => ready.add(n),
        });
        if (!abort.signal.aborted) logger.info({ source: describeSource(spec) }, 'source ended');
      } catch (err) {
        if (abort.signal.aborted) return;
        failed++;
        logger.error({ source: describeSource(spec), err: err instanceof Error ? err.message : String(err) }, 'source failed');
      }
    }));

    stopping = true;
    if (statsTimer !== undefined) clearInterval(statsTimer);
    unwatch();
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
    process.off('SIGUSR1', onUsr1);
    await session.close();
    await server?.close();
    const summary = session.summary();
    logger.info({ events: summary.events, alerts: summary.alerts, byRule: summary.byRule, outputs: summary.outputs }, 'stopped');
    if ((ctx.stderr as NodeJS.WriteStream).isTTY) ctx.stderr.write(renderSummary(summary, "run"));
    if ('flush' in logger) (logger as { flush(): void }).flush();
    return failed > 0 ? 1 : 0;
  },
};

type Flags = {
  source?: string[]; input?: string[]; follow: boolean; 'nats-url'?: string; 'nats-subject'?: string; 'nats-queue'?: string;
  command?: string; 'k8s-audit-webhook'?: string; 'k8s-audit-path'?: string; 'k8s-audit-tls-cert'?: string;
  'k8s-audit-tls-key'?: string; 'k8s-audit-tls-ca'?: string; 'k8s-audit-log'?: string[];
};

/** Sources named on the command line, or undefined when none are (then the config's apply). */
function sourcesFromFlags(v: Flags, format: FormatOption): LiveSourceSpec[] | undefined {
  const out: LiveSourceSpec[] = [];
  for (const path of v.input ?? []) out.push({ type: 'file', path, follow: v.follow, format });
  for (const type of v.source ?? []) {
    if (!(SOURCE_TYPES as readonly string[]).includes(type)) throw new UsageError(`unknown source '${type}' (known: ${SOURCE_TYPES.join(', ')})`);
    switch (type) {
      case 'file':
        if ((v.input ?? []).length === 0) throw new UsageError('--source file needs --input PATH');
        break;
      case 'stdin':
        out.push({ type: 'stdin', format });
        break;
      case 'nats':
        if (v['nats-url'] === undefined || v['nats-subject'] === undefined) throw new UsageError('--source nats needs --nats-url and --nats-subject');
        out.push({ type: 'nats', url: v['nats-url'], subject: v['nats-subject'], ...(v['nats-queue'] ? { queue: v['nats-queue'] } : {}), format });
        break;
      case 'command':
        if (v.command === undefined) throw new UsageError("--source command needs --command 'CMD ARGS'");
        out.push({ type: 'command', command: v.command.split(/\s+/).filter(Boolean), format });
        break;
      case 'ebpf':
        out.push({ type: 'ebpf' });
        break;
    }
  }
  const hook = v['k8s-audit-webhook'];
  if (hook !== undefined) {
    const m = /^(?:(.*):)?(\d+)$/.exec(hook);
    if (!m) throw new UsageError(`--k8s-audit-webhook: expected [HOST:]PORT, got '${hook}'`);
    const cert = v['k8s-audit-tls-cert'];
    const key = v['k8s-audit-tls-key'];
    if ((cert === undefined) !== (key === undefined)) throw new UsageError('--k8s-audit-tls-cert and --k8s-audit-tls-key go together');
    out.push({
      type: 'k8s_audit_webhook', port: Number(m[2]),
      ...(m[1] ? { host: m[1] } : {}),
      ...(v['k8s-audit-path'] ? { path: v['k8s-audit-path'] } : {}),
      ...(cert !== undefined && key !== undefined ? { tls: { cert, key, ...(v['k8s-audit-tls-ca'] ? { ca: v['k8s-audit-tls-ca'] } : {}) } } : {}),
    });
  }
  for (const path of v['k8s-audit-log'] ?? []) out.push({ type: 'k8s_audit_file', path, follow: v.follow });
  return out.length > 0 ? out : undefined;
}

function logStats(session: Session, logger: { info(o: object, m?: string): void }): void {
  const s = session.summary();
  logger.info({
    events: s.events, alerts: s.alerts, byPriority: s.byPriority,
    outputs: s.outputs.map((o) => `${o.name}: sent ${o.sent}, dropped ${o.dropped}, failed ${o.failed}`),
    sources: s.sources.map((x) => ({ source: x.name, ...x.counters })),
  }, 'stats');
}
