import { performance } from 'node:perf_hooks';
import type { ShardLease, WorkerPresence } from './lease.ts';

/**
 * How long, by the observing worker's own clock, each lease and presence of a scan has stood still: a lease since its
 * `leaseCounter` last moved (every take, renewal and release bumps it), a presence since its `expiresAt` last changed
 * (every heartbeat rewrites it). Pure data for `planLeases` (`LeaseView.still`).
 *
 * @example
 * ```ts
 * const still: StillTimes = { leases: new Map([['shardId-1', 12_000]]), workers: new Map([['w2', 300]]) };
 * ```
 */
export interface StillTimes {
  /** Shard id → ms this worker has seen the lease's counter unchanged (0 when it just moved, or was never seen). */
  readonly leases: ReadonlyMap<string, number>;
  /** Worker id → ms this worker has seen the presence unchanged. */
  readonly workers: ReadonlyMap<string, number>;
  /** How long this worker has been watching (ms since its first scan); a lease duration of it ends a cold start. */
  readonly watchedMs?: number | undefined;
}

/**
 * How long a held lease's counter must stand still, by the observer's clock, before the observer takes it as expired:
 * the longer of its own lease duration and the holder's (`ShardLease.durationMs`).
 *
 * @example
 * ```ts
 * const expired = (still.leases.get(lease.shardId) ?? 0) >= expiresAfterMs(lease, 10_000);
 * ```
 */
export function expiresAfterMs(lease: ShardLease, durationMs: number): number {
  return Math.max(durationMs, lease.durationMs ?? 0);
}

/**
 * A worker's memory of the lease table between scans, on its own monotonic clock (`performance.now`), so that lease
 * expiry never compares two hosts' clocks (as the KCL judges it): a lease is expired only once its counter has not
 * moved for a lease duration of this worker's time, whatever `expiresAt` (the holder's clock) says. A lease or presence
 * seen for the first time has stood still for 0 ms: a worker that just started waits a lease duration before it takes
 * any lease as expired (free leases, released or never taken, need no wait).
 *
 * @example
 * ```ts
 * const sightings = new LeaseSightings();
 * const view = await store.scan();
 * const still = sightings.observe(view); // planLeases({ …, still, leaseDurationMs })
 * ```
 */
export class LeaseSightings {
  private readonly leases = new Map<string, { counter: number; since: number }>();
  private readonly workers = new Map<string, { token: string; since: number }>();
  private firstAt: number | undefined;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Records a scan and answers how long each of its leases and presences has stood still; forgets what it lacks. */
  observe(view: {
    readonly leases: readonly ShardLease[];
    readonly workers: readonly WorkerPresence[];
  }): StillTimes {
    const now = this.clock();
    this.firstAt ??= now;
    const leases = new Map<string, number>();
    const workers = new Map<string, number>();
    const seenLeases = new Set<string>();
    for (const l of view.leases) {
      seenLeases.add(l.shardId);
      const known = this.leases.get(l.shardId);
      if (known === undefined || known.counter !== l.counter)
        this.leases.set(l.shardId, { counter: l.counter, since: now });
      leases.set(l.shardId, now - (this.leases.get(l.shardId) as { since: number }).since);
    }
    for (const id of [...this.leases.keys()]) if (!seenLeases.has(id)) this.leases.delete(id);
    const seenWorkers = new Set<string>();
    for (const w of view.workers) {
      seenWorkers.add(w.workerId);
      const token = `${w.expiresAt}|${w.instance ?? ''}`;
      const known = this.workers.get(w.workerId);
      if (known === undefined || known.token !== token) this.workers.set(w.workerId, { token, since: now });
      workers.set(w.workerId, now - (this.workers.get(w.workerId) as { since: number }).since);
    }
    for (const id of [...this.workers.keys()]) if (!seenWorkers.has(id)) this.workers.delete(id);
    return { leases, workers, watchedMs: now - this.firstAt };
  }
}
