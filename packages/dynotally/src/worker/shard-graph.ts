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
