import type { Shard } from '@aws-sdk/client-dynamodb-streams';
import { MAX_FINISHED_SHARDS } from '../apply/shard-state.ts';

/**
 * What a stream description says of one shard's place in its lineage: its parent, and whether it is closed
 * (`SequenceNumberRange.EndingSequenceNumber` present: it receives no more records).
 *
 * @example
 * ```ts
 * const link: ShardLink = { parent: 'shardId-00000001700000000000-aaaa', closed: true };
 * ```
 */
export interface ShardLink {
  readonly parent: string | undefined;
  readonly closed: boolean;
}

/**
 * The lineage links of described shards by shard id (what {@link describedAncestors} walks). Shards without
 * an id are left out.
 *
 * @example
 * ```ts
 * const links = shardLinks(await describeStreamShards(streams, streamArn));
 * links.get('shardId-…')?.parent;
 * ```
 */
export function shardLinks(shards: readonly Shard[]): Map<string, ShardLink> {
  const links = new Map<string, ShardLink>();
  for (const s of shards) {
    if (s.ShardId === undefined) continue;
    links.set(s.ShardId, {
      parent: s.ParentShardId === undefined || s.ParentShardId === '' ? undefined : s.ParentShardId,
      closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
    });
  }
  return links;
}

/**
 * Why the walk of {@link describedAncestors} stopped: at a shard with no parent (`root`), at a parent the
 * description does not list (`missing`: trimmed after 24 hours, or the shard itself is not described yet),
 * at a parent listed as still open (`open`: a description older than the child's, since a shard with a child
 * is closed), on a repeated shard (`cycle`, which DynamoDB never produces) or at the cap (`cap`).
 *
 * @example
 * ```ts
 * const stop: LineageStop = 'missing';
 * ```
 */
export type LineageStop = 'root' | 'missing' | 'open' | 'cycle' | 'cap';

/**
 * The ancestors of `shardId` that a description lists as closed, nearest first (parent, grandparent, …; at
 * most {@link MAX_FINISHED_SHARDS}), and why the walk stopped. A consumer that is reading `shardId` has read
 * each of them to its end, because Lambda and the stream worker read a parent to its end before its
 * children; so none of their records can be delivered again, and their exactly-once states may leave the
 * rows (`ApplyInput.finishedShards`). The walk stops at the first parent that is not listed (trimmed: its
 * states age out), listed but open (a stale description: ask again), or already seen.
 *
 * @example
 * ```ts
 * const { ancestors } = describedAncestors('shardId-child', shardLinks(shards)); // ['shardId-parent', 'shardId-grandparent']
 * ```
 */
export function describedAncestors(
  shardId: string,
  links: ReadonlyMap<string, ShardLink>,
): { ancestors: string[]; stop: LineageStop } {
  const ancestors: string[] = [];
  const seen = new Set<string>([shardId]);
  const self = links.get(shardId);
  if (self === undefined) return { ancestors, stop: 'missing' };
  let parentId = self.parent;
  while (parentId !== undefined) {
    if (seen.has(parentId)) return { ancestors, stop: 'cycle' };
    if (ancestors.length >= MAX_FINISHED_SHARDS) return { ancestors, stop: 'cap' };
    const parent = links.get(parentId);
    if (parent === undefined) return { ancestors, stop: 'missing' };
    if (!parent.closed) return { ancestors, stop: 'open' };
    ancestors.push(parentId);
    seen.add(parentId);
    parentId = parent.parent;
  }
  return { ancestors, stop: 'root' };
}
