import type { Shard } from '@aws-sdk/client-dynamodb-streams';

/**
 * Compares two decimal sequence numbers numerically. AWS writes them without leading zeros,
 * DynamoDB Local zero-pads them to 21 digits; both compare right.
 */
function compareSequence(a: string | undefined, b: string | undefined): number {
  const x = (a ?? '').replace(/^0+(?=\d)/, '');
  const y = (b ?? '').replace(/^0+(?=\d)/, '');
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

function compareShards(a: Shard, b: Shard): number {
  return (
    compareSequence(
      a.SequenceNumberRange?.StartingSequenceNumber,
      b.SequenceNumberRange?.StartingSequenceNumber,
    ) || (a.ShardId ?? '').localeCompare(b.ShardId ?? '')
  );
}

/**
 * Orders shards so that every parent comes before its children, as Lambda and the KCL process
 * them; among shards that are ready, the earliest starting sequence number goes first. A shard
 * whose parent is not in the list (trimmed after 24 hours) counts as a root.
 *
 * @example
 * ```ts
 * const ordered = orderShards(description.Shards ?? []);
 * for (const shard of ordered) await readShard(shard);
 * ```
 */
export function orderShards<T extends Shard>(shards: readonly T[]): T[] {
  const ids = new Set(shards.map((s) => s.ShardId));
  const children = new Map<string, T[]>();
  const ready: T[] = [];
  for (const shard of shards) {
    const parent = shard.ParentShardId;
    if (parent !== undefined && ids.has(parent) && parent !== shard.ShardId) {
      const list = children.get(parent) ?? [];
      list.push(shard);
      children.set(parent, list);
    } else {
      ready.push(shard);
    }
  }
  const ordered: T[] = [];
  while (ready.length > 0) {
    ready.sort(compareShards);
    const next = ready.shift()!;
    ordered.push(next);
    const kids = next.ShardId === undefined ? undefined : children.get(next.ShardId);
    if (kids) {
      ready.push(...kids);
      children.delete(next.ShardId!);
    }
  }
  // Shards left in `children` sit on a parent cycle, which DynamoDB never produces; keep them anyway.
  for (const rest of children.values()) ordered.push(...rest.sort(compareShards));
  return ordered;
}
