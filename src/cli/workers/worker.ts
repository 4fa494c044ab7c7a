// A detection worker thread: decode → state → engine → format for the lines the main thread routes
// to it (pool.ts), alerts posted back in wire form. It loads the rules itself (compiled predicates
// cannot cross threads) from the settings the main thread resolved, and owns one state tracker per
// input stream, like the single-threaded replay.
//
// Per line the main thread says whether to evaluate it or only to apply it to the state (a shared
// process's event that another worker evaluates). State-only lines go through a decoder of their
// own whose counters are dropped, so each input line is counted by exactly one worker.

import { parentPort, workerData } from 'node:worker_threads';
import { createDecoder, newDecodeStats, type Decoder, type Format } from '../../decode/index.js';
import { Engine } from '../../engine/engine.js';
import { newSyscallEvent, type SyscallEvent } from '../../event/types.js';
import type { Alert } from '../../format/alert.js';
import { AlertFormatter } from '../../format/formatter.js';
import { toWire, type WireAlert } from '../../format/wire.js';
import { StateTracker } from '../../state/tracker.js';
import { Detector } from '../detector.js';
import { eventTypesFor, type SessionEventTypes } from '../event-types.js';
import { loadRuntimeRules, RulesLoadError } from '../runtime.js';
import { addDecodeStats, LineUse, rulesFingerprint, type FromWorker, type RuleTotals, type ToWorker, type WorkerInit } from './protocol.js';

interface Stream {
  readonly id: number;
  readonly name: string;
  readonly tracker: StateTracker;
  /** Decodes lines routed before the main thread recognised the format (shard 0 only). */
  readonly auto: Decoder;
  counted: Decoder | undefined;
  shadow: Decoder | undefined;
  /**
   * One scratch event per decoder, as the single-threaded pipeline has (cli/inputs.ts forEachEvent):
   * a decoder fills it in place, and every line is decoded, applied and evaluated (its alerts
   * rendered) before the next is decoded, so nothing here holds an event past its line.
   */
  readonly scratch: SyscallEvent;
  readonly shadowScratch: SyscallEvent;
}

