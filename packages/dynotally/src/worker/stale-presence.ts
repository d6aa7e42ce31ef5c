import type { WorkerPresence } from './lease.ts';

/** A presence item expired this long ago belongs to a worker that crashed: no live worker's clock is that far off. */
export const STALE_PRESENCE_MS = 3_600_000;

/** Stale presence items removed per coordination cycle at most (a few small deletes beside the cycle's scan). */
export const STALE_PRESENCE_PER_CYCLE = 10;

/**
 * The presence items of crashed workers, to remove: expired more than {@link STALE_PRESENCE_MS} before `now`, never
 * this worker's own, at most {@link STALE_PRESENCE_PER_CYCLE}. A clean stop removes its presence; a crash leaves it,
 * and without this every lease scan would read it for good (one item per crashed process: a deploy that kills its
 * workers adds one each).
 *
 * @example
 * ```ts
 * for (const p of stalePresences(view.workers, workerId, Date.now())) await store.removeStale(p);
 * ```
 */
export function stalePresences(
  workers: readonly WorkerPresence[],
  self: string,
  now: number,
): WorkerPresence[] {
  const stale: WorkerPresence[] = [];
  for (const w of workers) {
    if (stale.length >= STALE_PRESENCE_PER_CYCLE) break;
    if (w.workerId !== self && w.expiresAt < now - STALE_PRESENCE_MS) stale.push(w);
  }
  return stale;
}
