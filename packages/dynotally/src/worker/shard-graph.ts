import { isFinished, type ShardLease } from './lease.ts';

/**
 * Whether a shard may be processed now.
 *
 * @example
 * ```ts
 * const r: Readiness = shardReadiness(lease, byId, described); // 'ready'
 * ```
 */
export type Readiness = 'ready' | 'finished' | 'waiting-for-parent' | 'parent-unknown';

/**
 * Whether a shard may be processed: children wait until their parent's checkpoint says `SHARD_END`, so
 * records of one item are applied in order across a shard rollover, as Lambda and the KCL do. A parent
 * that has no lease and that the stream does not list (trimmed after 24 hours) counts as finished; a
 * parent with no lease that the stream does list, or that this worker has not seen described yet, makes the
 * child wait (`parent-unknown`: describe the stream again before deciding).
 *
 * @example
 * ```ts
 * const ready = leases.filter((l) => shardReadiness(l, byId, described) === 'ready');
 * ```
 */
export function shardReadiness(
  lease: ShardLease,
  leasesById: ReadonlyMap<string, ShardLease>,
  describedShardIds: ReadonlySet<string>,
): Readiness {
  if (isFinished(lease)) return 'finished';
  const parentId = lease.parentShardId;
  if (parentId === undefined || parentId === lease.shardId) return 'ready';
  const parent = leasesById.get(parentId);
  if (parent !== undefined) return isFinished(parent) ? 'ready' : 'waiting-for-parent';
  if (describedShardIds.has(parentId)) return 'waiting-for-parent';
  // No lease and not described: trimmed, unless our description predates the parent. The caller re-describes.
  return describedShardIds.has(lease.shardId) ? 'ready' : 'parent-unknown';
}

/** At most this many ancestors are named to the applier (each is one REMOVE on every row a batch writes). */
export const MAX_FINISHED_ANCESTORS = 16;

/**
 * The shard's ancestors whose leases say `SHARD_END`, nearest first (parent, grandparent, …; at most
 * {@link MAX_FINISHED_ANCESTORS}): shards whose records can never be delivered again, since a child is read
 * only after its parent finished. The walk stops at the first ancestor without a lease (trimmed and deleted:
 * its states age out) or not finished (then the shard itself is not ready).
 *
 * @example
 * ```ts
 * finishedAncestors(lease, byId); // ['shardId-parent', 'shardId-grandparent']
 * ```
 */
export function finishedAncestors(lease: ShardLease, leasesById: ReadonlyMap<string, ShardLease>): string[] {
  const out: string[] = [];
  const seen = new Set<string>([lease.shardId]);
  let parentId = lease.parentShardId;
  while (parentId !== undefined && !seen.has(parentId) && out.length < MAX_FINISHED_ANCESTORS) {
    const parent = leasesById.get(parentId);
    if (parent === undefined || !isFinished(parent)) break;
    out.push(parentId);
    seen.add(parentId);
    parentId = parent.parentShardId;
  }
  return out;
}
