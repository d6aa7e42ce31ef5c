// The scenario of the late-record tests (test/apply/late-records.int.test.ts, test/review/s27r-late-versioned):
// one run of the workload's stream cut in two shards, the second half stamped as written three days later.
import { shardStateAttrs } from '../../packages/dynotally/src/apply/shard-state.ts';
import type { Pipeline, ShardStream } from '../support/pipeline.ts';
import { mixedOps, run } from './workload.ts';

export const DAY_MS = 86_400_000;

/**
 * Runs the mixed workload on `pipeline` and cuts its stream: `old`, the first half as one shard; `young`, the rest
 * as another shard whose records were written three days later; `oldAttr`, the old shard's state attribute.
 *
 * @example
 * ```ts
 * const { shard, old, young, oldAttr } = await lateShards(pipeline);
 * ```
 */
export async function lateShards(pipeline: Pipeline): Promise<{
  shard: ShardStream;
  old: ShardStream;
  young: ShardStream;
  oldAttr: string;
}> {
  await run(pipeline, mixedOps(27, 0.6));
  const [shard] = (await pipeline.readStream()) as [ShardStream];
  const half = Math.floor(shard.records.length / 2);
  const old: ShardStream = { shardId: 'shardId-00000001-old', records: shard.records.slice(0, half) };
  const young: ShardStream = {
    shardId: 'shardId-00000002-new',
    records: shard.records.slice(half).map((r) => ({
      ...r,
      dynamodb: {
        ...r.dynamodb,
        ApproximateCreationDateTime: (r.dynamodb?.ApproximateCreationDateTime ?? 0) + (3 * DAY_MS) / 1000,
      },
    })),
  };
  return { shard, old, young, oldAttr: shardStateAttrs(pipeline.streamArn, old.shardId).attr };
}
