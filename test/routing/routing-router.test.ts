// Shard router – process trees stay on one shard, shared roots are replicated, new trees are
// balanced, exits forget pids, and the table is bounded.
import { describe, expect, it } from 'vitest';
import { keysFor, type LineKeys } from '../../src/routing/keys.js';
import { ShardRouter, type Route, type RouterOptions } from '../../src/routing/router.js';

type Ev = { type: string; pid?: number; ppid?: number; tid?: number; res?: number; args?: { flags: number } };

/** shareDepth 0 unless given: each child of a root starts a tree (the simplest case to reason about). */
function harness(shards: number, options: RouterOptions = {}): { route(e: Ev): Route; router: ShardRouter } {
  const router = new ShardRouter(shards, { shareDepth: 0, ...options });
  const keys = keysFor('native') as LineKeys;
  return {
    router,
    route(e: Ev): Route {
      keys.reset(JSON.stringify({ ts: '1', ...e }));
      return { ...router.route(keys, { shard: -1, broadcast: false }) };
    },
  };
}

describe('shard router', () => {
  it('keeps a process and everything it forks on one shard', () => {
    const h = harness(2);
    h.route({ type: 'execve', pid: 1 }); // a root: shared
    h.route({ type: 'clone', pid: 1, res: 100 });
    const a = h.route({ type: 'execve', pid: 100, ppid: 1 });
    h.route({ type: 'clone', pid: 100, res: 101 });
    const child = h.route({ type: 'clone', pid: 101, ppid: 100, res: 0 });
    h.route({ type: 'vfork', pid: 101, res: 102 });
    const grandchild = h.route({ type: 'openat', pid: 102 });
    expect(a.broadcast).toBe(false);
    expect(child).toEqual(a);
    expect(grandchild).toEqual(a);
  });

  it('keeps a child whose own first event comes before its parent\'s fork where that event went', () => {
    for (const shareDepth of [0, 1]) {
      const h = harness(2, { shareDepth });
      h.route({ type: 'execve', pid: 1 }); // a root: shared
      h.route({ type: 'clone', pid: 1, res: 10 }); // a tree on some shard
      h.route({ type: 'clone', pid: 1, res: 20 }); // another tree, on the other shard
      const first = h.route({ type: 'clone', pid: 30, ppid: 1, res: 0 }); // child side first
      h.route({ type: 'clone', pid: 1, res: 30 }); // then the parent's
      expect(h.route({ type: 'openat', pid: 30 }), `shareDepth ${shareDepth}`).toEqual(first);
      if (shareDepth > 0) continue; // below, 10 and 20 must be trees (owned), not shared
      // A pid reused under another parent is placed afresh at its fork.
      h.route({ type: 'clone', pid: 10, res: 40 });
      const reused = h.route({ type: 'read', pid: 41, ppid: 20 });
      h.route({ type: 'clone', pid: 10, res: 41 });
      expect(h.route({ type: 'read', pid: 41 }).shard).toBe(h.route({ type: 'read', pid: 10 }).shard);
      expect(reused.shard).toBe(h.route({ type: 'read', pid: 20 }).shard);
    }
  });

  it('replicates the events of a root (a pid first seen without a parent) to every shard', () => {
    const h = harness(3);
    const first = h.route({ type: 'openat', pid: 1 });
    expect(first.broadcast).toBe(true);
    expect(h.route({ type: 'read', pid: 1 })).toEqual(first);
    expect(h.router.stats().shared).toBe(1);
  });

  it('starts a new tree for each child of a shared process, on the least loaded shard', () => {
    const h = harness(2);
    h.route({ type: 'execve', pid: 1 });
    h.route({ type: 'clone', pid: 1, res: 10 });
    for (let i = 0; i < 5; i++) h.route({ type: 'read', pid: 10 });
    const s10 = h.route({ type: 'read', pid: 10 }).shard;
    h.route({ type: 'clone', pid: 1, res: 20 });
    const s20 = h.route({ type: 'read', pid: 20 }).shard;
    expect(s20).not.toBe(s10);
    expect(h.router.stats().trees).toBe(2);
  });

  it('places a pid by its ppid at its first event when the fork was not seen', () => {
    const h = harness(2);
    h.route({ type: 'execve', pid: 1 });
    h.route({ type: 'clone', pid: 1, res: 50 });
    const parent = h.route({ type: 'read', pid: 50 });
    expect(h.route({ type: 'execve', pid: 51, ppid: 50 })).toEqual(parent);
  });

  it('shares a parent named before it is seen, and its own parent when that shows up', () => {
    const h = harness(2);
    const child = h.route({ type: 'read', pid: 300, ppid: 200 });
    expect(child.broadcast).toBe(false);
    expect(h.route({ type: 'read', pid: 200, ppid: 100 }).broadcast).toBe(true);
    expect(h.route({ type: 'read', pid: 100 }).broadcast).toBe(true);
    expect(h.router.stats().shared).toBe(2);
  });

  it('promotes an owned parent of a shared process to shared', () => {
    const h = harness(2);
    h.route({ type: 'execve', pid: 1 });
    h.route({ type: 'clone', pid: 1, res: 10 });
    const owner = h.route({ type: 'read', pid: 10 });
    expect(owner.broadcast).toBe(false);
    h.route({ type: 'read', pid: 30, ppid: 20 }); // 20: named first, shared
    h.route({ type: 'read', pid: 20, ppid: 10 }); // its parent 10 was owned: promoted
    expect(h.route({ type: 'read', pid: 10 })).toEqual({ shard: owner.shard, broadcast: true });
  });

  it('forgets a pid at its exit, but not at a thread\'s', () => {
    const h = harness(2);
    h.route({ type: 'execve', pid: 1 });
    h.route({ type: 'clone', pid: 1, res: 10 });
    h.route({ type: 'clone', pid: 10, res: 11 });
    h.route({ type: 'procexit', pid: 10, tid: 12 });
    expect(h.router.stats().pids).toBe(3);
    h.route({ type: 'procexit', pid: 11 });
    expect(h.router.stats().pids).toBe(2);
    h.route({ type: 'procexit', pid: 10, tid: 10 });
    expect(h.router.stats().pids).toBe(1);
  });

  it('tells every shard when the first process of a tree exits (they hold a copy from the fork)', () => {
    const h = harness(2);
    h.route({ type: 'execve', pid: 1 });
    h.route({ type: 'clone', pid: 1, res: 10 });
    const owner = h.route({ type: 'read', pid: 10 });
    h.route({ type: 'clone', pid: 10, res: 11 });
    expect(h.route({ type: 'procexit', pid: 11 }).broadcast).toBe(false);
    expect(h.route({ type: 'procexit', pid: 10 })).toEqual({ shard: owner.shard, broadcast: true });
  });

  it('shares descendants down to shareDepth levels, then starts trees', () => {
    const h = harness(2, { shareDepth: 2 });
    h.route({ type: 'execve', pid: 1 });
    h.route({ type: 'clone', pid: 1, res: 10 }); // depth 1: shared
    h.route({ type: 'clone', pid: 10, res: 11 }); // depth 2: shared
    h.route({ type: 'clone', pid: 11, res: 12 }); // depth 3: a tree
    h.route({ type: 'clone', pid: 12, res: 13 }); // in 12's tree
    expect(h.route({ type: 'read', pid: 10 }).broadcast).toBe(true);
    expect(h.route({ type: 'read', pid: 11 }).broadcast).toBe(true);
    const tree = h.route({ type: 'read', pid: 12 });
    expect(tree.broadcast).toBe(false);
    expect(h.route({ type: 'read', pid: 13 })).toEqual(tree);
    expect(h.router.stats()).toMatchObject({ shared: 3, trees: 1 });
  });

  it('shares two levels below the roots by default', () => {
    const router = new ShardRouter(2);
    const keys = keysFor('native') as LineKeys;
    const route = (e: Ev): Route => {
      keys.reset(JSON.stringify({ ts: '1', ...e }));
      return { ...router.route(keys, { shard: -1, broadcast: false }) };
    };
    route({ type: 'execve', pid: 1 });
    route({ type: 'clone', pid: 1, res: 10 });
    route({ type: 'clone', pid: 10, res: 11 });
    route({ type: 'clone', pid: 11, res: 12 });
    expect([10, 11, 12].map((pid) => route({ type: 'read', pid }).broadcast)).toEqual([true, true, false]);
  });

  it('makes no entry for a new thread (its events carry the process id)', () => {
    const h = harness(2);
    h.route({ type: 'execve', pid: 1 });
    h.route({ type: 'clone', pid: 1, res: 10 });
    const before = h.router.stats().pids;
    h.route({ type: 'clone', pid: 10, res: 11, args: { flags: 0x10000 | 0x100 } });
    expect(h.router.stats().pids).toBe(before);
  });

  it('replicates lines without a pid, evaluated on shard 0', () => {
    const h = harness(4);
    expect(h.route({ type: 'container' })).toEqual({ shard: 0, broadcast: true });
  });

  it('sends everything to shard 0 without replication when there is one shard', () => {
    const h = harness(1);
    expect(h.route({ type: 'execve', pid: 1 })).toEqual({ shard: 0, broadcast: false });
    expect(h.route({ type: 'container' })).toEqual({ shard: 0, broadcast: false });
    expect(h.router.stats().broadcast).toBe(0);
  });

  it('keeps at most maxPids entries, evicting the least recently placed', () => {
    const h = harness(2, { maxPids: 16 });
    h.route({ type: 'execve', pid: 1 });
    for (let i = 0; i < 100; i++) h.route({ type: 'clone', pid: 1, res: 1000 + i });
    const s = h.router.stats();
    expect(s.pids).toBeLessThanOrEqual(16);
    expect(s.evicted).toBeGreaterThan(0);
  });

  it('splits a trace rooted at one init evenly enough', () => {
    const h = harness(2);
    h.route({ type: 'execve', pid: 1 });
    let next = 2;
    const live: number[] = [];
    for (let i = 0; i < 40; i++) {
      const pid = next++;
      h.route({ type: 'clone', pid: 1, res: pid });
      live.push(pid);
    }
    for (let i = 0; i < 20_000; i++) h.route({ type: 'read', pid: live[i % live.length] as number });
    const [a, b] = h.router.stats().evaluated as [number, number];
    expect(Math.abs(a - b) / (a + b)).toBeLessThan(0.1);
  });

  it('rejects a shard count that is not a positive integer', () => {
    expect(() => new ShardRouter(0)).toThrow(RangeError);
    expect(() => new ShardRouter(1.5)).toThrow(RangeError);
  });
});
