// The live eBPF sensor as an event source: checks the machine (ebpf-preflight), fits
// sensor/peregrine.bt to the kernel (ebpf-program), runs it under bpftrace as a child process and
// turns its output into Peregrine native JSON lines (ebpf-protocol). `peregrine run --source ebpf`
// iterates `lines` and hands them to the native decoder.
//
// Flow control: lines wait in a bounded queue; when it fills, bpftrace's stdout is paused, bpftrace
// blocks, the kernel's per-CPU buffers fill and the kernel drops events — counted in stats().lost.
// Nothing grows without bound.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { Btf } from './ebpf-btf.js';
import { CgroupPaths, cgroupMounts, readMountinfo } from './ebpf-cgroups.js';
import { preflight, tracepointLister, type Preflight, type SystemView } from './ebpf-preflight.js';
import { adaptProgram, cgroupChoice, kernelOffsets, kernelShape, programArgs, readProcCgroups } from './ebpf-program.js';
import { SensorAdapter, type AdapterStats, type Identity } from './ebpf-protocol.js';
import { jsonEscape } from './ebpf-text.js';
import { PeregrineError } from '../common/errors.js';

/**
 * bpftrace's string buffer. bpftrace 0.17 keeps strings and printf arguments on the 512-byte BPF
 * stack, and this is the largest size every probe of the program fits with; strings longer than
 * STRLEN − 1 bytes are cut and flagged in the event's `trunc` list.
 */
export const SENSOR_STRLEN = 144;

export interface EbpfSensorOptions {
  /** bpftrace binary; a bare name is looked up in PATH. Default "bpftrace". */
  readonly bpftrace?: string;
  /** The bpftrace program. Default: sensor/peregrine.bt of this package. */
  readonly program?: string;
  /** Processes whose activity is not reported. Default: this process. The first two are also
   *  filtered in the kernel (cheaper); bpftrace's own process and the launcher's canaries always are. */
  readonly ignorePids?: readonly number[];
  /** The cgroup v1 controller whose hierarchy names processes whose cgroup v2 node is the root
   *  (hybrid and legacy hosts); false to report only cgroup v2 paths. Default "memory". */
  readonly cgroupV1Controller?: string | false;
  /** Where the host's cgroup file system is mounted, for finding a path whose announcement was lost.
   *  Default: the mounts in /proc/self/mountinfo. */
  readonly cgroupRoot?: { readonly v2?: string; readonly v1?: string };
  /** How long records wait for older records from other CPUs before release, ms. Default 50. */
  readonly reorderWindowMs?: number;
  /** Kernel ring buffer per CPU, in 4 KiB pages (BPFTRACE_PERF_RB_PAGES, a power of two). Default 1024. */
  readonly perfPagesPerCpu?: number;
  /** Mount tracefs at /sys/kernel/tracing when no tracefs is mounted. Default true. */
  readonly mountTracefs?: boolean;
  /** Lines queued before bpftrace's output is paused. Default 65536. */
  readonly highWaterMark?: number;
  /** bpftrace's diagnostics (stderr lines and unexpected output), for the caller to log. */
  readonly onNotice?: (text: string) => void;
  /** For tests: the system preflight inspects. */
  readonly system?: SystemView;
}

export interface EbpfSensorStats extends AdapterStats {
  /** bpftrace's pid while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Probes bpftrace attaches (0 until it says). */
  readonly probes: number;
  /** Tracepoints the program names that this kernel lacks (their events are not reported). */
  readonly missingTracepoints: readonly string[];
  /** Lines waiting for the consumer. */
  readonly queued: number;
  readonly exitCode: number | null | undefined;
}

export interface EbpfSensor {
  /** Native JSON lines (no trailing newline). Ends when the sensor stops; throws if bpftrace fails. */
  readonly lines: AsyncIterable<string>;
  /** Resolves when every probe is attached (events from then on are reported); rejects when bpftrace
   *  exits or fails to start first. Compiling and attaching takes seconds (about 15 s on 2 vCPUs). */
  readonly ready: Promise<void>;
  readonly preflight: Preflight;
  stats(): EbpfSensorStats;
  /** Stops bpftrace (SIGINT, then SIGKILL after 5 s), releases buffered records, ends `lines`. */
  stop(): Promise<void>;
}

