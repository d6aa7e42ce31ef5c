import type { WorkerStats } from 'dynotally';

/**
 * The distinct shards of the source table's stream the worker (or the dev stack's workers, whose stats list each
 * worker's shards) reads: what the first screen and the dashboard's header both call "shards". Two workers on a
 * one-shard stream hold two leases but read one shard.
 *
 * @example
 * ```ts
 * distinctShards(stack.workerStats()); // 1 on a fresh DynamoDB Local table
 * ```
 */
export function distinctShards(stats: Pick<WorkerStats, 'shards'>): number {
  return new Set(stats.shards.map((s) => s.shardId)).size;
}
