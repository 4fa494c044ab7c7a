// `peregrine replay`: offline detection over recorded events — event files in any supported format
// (plain or gzip), Falco .scap captures (through sysdig), and Kubernetes audit logs — through the same
// rules, engine and outputs as a live run. Outputs block instead of dropping, so nothing is lost; a
// summary (events, alerts by rule and priority, bad input, drops) ends the run.

import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../../common/errors.js';
import { FORMATS, type FormatOption } from '../../decode/types.js';
import { readAuditLog } from '../../ingest/k8s-audit-log.js';
import { StateTracker } from '../../state/tracker.js';
import { buildProfileReport, profileJson, renderProfileText } from '../../engine/profile-report.js';
import { openInput, forEachEvent } from '../inputs.js';
import { createLogger } from '../logger.js';
import { Progress } from '../progress.js';
import { loadSettings, RulesLoadError, SETTINGS_OPTIONS, settingsArgs } from '../runtime.js';
import { renderSummary, Session } from '../session.js';
import { RULES_OPTION_HELP } from '../rules-input.js';
import { isGzipOrScap } from '../file-kind.js';
import { auditCounters } from '../audit-counters.js';
import { syscallCounters } from '../source-counters.js';
import { looksLikeAuditLog } from '../audit-sniff.js';
import type { RouterStats } from '../../routing/router.js';
import { WorkerPool, WorkerStartError } from '../workers/pool.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'Detect offline: run the rules over recorded events or captures, then summarise',
  ownsStdout: true,
  usage: `Usage: peregrine replay [options] FILE...

Runs the rules over recorded events and sends alerts to the configured outputs (stdout by
default), then prints a summary on stderr: events, alerts by rule and priority, bad input lines,
and what each output sent or dropped. Outputs wait instead of dropping, so a replay loses nothing.

FILE is an event file (native JSON lines, Falco-field JSON, sysdig -j, Tetragon or Tracee JSON;
plain or gzip; '-' for stdin), a Falco .scap capture (decoded with the sysdig binary), or a
Kubernetes audit log (JSON lines of audit.k8s.io Events, recognised by its first record).

Options:
${RULES_OPTION_HELP}
                    (default: rules_files from the config, else Peregrine's bundled rules)
  -c, --config FILE         peregrine.yaml (default: ./peregrine.yaml, then /etc/peregrine/peregrine.yaml)
  -o, --option KEY=VALUE    override a config key, Falco style (repeatable), e.g.
                            -o json_output=true  -o 'rules[].disable.tag=network'
  --json                    alerts as Falco JSON (same as -o json_output=true)
  --format FORMAT           input format: auto (default), ${FORMATS.join(', ')}
  --k8s-audit FILE          also replay a Kubernetes audit log (JSON lines; repeatable)
  --realtime                release events at the pace of their timestamps
  --speed N                 with --realtime, N times faster (default 1)
  --workers N               detect on N worker threads (default 0: on the main thread). The main
                            thread reads and routes the lines; each process tree is decoded,
                            tracked and evaluated by one worker, which also applies the shared
                            upper levels of the tree, so the fields come out as with one thread
                            (README: replay, for where they cannot). Same alerts and counts as one
                            thread; alerts of one process tree keep their order, alerts of
                            different trees may interleave differently. Native and Falco-field
                            JSON inputs (and captures) are split; sysdig -j, Tetragon and Tracee
                            inputs go to a single worker. Not with --realtime. A failing worker
                            ends the replay (exit 1).
  --share-depth N           with --workers: how many levels of the process tree below its roots
                            are replicated to every worker so that the trees below can be split
                            (default 2: init's children and grandchildren, e.g. container shims
                            and container init processes). Lower replicates less, higher splits
                            finer; the summary shows the lines each worker evaluated.
  --profile                 after the summary, per-rule cost: evaluations, matches, time, share
  --profile-json FILE       write the profile as JSON to FILE ('-' for stderr)
  --summary-json FILE       write the summary as JSON to FILE ('-' for stderr)
  -q, --quiet               no summary and no progress line
  -h, --help                show this help

Exit status: 0 when every input was read (bad lines are counted, not fatal), 1 when rules failed
to load, an input could not be read or a detection worker failed, 2 on bad usage.`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        ...SETTINGS_OPTIONS,
        format: { type: 'string', default: 'auto' },
        'k8s-audit': { type: 'string', multiple: true },
        realtime: { type: 'boolean', default: false },
        speed: { type: 'string' },
        workers: { type: 'string' },
        'share-depth': { type: 'string' },
        profile: { type: 'boolean', default: false },
        'profile-json': { type: 'string' },
        'summary-json': { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
      },
      allowPositionals: true,
    });
    const audits = [...(values['k8s-audit'] ?? [])];
    if (positionals.length === 0 && audits.length === 0) throw new UsageError('no input files given');
    const format = values.format as FormatOption;
    if (format !== 'auto' && !FORMATS.includes(format as never)) throw new UsageError(`unknown format '${values.format}'`);
    const speed = values.speed === undefined ? undefined : Number(values.speed);
    if (speed !== undefined && !(speed > 0)) throw new UsageError(`--speed must be a positive number, got '${values.speed}'`);
    const workers = values.workers === undefined ? 0 : Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new UsageError(`--workers must be an integer from 0 to 64, got '${values.workers}'`);
    const shareDepth = values['share-depth'] === undefined ? undefined : Number(values['share-depth']);
    if (shareDepth !== undefined && (!Number.isInteger(shareDepth) || shareDepth < 0 || shareDepth > 64)) {
      throw new UsageError(`--share-depth must be an integer from 0 to 64, got '${values['share-depth']}'`);
    }
    if (workers > 0 && values.realtime) throw new UsageError('--workers cannot be combined with --realtime (pacing replays at the capture\'s speed; one thread keeps up)');

    const settings = loadSettings(settingsArgs(values, ctx));
    const logger = createLogger(String(settings.config['log_level'] ?? 'info'));
    const profiling = values.profile || values['profile-json'] !== undefined;
    const stateOptions = {
      maxProcesses: (settings.config['state'] as Record<string, number>)['max_processes'],
      maxFdsPerProcess: (settings.config['state'] as Record<string, number>)['max_fds_per_process'],
    };
    const decodeOptions = settings.config['decode'] as Record<string, unknown>;
    // Workers start first: they load the rules while this thread does the same.
    const pool = workers > 0 ? WorkerPool.start({
      size: workers, settings, profile: profiling, state: stateOptions, keepEnter: decodeOptions['keep_enter_events'] === true, logger,
      ...(shareDepth !== undefined ? { shareDepth } : {}),
    }) : undefined;
    let session: Session;
    try {
      session = await Session.start({ settings, logger, policy: 'block', profile: profiling, stdout: ctx.stdout });
    } catch (err) {
      await pool?.terminate();
      if (err instanceof RulesLoadError) {
        ctx.stderr.write(`${err.report}\nperegrine replay: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (pool !== undefined) {
      try {
        await pool.bind(session);
      } catch (err) {
        await pool.terminate();
        await session.close();
        const report = err instanceof WorkerStartError && err.report !== null ? `${err.report}\n` : '';
        ctx.stderr.write(`${report}peregrine replay: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
      }
    }

    const abort = new AbortController();
    const stop = (): void => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    session.outputs.onStop((name, reason) => {
      if (reason === 'broken-pipe') stop();
    });
    const progress = values.quiet ? undefined : Progress.for(ctx.stderr, () => ({ events: session.eventsRead(), alerts: session.detector.counts.alerts }));
    let failed = 0;
    const fields = session.fields();
    // Kubernetes audit logs given as plain FILE arguments are recognised and replayed as such.
    const inputs: string[] = [];
    for (const path of positionals) {
      if (path !== '-' && format === 'auto' && await looksLikeAuditLog(path)) audits.push(path);
      else inputs.push(path);
    }
    try {
      for (const path of inputs) {
        if (abort.signal.aborted) break;
        try {
          const input = await openInput({
            path, format, fields, signal: abort.signal,
            keepEnter: decodeOptions['keep_enter_events'] === true,
            eventTypes: session.eventTypes,
            maxLineBytes: decodeOptions['max_line_bytes'] as number,
            log: (m) => logger.warn({ input: path }, m),
          });
          let size = 0;
          if (path !== '-' && input.scap === undefined && !(await isGzipOrScap(path))) size = statSync(path).size;
          progress?.begin(path, size);
          const source = progress ? progress.count(input.source) : input.source;
          if (pool !== undefined) {
            // The workers decode; this input's counters are theirs, summed when it ends.
            let counters: Record<string, number> = {};
            session.addSource(path, () => ({ name: path, counters }));
            const r = await pool.replay({ source, format: input.decoder.format, name: path }, { signal: abort.signal, log: (m) => logger.warn({ input: path }, m) });
            counters = { ...syscallCounters(r.decode, r.state), ...routingCounters(r.routing) };
            continue;
          }
          const tracker = new StateTracker(stateOptions);
          session.addSource(path, () => ({ name: path, counters: syscallCounters(input.decoder.stats, tracker.stats()) }));
          await forEachEvent({ source, decoder: input.decoder }, tracker, session.detector.handle, {
            realtime: values.realtime, ...(speed !== undefined ? { speed } : {}), signal: abort.signal,
          });
        } catch (err) {
          if (abort.signal.aborted) break;
          failed++;
          progress?.end();
          ctx.stderr.write(`peregrine replay: ${path}: ${err instanceof Error ? err.message : String(err)}\n`);
          // A failed detection worker leaves the pool unusable: the remaining inputs are not replayed.
          if (pool?.failed !== undefined) {
            ctx.stderr.write('peregrine replay: a detection worker failed; the remaining inputs were not replayed\n');
            break;
          }
        }
      }
      for (const path of audits) {
        if (abort.signal.aborted || pool?.failed !== undefined) break;
        try {
          progress?.begin(path, 0);
          const log = readAuditLog(path, { signal: abort.signal });
          session.addSource(path, () => ({ name: path, counters: auditCounters(log.stats()) }));
          for await (const ev of log) {
            const wait = session.detector.handle(ev);
            if (wait !== undefined) await wait;
            if (abort.signal.aborted) break;
          }
        } catch (err) {
          failed++;
          ctx.stderr.write(`peregrine replay: ${path}: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
    } finally {
      progress?.end();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await pool?.close();
      await session.close();
    }

    const summary = session.summary();
    if (!values.quiet) ctx.stderr.write(renderSummary(summary, 'replay'));
    if (values['summary-json'] !== undefined) await writeOut(values['summary-json'], `${JSON.stringify(summary, null, 2)}\n`, ctx);
    if (profiling) {
      const profile = pool !== undefined ? pool.profile(session.engine.profile()) : session.engine.profile() ?? [];
      const report = buildProfileReport(profile, { events: summary.events });
      if (values.profile) ctx.stderr.write(renderProfileText(report));
      if (values['profile-json'] !== undefined) await writeOut(values['profile-json'], `${JSON.stringify(profileJson(report), null, 2)}\n`, ctx);
    }
    logger.flush();
    return failed > 0 ? 1 : 0;
  },
};

/** How the lines of an input were spread over the workers (evaluated by each; sent to all). */
function routingCounters(r: RouterStats | undefined): Record<string, number> {
  if (r === undefined) return {};
  const out: Record<string, number> = {};
  r.evaluated.forEach((n, i) => {
    out[`worker_${i}_lines`] = n;
  });
  out['replicated_lines'] = r.broadcast;
  return out;
}

async function writeOut(target: string, text: string, ctx: { stderr: NodeJS.WritableStream }): Promise<void> {
  if (target === '-') {
    ctx.stderr.write(text);
    return;
  }
  const { writeFile } = await import('node:fs/promises');
  await writeFile(target, text);
}
