import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/index.ts';
import { deleteFence, type Fence } from './fence.ts';
import { redisCall } from './lua-script.ts';
import { REJOIN_SCRIPT } from './scripts.ts';
import { confirmReplicas, type WaitReplicasOptions } from './wait-replicas.ts';

/**
 * What rejoining a shard to the buffer found: `clean` (Redis held nothing the direct writes also hold),
 * `reverted` (a batch Redis took although its caller saw a failure was subtracted again), `again` (already
 * rejoined), or `conflict` (records counted in both stores that could not be undone: logged as an error).
 *
 * @example
 * ```ts
 * const outcome = await rejoinShard(ctx, fence);
 * if (outcome?.status === 'conflict') alert(outcome);
 * ```
 */
export interface RejoinOutcome {
  status: 'clean' | 'reverted' | 'again' | 'conflict';
  /** The shard's Redis watermark afterwards. */
  watermark: string;
  /** Whether the fence was removed (false: it changed meanwhile; the next attempt finishes the job). */
  removed: boolean;
  /** The journaled last batch Redis held: watermark before it, its first and last record. */
  journal: { prev: string; first: string; last: string };
}

/**
 * What {@link rejoinShard} needs.
 *
 * @example
 * ```ts
 * const ctx: RejoinContext = { redis, prefix, client, table, timeoutMs: 2_000, keyTtlMs, bucket: bucketId(now, 900_000), bucketWidth: 900_000, logger };
 * ```
 */
export interface RejoinContext {
  redis: Redis;
  prefix: string;
  client: DynamoDBClient;
  table: string;
  timeoutMs: number;
  keyTtlMs: number;
  /** Id (closing instant) and width of the bucket a reverted batch is subtracted into (the current one). */
  bucket: number;
  bucketWidth: number;
  logger: Logger;
  /** Replicas that must hold the rejoin before the fence goes ({@link WaitReplicasOptions}); default none. */
  waitReplicas?: Required<WaitReplicasOptions> | undefined;
}

/**
 * Brings a shard back from direct writes to the buffer: in one Lua script the shard's Redis watermark moves
 * to the fence's `to` (records up to it are in DynamoDB), after undoing the journaled batch if Redis took it
 * although its caller gave up on it; then the fence is deleted (only if unchanged and quiescent). Idempotent:
 * a crash between the two steps is finished by the next call. Returns undefined while the fence still has
 * direct writes in progress (`done < to`). With `waitReplicas`, the fence is deleted only once that many replicas
 * hold the script's writes: a failover that lost them would bring back a reverted batch, or a watermark below the
 * direct writes, with no fence left to say so.
 *
 * @throws {DynotallyError} `REDIS_NOT_REPLICATED` (the fence is kept; the next attempt finishes the job).
 *
 * @example
 * ```ts
 * const outcome = await rejoinShard({ redis, prefix, client, table, timeoutMs: 2000, keyTtlMs, bucket, bucketWidth, logger }, fence);
 * ```
 */
export async function rejoinShard(ctx: RejoinContext, fence: Fence): Promise<RejoinOutcome | undefined> {
  if (fence.done !== fence.to) return undefined;
  const res = (await redisCall(
    REJOIN_SCRIPT.run(
      ctx.redis,
      [],
      [
        ctx.prefix,
        fence.tag,
        fence.from,
        fence.to,
        String(ctx.bucket),
        String(ctx.keyTtlMs),
        String(ctx.bucketWidth), // ARGV[7]: the grid a sealed target bucket moves along
      ],
    ),
    ctx.timeoutMs,
    'rejoin the shard to the buffer',
  )) as [RejoinOutcome['status'], string, string, string, string];
  const [status, watermark, prev, first, last] = res;
  const journal = { prev, first, last };
  if (status === 'conflict') {
    ctx.logger.error(
      'Redis buffer: records of this shard were counted both in Redis and by direct DynamoDB writes and could not be undone; the aggregates of that range are too high by their contribution',
      {
        shardId: fence.shardId,
        source: fence.source,
        directFrom: fence.from,
        directTo: fence.to,
        redisWatermark: watermark,
        journal,
      },
    );
  } else if (status === 'reverted') {
    ctx.logger.warn(
      'Redis buffer: a batch Redis took after its caller gave up was subtracted again (it was also written directly)',
      {
        shardId: fence.shardId,
        journal,
      },
    );
  }
  if (ctx.waitReplicas !== undefined) {
    await confirmReplicas(
      ctx.redis,
      ctx.prefix,
      ctx.keyTtlMs,
      ctx.waitReplicas,
      ctx.timeoutMs,
      'rejoin the shard to the buffer',
    );
  }
  const removed = await deleteFence(ctx.client, ctx.table, fence);
  return { status, watermark, removed, journal };
}