if (parentPort === null) throw new Error('cli/workers/worker.js must run in a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);

let engine: Engine;
let detector: Detector;
/** The event types the rules and state use (decoders skip other native records unparsed); undefined: decode all. */
let eventTypes: SessionEventTypes | undefined;
let out: WireAlert[] = [];
let stream: Stream | undefined;

async function start(): Promise<void> {
  let loaded;
  try {
    loaded = await loadRuntimeRules(init.settings);
  } catch (err) {
    post({ t: 'failed', message: err instanceof Error ? err.message : String(err), report: err instanceof RulesLoadError ? err.report : null });
    return;
  }
  engine = new Engine(loaded.rules, { matching: loaded.ruleMatching, profile: init.profile });
  eventTypes = eventTypesFor(init.settings.config, engine);
  const forms = init.forms;
  const collect = {
    offer(alert: Alert): boolean {
      out.push(toWire(alert, forms));
      return true;
    },
    whenWritable: (): Promise<void> => Promise.resolve(),
  };
  detector = new Detector(engine, new AlertFormatter(init.settings.format), collect);
  port.on('message', onMessage);
  post({ t: 'ready', rules: loaded.rules.length, fingerprint: rulesFingerprint(loaded.rules) });
}

function onMessage(m: ToWorker): void {
  switch (m.t) {
    case 'open': {
      const log = (message: string): void => post({ t: 'log', stream: m.stream, message });
      stream = {
        id: m.stream, name: m.name, tracker: new StateTracker(init.state),
        auto: createDecoder(m.format, { keepEnter: init.keepEnter, log, sourceName: m.name, eventTypes }),
        counted: undefined, shadow: undefined,
        scratch: newSyscallEvent(''), shadowScratch: newSyscallEvent(''),
      };
      return;
    }
    case 'batch':
      batch(m);
      return;
    case 'end': {
      const s = stream;
      if (s === undefined || s.id !== m.stream) return;
      const decode = addDecodeStats(addDecodeStats(newDecodeStats(), s.auto.stats), s.counted === s.auto ? undefined : s.counted?.stats);
      stream = undefined;
      post({ t: 'ended', stream: m.stream, decode, state: s.tracker.stats() });
      return;
    }
    case 'finish':
      post({ t: 'finished', errors: engine.stats.errors, totals: totals() });
      return;
  }
}

function decoders(s: Stream, format: Format): void {
  const log = (message: string): void => post({ t: 'log', stream: s.id, message });
  // An auto decoder that has recognised the format goes on (it keeps its per-stream state, e.g.
  // Tracee's de-duplication); else the lines from here on start a decoder of the format.
  s.counted = s.auto.detected !== undefined ? s.auto : createDecoder(format, { keepEnter: init.keepEnter, log, sourceName: s.name, eventTypes });
  s.shadow = createDecoder(format, { keepEnter: init.keepEnter, eventTypes });
}

// Test hook (test/cli/replay-workers.test.ts): makes the last worker fail on its first batch, by an
// uncaught exception ('throw') or by ending its thread ('exit'), so tests can check that a failing
// worker is reported and fails the replay. A fixed behaviour chosen by name, never code.
const fault = process.env['PEREGRINE_TEST_WORKER_FAULT'];

function batch(m: Extract<ToWorker, { t: 'batch' }>): void {
  if (fault !== undefined && init.index === init.count - 1) {
    if (fault === 'throw') throw new Error('injected fault (PEREGRINE_TEST_WORKER_FAULT=throw)');
    if (fault === 'exit') process.exit(3);
  }
  const s = stream;
  if (s === undefined || s.id !== m.stream) return;
  if (m.format !== null && s.counted === undefined) decoders(s, m.format);
  const { lines, nums, uses, badBytes } = m;
  const tracker = s.tracker;
  const handle = detector.handle;
  const counted = s.counted ?? s.auto;
  const shadow = s.shadow ?? s.auto;
  let events = 0;
  let bad = 0;
  for (let i = 0; i < lines.length; i++) {
    const use = uses[i];
    const lineNo = nums[i] as number;
    if (use === LineUse.Evaluate) {
      const ev = counted.decode(lines[i] as string, lineNo, s.scratch);
      if (ev === undefined) continue;
      tracker.apply(ev);
      void handle(ev); // never waits: the collector always has room
      events++;
    } else if (use === LineUse.StateOnly) {
      const ev = shadow.decode(lines[i] as string, lineNo, shadow === counted ? s.scratch : s.shadowScratch);
      if (ev !== undefined) tracker.apply(ev);
    } else {
      const bytes = badBytes[bad++] ?? 0;
      if (use === LineUse.TooLong) counted.bad(lineNo, 'too-long', `line of ${bytes} bytes exceeds the limit`);
      else counted.bad(lineNo, 'invalid-utf8', 'not valid UTF-8');
    }
  }
  const alerts = out;
  out = [];
  post({ t: 'done', stream: m.stream, seq: m.seq, alerts, events });
}

function totals(): RuleTotals {
  const counts = engine.ruleCounts();
  const size = counts.reduce((n, c) => Math.max(n, c.rule.id + 1), 0);
  const evaluations = new Float64Array(size);
  const matches = new Float64Array(size);
  for (const c of counts) {
    evaluations[c.rule.id] = c.evaluations;
    matches[c.rule.id] = c.matches;
  }
  const profile = engine.profile();
  let nanos: Float64Array | null = null;
  if (profile !== undefined) {
    nanos = new Float64Array(size);
    for (const p of profile) nanos[p.rule.id] = p.nanos;
  }
  return { evaluations, matches, nanos };
}

void start();