/** bpftrace exited with an error, or could not be started. */
export class SensorExitedError extends PeregrineError {
  constructor(message: string) {
    super('EBPF_SENSOR_EXIT', message);
  }
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_PROGRAM = join(PACKAGE_ROOT, 'sensor', 'peregrine.bt');

/** CLOCK_REALTIME − CLOCK_MONOTONIC, to the microsecond: waits for the wall clock's next
 *  millisecond so the two clocks are read at the same instant. */
function epochOffset(): { sec: number; nsec: number } {
  const start = Date.now();
  let now = start;
  let mono = process.hrtime.bigint();
  while (now === start) {
    mono = process.hrtime.bigint();
    now = Date.now();
  }
  const off = BigInt(now) * 1_000_000n - mono;
  return { sec: Number(off / 1_000_000_000n), nsec: Number(off % 1_000_000_000n) };
}

const monoNow = (): number => Number(process.hrtime.bigint());

/** Identity of a thread whose description was lost, from /proc (pid, ppid, euid, egid, comm). */
function procIdentity(tid: number): Identity | undefined {
  try {
    const status = readFileSync(`/proc/${tid}/status`, 'utf8');
    const field = (name: string): string[] => {
      const i = status.indexOf(`\n${name}:`);
      if (i < 0) return [];
      const end = status.indexOf('\n', i + 1);
      return status.slice(i + name.length + 2, end < 0 ? undefined : end).trim().split(/\s+/);
    };
    const comm = readFileSync(`/proc/${tid}/comm`, 'utf8').replace(/\n$/, '');
    return {
      pid: Number(field('Tgid')[0]), ppid: Number(field('PPid')[0]), uid: Number(field('Uid')[1]), gid: Number(field('Gid')[1]),
      cg: '', comm: jsonEscape(comm),
    };
  } catch {
    return undefined;
  }
}

/** bpftrace diagnostics that are harmless and not worth a log line (kernels >= 5.11 account BPF
 *  memory to the cgroup, so the failed RLIMIT_MEMLOCK raise does not matter). */
const HARMLESS = ["couldn't set RLIMIT_MEMLOCK"];

export function startEbpfSensor(options: EbpfSensorOptions = {}): EbpfSensor {
  const pre = preflight(options, options.system);
  const btf = Btf.fromFile(pre.btf);
  const programText = readFileSync(options.program ?? DEFAULT_PROGRAM, 'utf8');
  const adapted = adaptProgram(programText, kernelShape(btf, tracepointLister(pre.tracefs)));
  const v1 = options.cgroupV1Controller ?? 'memory';
  const mounts = cgroupMounts(readMountinfo(), v1);
  const ignore = new Set<number>(options.ignorePids ?? [process.pid]);
  const chunk = SENSOR_STRLEN - 1;
  const args = programArgs([...ignore], cgroupChoice(readProcCgroups(), v1), kernelOffsets(btf), chunk);

  const queue: string[] = [];
  let head = 0;
  const hwm = options.highWaterMark ?? 65536;
  let waiter: (() => void) | undefined;
  let probes = 0;
  let ended = false;
  let failure: Error | undefined;
  let exitCode: number | null | undefined;
  const stderrTail: string[] = [];
  let stderrLost = 0;

  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => { resolveReady = res; rejectReady = rej; });
  ready.catch(() => undefined); // the failure also reaches `lines`

  // bpftrace 0.17 runs BEGIN before attaching the other probes and says nothing when it is done.
  // The last probe block of the program is sched_process_exit, and bpftrace attaches in program
  // order: once a canary process's exit is reported, every probe is attached.
  const canaries = new Set<number>();
  let attachedAt: number | undefined;
  let canaryTimer: NodeJS.Timeout | undefined;
  let canaryTries = 0;
  const startCanaries = (): void => {
    if (canaryTimer !== undefined || attachedAt !== undefined) return;
    canaryTimer = setInterval(() => {
      if (++canaryTries > 600) {
        stopCanaries();
        void stop();
        finish(new SensorExitedError('the sensor attached no probes within 150 s (no canary process was reported)'));
        return;
      }
      const c = spawn(pre.bpftrace, ['--version'], { stdio: 'ignore' });
      c.on('error', () => undefined);
      if (c.pid !== undefined) {
        canaries.add(c.pid);
        ignore.add(c.pid);
      }
    }, 250);
    canaryTimer.unref();
  };
  const stopCanaries = (): void => {
    if (canaryTimer !== undefined) clearInterval(canaryTimer);
    canaryTimer = undefined;
  };

