// Syscall-source counters flattened for summaries and /metrics: what the decoder saw (lines, events,
// bad lines by reason) and what the state tracker holds and had to evict at its caps. Evictions are
// where state — and so rule context such as proc.pname or fd.name — was dropped: they must show.
import type { DecodeStats } from '../decode/types.js';
import type { StateStats } from '../state/tracker.js';

export function decodeCounters(s: DecodeStats): Record<string, number> {
  const out: Record<string, number> = {
    lines: s.lines, events: s.events, bad_lines: s.bad, enter_events_dropped: s.enterDropped, skipped: s.skipped, unused_type_skipped: s.unusedTypes,
  };
  for (const [k, v] of Object.entries(s.badByReason)) if (v > 0) out[`bad_${k.replace(/-/g, '_')}`] = v;
  return out;
}

export function stateCounters(s: StateStats): Record<string, number> {
  return {
    state_processes: s.processes,
    state_containers: s.containers,
    state_processes_evicted: s.processesEvicted,
    state_threads_evicted: s.threadsEvicted,
    state_fds_evicted: s.fdsEvicted,
    state_containers_evicted: s.containersEvicted,
  };
}

/** A syscall source's counters: its decoder's and its state tracker's. */
export function syscallCounters(decode: DecodeStats, state: StateStats): Record<string, number> {
  return { ...decodeCounters(decode), ...stateCounters(state) };
}

/** The counters of several trackers (one per detection worker) added up. */
export function sumStateStats(all: readonly StateStats[]): StateStats {
  const sum: StateStats = { processes: 0, threads: 0, containers: 0, processesEvicted: 0, fdsEvicted: 0, containersEvicted: 0, threadsEvicted: 0, exits: 0, pidReuses: 0 };
  for (const s of all) for (const k of Object.keys(sum) as (keyof StateStats)[]) sum[k] += s[k];
  return sum;
}
