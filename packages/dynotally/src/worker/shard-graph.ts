import { isFinished, type ShardLease } from './lease.ts';

/**
 * Whether a shard may be processed now.
 *
 * @example
 * ```ts
 * const r: Readiness = shardReadiness(lease, byId, described); // 'ready'
 * ```
 */
export type Readiness = 'ready' | 'finished' | 'waiting-for-parent';

/**
 * Whether a shard may be processed: children wait until their parent's checkpoint says `SHARD_END`, so
 * records of one item are applied in order across a shard rollover, as Lambda and the KCL do. A parent that the
 * stream lists but that has no lease yet makes the child wait (the next discovery creates it). A parent with no
 * lease that the stream does not list counts as finished, whether the child is listed or not: discovery creates a
 * parent's lease before its child's, so a parent without one was trimmed before any worker leased it, or was read
 * to its end and its lease deleted, and a child that is not listed either was trimmed too (its consumer finds it
 * gone and finishes it, and its own children become ready).
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
  return describedShardIds.has(parentId) ? 'waiting-for-parent' : 'ready';
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

/**
 * The finished leases discovery may delete: those of shards the stream no longer lists (trimmed) that no listed
 * shard and no unfinished lease names as parent. A child still unread (through an outage longer than the stream's
 * retention) keeps its finished parent's lease, so it is still seen to follow a finished shard; once it is finished
 * too, the parent's lease goes at the next discovery.
 *
 * @example
 * ```ts
 * for (const shardId of deletableLeases(leases, shards)) await store.deleteFinished(shardId);
 * ```
 */
export function deletableLeases(
  leases: readonly ShardLease[],
  listed: ReadonlyArray<{
    readonly ShardId?: string | undefined;
    readonly ParentShardId?: string | undefined;
  }>,
): string[] {
  const ids = new Set(listed.map((s) => s.ShardId));
  const parents = new Set(listed.map((s) => s.ParentShardId));
  for (const lease of leases) if (!isFinished(lease)) parents.add(lease.parentShardId);
  return leases
    .filter((l) => isFinished(l) && !ids.has(l.shardId) && !parents.has(l.shardId))
    .map((l) => l.shardId);
}
