import { assignShards } from './assign-shards.ts';
import { isFree, type ShardLease, type WorkerPresence } from './lease.ts';
import { shardReadiness } from './shard-graph.ts';

/**
 * What a worker sees in one coordination cycle.
 *
 * @example
 * ```ts
 * const view: LeaseView = { now: Date.now(), workerId: 'w1', leases, workers, held: new Set(), described, strandedAfterMs: 10_000 };
 * ```
 */
export interface LeaseView {
  readonly now: number;
  readonly workerId: string;
  /** Every shard lease of the stream (a consistent scan). */
  readonly leases: readonly ShardLease[];
  /** Every presence item of the stream. */
  readonly workers: readonly WorkerPresence[];
  /** Shards this worker is consuming right now (its own truth, not the scan's). */
  readonly held: ReadonlySet<string>;
  /** Shard ids of the worker's latest `DescribeStream`. */
  readonly described: ReadonlySet<string>;
  /** A free lease nobody takes for this long is taken by anyone, whatever the assignment says. */
  readonly strandedAfterMs: number;
}

/**
 * What to do in this cycle.
 *
 * @example
 * ```ts
 * const { take, release } = planLeases(view);
 * ```
 */
export interface LeasePlan {
  /** Free leases to take, oldest shard first. */
  readonly take: readonly ShardLease[];
  /** Held shards to give up (at their next batch boundary) because another live worker should have them. */
  readonly release: readonly string[];
  /** Shards ready for processing (not finished, parent finished). */
  readonly ready: readonly string[];
  /** This worker's fair share. */
  readonly assigned: readonly string[];
  /** Live workers, this one included. */
  readonly alive: readonly string[];
}

/**
 * The lease state machine's decision for one cycle, pure. Ready shards (parents before children) are shared
 * among live workers by {@link assignShards}; a worker takes the free leases of its share, gives up held
 * shards that belong to another live worker's share, and takes any lease left free longer than
 * `strandedAfterMs` (so a shard is never orphaned while views of who is alive disagree). Busy leases of live
 * owners are never stolen: their owners hand them over at a batch boundary.
 *
 * @example
 * ```ts
 * const plan = planLeases({ now: Date.now(), workerId: 'w1', leases, workers, held: new Set(), described, strandedAfterMs: 10_000 });
 * for (const lease of plan.take) await store.take(lease);
 * ```
 */
export function planLeases(view: LeaseView): LeasePlan {
  const { now, workerId } = view;
  const byId = new Map(view.leases.map((l) => [l.shardId, l]));
  const ready: string[] = [];
  for (const lease of view.leases) {
    const r = shardReadiness(lease, byId, view.described);
    if (r === 'ready') ready.push(lease.shardId);
  }
  const alive = new Set<string>([workerId]);
  for (const w of view.workers) if (w.expiresAt > now) alive.add(w.workerId);
  for (const l of view.leases) if (l.owner !== undefined && l.expiresAt > now) alive.add(l.owner);
  const owner = assignShards(ready, [...alive]);
  const assigned = ready.filter((s) => owner.get(s) === workerId);
  const take: ShardLease[] = [];
  for (const shardId of ready) {
    if (view.held.has(shardId)) continue;
    const lease = byId.get(shardId)!;
    if (!isFree(lease, now)) continue;
    const freeSince = lease.owner === undefined ? lease.freeSince : lease.expiresAt;
    if (owner.get(shardId) === workerId || now - freeSince >= view.strandedAfterMs) take.push(lease);
  }
  take.sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
  const release = [...view.held].filter((s) => {
    const to = owner.get(s);
    return to !== undefined && to !== workerId;
  });
  return { take, release, ready, assigned, alive: [...alive].sort() };
}