  const wake = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };

  const adapter = new SensorAdapter({
    epochOffset: epochOffset(),
    chunk,
    ignorePids: ignore,
    cgroups: new CgroupPaths({ v2Root: options.cgroupRoot?.v2 ?? mounts.v2, v1Root: options.cgroupRoot?.v1 ?? mounts.v1 }),
    reorderWindowNs: (options.reorderWindowMs ?? 50) * 1e6,
    identityFallback: procIdentity,
    onAttached(n) {
      probes = n;
    },
    onSensorPid(sensorPid) {
      ignore.add(sensorPid);
      startCanaries();
    },
    onExit(tid, ts) {
      if (!canaries.has(tid) || attachedAt !== undefined) return;
      attachedAt = ts;
      adapter.markReady(ts);
      stopCanaries();
      resolveReady();
    },
    onNotice: options.onNotice,
  }, (line) => {
    queue.push(line);
  });

  const child: ChildProcess = spawn(pre.bpftrace, ['--no-warnings', '-f', 'json', '-e', adapted.text, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BPFTRACE_STRLEN: String(SENSOR_STRLEN),
      BPFTRACE_MAP_KEYS_MAX: '65536',
      BPFTRACE_PERF_RB_PAGES: String(options.perfPagesPerCpu ?? 1024),
      BPFTRACE_NO_USER_SYMBOLS: '1',
    },
  });
  if (child.pid !== undefined) ignore.add(child.pid);

  const flowControl = (): void => {
    if (queue.length - head >= hwm) child.stdout?.pause();
  };
  const afterInput = (): void => {
    adapter.release(monoNow());
    flowControl();
    if (queue.length > head) wake();
  };

  const decoder = new StringDecoder('utf8');
  let partial = '';
  child.stdout!.on('data', (chunkBuf: Buffer) => {
    const text = partial + decoder.write(chunkBuf);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      adapter.push(text.slice(start, nl));
      start = nl + 1;
    }
    partial = text.slice(start);
    afterInput();
  });

  const errDecoder = new StringDecoder('utf8');
  let errPartial = '';
  child.stderr!.on('data', (chunkBuf: Buffer) => {
    const text = errPartial + errDecoder.write(chunkBuf);
    const lines = text.split('\n');
    errPartial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      if (line.startsWith('Lost ')) {
        // text-mode bpftrace reports drops as "Lost N events"
        const n = Number.parseInt(line.slice(5), 10);
        if (Number.isFinite(n)) adapter.stats.lost += n;
        continue;
      }
      if (HARMLESS.some((h) => line.includes(h))) continue;
      if (stderrTail.length >= 40) { stderrTail.shift(); stderrLost++; }
      stderrTail.push(line);
      options.onNotice?.(line);
    }
  });

  const timer = setInterval(() => {
    adapter.release(monoNow());
    if (queue.length > head) wake();
  }, Math.max(10, Math.floor((options.reorderWindowMs ?? 50) / 2)));
  timer.unref();

  const finish = (err?: Error): void => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    stopCanaries();
    if (partial !== '') adapter.push(partial);
    adapter.release();
    if (err !== undefined) failure = err;
    rejectReady(err ?? new SensorExitedError('the sensor stopped before its probes were attached'));
    wake();
  };

  child.on('error', (err) => {
    finish(new SensorExitedError(`could not start ${pre.bpftrace}: ${err.message}`));
  });
  let stopping = false;
  child.on('close', (code, signal) => {
    exitCode = code;
    const clean = stopping || code === 0;
    const why = stderrTail.length > 0 ? `:\n${stderrLost > 0 ? `  (${stderrLost} earlier lines)\n` : ''}${stderrTail.map((l) => `  ${l}`).join('\n')}` : '';
    finish(clean ? undefined : new SensorExitedError(`bpftrace exited (${signal ?? `code ${String(code)}`}) ${probes === 0 ? 'before attaching its probes' : 'while running'}${why}`));
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((res) => {
      stopping = true;
      if (exitCode !== undefined || child.exitCode !== null || child.signalCode !== null) {
        finish();
        res();
        return;
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('close', () => {
        clearTimeout(kill);
        res();
      });
      child.stdout?.resume();
      child.kill('SIGINT');
    });
    return stopped;
  };

  const lines: AsyncIterable<string> = {
    [Symbol.asyncIterator](): AsyncIterator<string> {
      return {
        async next(): Promise<IteratorResult<string>> {
          for (;;) {
            if (head < queue.length) {
              const value = queue[head]!;
              queue[head++] = '';
              if (head > 4096 && head * 2 > queue.length) {
                queue.splice(0, head);
                head = 0;
              }
              if (child.stdout?.isPaused() === true && queue.length - head < hwm / 2) child.stdout.resume();
              return { value, done: false };
            }
            if (ended) {
              if (failure !== undefined) {
                const f = failure;
                failure = undefined;
                throw f;
              }
              return { value: undefined, done: true };
            }
            await new Promise<void>((res) => { waiter = res; });
          }
        },
        async return(): Promise<IteratorResult<string>> {
          await stop();
          return { value: undefined, done: true };
        },
      };
    },
  };

  return {
    lines,
    ready,
    preflight: pre,
    stop,
    stats: () => ({
      ...adapter.stats,
      pid: child.pid,
      running: exitCode === undefined && !ended,
      probes,
      missingTracepoints: adapted.missing,
      queued: queue.length - head,
      exitCode,
    }),
  };
}
