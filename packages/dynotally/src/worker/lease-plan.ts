import { assignShards } from './assign-shards.ts';
import { isFree, type ShardLease, type WorkerPresence } from './lease.ts';
import { expiresAfterMs, type StillTimes } from './lease-sightings.ts';
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
  /**
   * How long this worker has seen each lease and presence stand still, by its own clock (`LeaseSightings`). Given, a
   * held lease is expired once its counter has stood still for `leaseDurationMs`, a presence is alive while it moved
   * within `leaseDurationMs`, and a free lease has been free for as long as this worker has seen it so: `now` and
   * `expiresAt` (other hosts' clocks) are not compared. Without it, `expiresAt` is judged by `now`, which a clock
   * skewed by more than the lease duration gets wrong (review s42w).
   */
  readonly still?: StillTimes | undefined;
  /** The lease duration the `still` times are judged by; default `strandedAfterMs`. */
  readonly leaseDurationMs?: number | undefined;
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
  const { now, workerId, still } = view;
  const duration = view.leaseDurationMs ?? view.strandedAfterMs;
  const byId = new Map(view.leases.map((l) => [l.shardId, l]));
  const ready: string[] = [];
  for (const lease of view.leases) {
    const r = shardReadiness(lease, byId, view.described);
    if (r === 'ready') ready.push(lease.shardId);
  }
  // how long a lease has been free (`undefined`: held), by this worker's clock when it has sightings
  const freeFor = (lease: ShardLease): number | undefined => {
    if (still === undefined) {
      if (!isFree(lease, now)) return undefined;
      return now - (lease.owner === undefined ? lease.freeSince : lease.expiresAt);
    }
    const stood = still.leases.get(lease.shardId) ?? 0;
    if (lease.owner === undefined) return stood;
    const expiry = expiresAfterMs(lease, duration);
    return stood >= expiry ? stood - expiry : undefined;
  };
  const alive = new Set<string>([workerId]);
  for (const w of view.workers)
    if (still === undefined ? w.expiresAt > now : (still.workers.get(w.workerId) ?? 0) < duration)
      alive.add(w.workerId);
  for (const l of view.leases) if (l.owner !== undefined && freeFor(l) === undefined) alive.add(l.owner);
  const owner = assignShards(ready, [...alive]);
  const assigned = ready.filter((s) => owner.get(s) === workerId);
  const take: ShardLease[] = [];
  for (const shardId of ready) {
    if (view.held.has(shardId)) continue;
    const lease = byId.get(shardId)!;
    const free = freeFor(lease);
    if (free === undefined) continue;
    if (owner.get(shardId) === workerId || free >= view.strandedAfterMs) take.push(lease);
  }
  take.sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
  const release = [...view.held].filter((s) => {
    const to = owner.get(s);
    return to !== undefined && to !== workerId;
  });
  return { take, release, ready, assigned, alive: [...alive].sort() };
}
