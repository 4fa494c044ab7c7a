// The shard router: decides, line by line, which worker evaluates an event and which workers only
// apply it to their state tables, so that every worker's process table is right for the processes
// it evaluates — their own history, their fds (inherited at fork) and every ancestor's record.
//
// The model. A process's state is made from its own events and its ancestors' (a fork copies the
// parent's record and fd table; proc.pname/aname read the ancestors). So each process is either
//   - *shared*: all its events go to every shard — evaluated by one (its owner), applied to the
//     state by the others. Shared are the roots (a pid first seen without a known parent: pid 1 of
//     a trace, a process already running when the capture started, a pid first named as someone's
//     ppid — and, once it shows up, a shared process's own parent), and their descendants down to
//     `shareDepth` levels, as far as their forks are seen (default 2: on a host, init's services
//     and container shims, and their children);
//   - or *owned* by one shard, with everything it forks: below the shared levels, a child of a
//     shared process starts a new tree on the shard owning the fewest live processes, and every
//     other child stays on its parent's shard (placed at the fork, or by ppid at its first event).
//     Owned events go to that shard only.
// The shared processes form the upper part of the process forest, so every shard sees every
// ancestor of what it evaluates. Splitting below them is what makes a single-rooted trace
// (everything descends from pid 1) parallel at all; the depth trades balance (smaller trees)
// against replication (more shared lines).
//
// Also broadcast: lines without a pid (container metadata, garbage — evaluated by shard 0) and
// the exit of a tree's first process (the other shards hold a copy of it from the fork).
//
// Trees that span shards — where the replicated state is knowingly incomplete (documented in the
// README's replay section too):
//   - promotion: an owned process later named as the parent of a shared one becomes shared; from
//     then on every shard sees its events, but its earlier history (exec, cwd, fds opened before)
//     lives only on the shard that owned it; the other shards have only its events since.
//   - a pid evicted from this table while alive, then placed on another shard: that shard starts it
//     as a process first seen mid-capture (fields from its own events only), as after a restart.
//   - a child whose own first event precedes its parent's fork (libsinsp often orders a clone so)
//     stays on the shard that event went to; it is then never shared by depth (a tree of its own).
// In all other cases every shard's tables hold, for each process it evaluates, exactly what one
// thread's would: its own events, its ancestors' events, and the forks that copied their fds.
//
// Bounded: at most `maxPids` entries (approximate LRU, like the state tables); exits remove
// theirs. A pid evicted while alive is placed afresh at its next event, as after a restart.

import { EventKind, type LineKeys } from './keys.js';

/** Where a line goes: to one shard (`shard`), or to all with `shard` evaluating it. */
export interface Route {
  shard: number;
  broadcast: boolean;
}

const SHARED = 1;
/** The first process of a tree placed below a shared parent (the other shards hold a copy). */
const TREE_ROOT = 2;
/** A shared process whose parent link has been looked at. */
const LINKED = 4;
/** Placed at its own first event, its fork not seen (yet). */
const UNFORKED = 8;

interface Entry {
  shard: number;
  flags: number;
  tick: number;
  /** For a shared process: its depth below the first shared ancestor known. */
  depth: number;
  /** The ppid its first event named (UNFORKED entries), else -1. */
  parent: number;
}

export interface RouterOptions {
  /** Most pids remembered (default 262144). */
  readonly maxPids?: number;
  /**
   * How deep below a root processes are shared too (default 2). 0 shares only the roots: each child
   * of a root starts a tree. 1 also shares the roots' children (on a host: init's services, daemons
   * and container shims); 2 their children too (container init processes, ssh sessions). Deeper
   * means smaller trees, so a better balance, but more lines replicated.
   */
  readonly shareDepth?: number;
}

export interface RouterStats {
  /** Lines each shard evaluates. */
  readonly evaluated: readonly number[];
  /** Lines sent to every shard. */
  readonly broadcast: number;
  /** Trees started below shared processes. */
  readonly trees: number;
  /** Processes made shared. */
  readonly shared: number;
  readonly pids: number;
  readonly evicted: number;
}

export class ShardRouter {
  readonly shards: number;
  private readonly map = new Map<number, Entry>();
  private readonly maxPids: number;
  private readonly refreshAfter: number;
  private readonly evaluated: number[];
  /** Owned (not shared) pids per shard: the load estimate for placing new trees. */
  private readonly owned: number[];
  private tick = 0;
  private broadcasts = 0;
  private trees = 0;
  private sharedCount = 0;
  private evicted = 0;

  private readonly shareDepth: number;

  constructor(shards: number, options: RouterOptions = {}) {
    if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
    this.shards = shards;
    this.maxPids = Math.max(16, options.maxPids ?? 262_144);
    this.shareDepth = options.shareDepth ?? 2;
    this.refreshAfter = Math.max(1, Math.floor(this.maxPids / 8));
    this.evaluated = new Array<number>(shards).fill(0);
    this.owned = new Array<number>(shards).fill(0);
  }

  stats(): RouterStats {
    return {
      evaluated: [...this.evaluated], broadcast: this.broadcasts, trees: this.trees,
      shared: this.sharedCount, pids: this.map.size, evicted: this.evicted,
    };
  }

