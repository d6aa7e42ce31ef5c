import type { ShardRecords } from '../../packages/dynotally/src/streams/index.ts';
import type { Contender } from '../contenders/contender.ts';
import type { BatchTiming } from './freshness.ts';

/** What one replay did, on its own clock. */
export interface ReplayRun {
  records: number;
  batches: BatchTiming[];
  seconds: number;
}

/**
 * The first `limit` records of a stream (shards in the order given, parents first), still grouped by shard.
 *
 * @example
 * ```ts
 * const prefix = streamPrefix(shards, 10_000);
 * ```
 */
export function streamPrefix(shards: readonly ShardRecords[], limit: number): ShardRecords[] {
  const out: ShardRecords[] = [];
  let left = limit;
  for (const shard of shards) {
    if (left <= 0) break;
    const records = shard.records.slice(0, left);
    left -= records.length;
    out.push({ shardId: shard.shardId, records });
  }
  return out;
}

/**
 * Feeds a stream already read into a contender as Lambda would with one consumer per shard: batches
 * of at most `batchSize` records of one shard, in order, each handled to completion before the next.
 * Times every batch.
 *
 * @example
 * ```ts
 * const run = await replay(contender, streamPrefix(shards, 5_000), 1_000);
 * console.log(run.records / run.seconds, 'events/s');
 * ```
 */
export async function replay(
  contender: Contender,
  shards: readonly ShardRecords[],
  batchSize: number,
): Promise<ReplayRun> {
  const batches: BatchTiming[] = [];
  let records = 0;
  const started = performance.now();
  for (const { shardId, records: all } of shards) {
    for (let i = 0; i < all.length; i += batchSize) {
      const batch = all.slice(i, i + batchSize);
      const startMs = performance.now();
      await contender.handle({ shardId, records: batch });
      batches.push({ records: batch.length, startMs, endMs: performance.now() });
      records += batch.length;
    }
  }
  return { records, batches, seconds: (performance.now() - started) / 1000 };
}