  /** Routes the line `keys` was reset to; fills and returns `out`. */
  route(keys: LineKeys, out: Route): Route {
    this.tick++;
    const pid = keys.pid();
    if (pid < 0) return this.emit(out, 0, true);
    let e = this.map.get(pid);
    if (e === undefined) e = this.place(pid, keys.ppid());
    else this.touch(pid, e);
    if ((e.flags & (SHARED | LINKED)) === SHARED) this.linkShared(e, pid, keys.ppid());

    const shared = (e.flags & SHARED) !== 0;
    const kind = keys.kind();
    if (kind === EventKind.Fork) {
      const child = keys.res();
      // A new thread needs no entry: its events carry its process's pid.
      if (child > 0 && child !== pid && !keys.thread()) this.addChild(child, pid, e);
    } else if (kind === EventKind.Exit) {
      const tid = keys.tid();
      if (tid < 0 || tid === pid) {
        this.remove(pid, e);
        if ((e.flags & TREE_ROOT) !== 0) return this.emit(out, e.shard, true);
      } else {
        // A thread ended: forget the entry its creation made (see Fork above).
        const t = this.map.get(tid);
        if (t !== undefined) this.remove(tid, t);
      }
    }
    return this.emit(out, e.shard, shared);
  }

  private emit(out: Route, shard: number, broadcast: boolean): Route {
    this.evaluated[shard]!++;
    if (broadcast && this.shards > 1) this.broadcasts++;
    out.shard = shard;
    out.broadcast = broadcast && this.shards > 1;
    return out;
  }

  /**
   * A pid seen for the first time without its fork: a shared root when its parent is unknown,
   * else in its parent's tree, or (below a shared parent) the first process of a new tree. It is
   * not shared by depth: it was already running, so how deep it sits is unknown, and sharing every
   * process of a capture started mid-flight would replicate nearly all of it.
   */
  private place(pid: number, ppid: number): Entry {
    if (ppid <= 0 || ppid === pid) return this.add(pid, this.pick(), SHARED, 0);
    let parent = this.map.get(ppid);
    // A parent named before it is seen: its details will come from its own events, which every
    // shard must see, since its children may be anywhere.
    parent ??= this.add(ppid, this.pick(), SHARED, 0);
    const e = (parent.flags & SHARED) === 0 ? this.add(pid, parent.shard, UNFORKED, 0) : this.add(pid, this.pick(), TREE_ROOT | UNFORKED, 0);
    e.parent = ppid;
    return e;
  }

  /** A child at its fork: in its parent's tree, or (below a shared parent) shared itself or the first of a new tree. */
  private addChild(pid: number, parentPid: number, parent: Entry): Entry {
    const seen = this.map.get(pid);
    if (seen !== undefined && (seen.flags & UNFORKED) !== 0 && seen.parent === parentPid) {
      // The child's own first event came before its parent's fork returned (libsinsp captures
      // often order a clone's child side first): it stays where that event went.
      seen.flags &= ~UNFORKED;
      seen.parent = -1;
      return seen;
    }
    if ((parent.flags & SHARED) === 0) return this.add(pid, parent.shard, 0, 0);
    if (parent.depth < this.shareDepth) return this.add(pid, this.pick(), SHARED, parent.depth + 1);
    return this.add(pid, this.pick(), TREE_ROOT, 0);
  }

  /**
   * A shared process's parent is shared too (its record is an ancestor's in every shard). A parent
   * already owned by one shard is promoted: from now on its events go everywhere.
   */
  private linkShared(e: Entry, pid: number, ppid: number): void {
    if (ppid <= 0 || ppid === pid) return;
    e.flags |= LINKED;
    const parent = this.map.get(ppid);
    if (parent === undefined) this.add(ppid, this.pick(), SHARED, 0);
    else if ((parent.flags & SHARED) === 0) {
      parent.flags |= SHARED;
      this.owned[parent.shard]!--;
      this.sharedCount++;
    }
  }

  /**
   * Where a new tree goes: the shard owning the fewest live processes (a proxy for the load to come,
   * which unlike lines already evaluated also counts trees just placed), then the fewest lines.
   */
  private pick(): number {
    let best = 0;
    for (let i = 1; i < this.shards; i++) {
      const d = this.owned[i]! - this.owned[best]!;
      if (d < 0 || (d === 0 && this.evaluated[i]! < this.evaluated[best]!)) best = i;
    }
    return best;
  }

  private remove(pid: number, e: Entry): void {
    if (this.map.get(pid) !== e) return;
    this.map.delete(pid);
    if ((e.flags & SHARED) === 0) this.owned[e.shard]!--;
  }

  private add(pid: number, shard: number, flags: number, depth: number): Entry {
    const old = this.map.get(pid);
    if (old !== undefined) {
      // A pid reused (its exit unseen) or re-forked: the fork is authoritative.
      this.remove(pid, old);
    } else if (this.map.size >= this.maxPids) {
      const oldest = this.map.entries().next().value;
      if (oldest !== undefined) {
        this.remove(oldest[0], oldest[1]);
        this.evicted++;
      }
    }
    const e: Entry = { shard, flags, tick: this.tick, depth, parent: -1 };
    this.map.set(pid, e);
    if ((flags & SHARED) === 0) this.owned[shard]!++;
    if ((flags & SHARED) !== 0) this.sharedCount++;
    if ((flags & TREE_ROOT) !== 0) this.trees++;
    return e;
  }

  /** Approximate LRU over the Map's insertion order (as the state tables do). */
  private touch(pid: number, e: Entry): void {
    if (this.tick - e.tick < this.refreshAfter) return;
    e.tick = this.tick;
    this.map.delete(pid);
    this.map.set(pid, e);
  }
}
