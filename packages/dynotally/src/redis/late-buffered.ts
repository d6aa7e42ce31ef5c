import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { tooOldPoison } from '../apply/late-letters.ts';
import { pruneAfterSeconds } from '../apply/redelivery-horizon.ts';
import { pendingRowsOf } from '../dead-letter/pending-rows.ts';
import { padSequence } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import type { PoisonRecord } from '../fold/index.ts';
import { bufferKeys } from './keys.ts';
import { redisCall } from './lua-script.ts';

/**
 * The least `keyTtlMs` of a buffered applier: the redelivery horizon, 25 hours (the stream's 24 h retention plus
 * an hour). A shard's watermark (`s:<shard>`) is what makes a redelivery of its buffered records change nothing,
 * and it expires `keyTtlMs` after the shard's last batch: it must outlive every record the applier still counts
 * (with `lateRecords: 'dead-letter'`, the default, records up to 24 h 30 min old; the other half hour covers clock
 * skew between DynamoDB, the consumer and Redis), or such a record is buffered again and counted twice.
 *
 * @example
 * ```ts
 * createBufferedApplier({ redis, client, table, rollups, keyTtlMs: WATERMARK_KEEP_MS }); // the least it takes
 * ```
 */
export const WATERMARK_KEEP_MS = pruneAfterSeconds(undefined) * 1000;

/**
 * Refuses a buffered applier's `keyTtlMs` below {@link WATERMARK_KEEP_MS}.
 *
 * @throws {DynotallyError} `CONFIG_INVALID`, with `details.leastMs`.
 */
export function checkWatermarkKeep(keyTtlMs: number): void {
  if (keyTtlMs >= WATERMARK_KEEP_MS) return;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `keyTtlMs must be at least 25 hours = ${WATERMARK_KEEP_MS} ms for a buffered applier, got ${keyTtlMs}: a shard's watermark must outlive every redelivery of its last batch the applier counts (DynamoDB Streams keep records 24 hours, and a late one up to 24 h 30 min old is still counted), or the redelivery is buffered and counted again silently. Leave it unset (7 days) unless Redis memory demands less`,
    { details: { keyTtlMs, leastMs: WATERMARK_KEEP_MS } },
  );
}

/** What {@link lateBufferedPoison} reads. */
export interface LateProbeContext {
  readonly redis: Redis;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly tag: string;
  readonly client: DynamoDBClient;
  readonly table: string;
  readonly rollups: readonly CompiledRollup[];
  readonly source: string;
  readonly shardId: string;
  readonly now: number;
  readonly lateAfter: number;
  /**
   * Whether a batch fails when Redis cannot be read (`onRedisDown: 'fail'`: its retry probes again, so no letter lists
   * rows a record Redis holds is counted on); else (`'direct'`) the rows are probed alone.
   */
  readonly failWhenDown: boolean;
  /** Per late record with an exclusion, the rows that refused it (`lateToSettle`): pending whatever their state. */
  readonly refusedRows?: ReadonlyMap<DynamoDBRecord, ReadonlySet<string>> | undefined;
}

/**
 * The `RECORD_TOO_OLD` poison of a buffered batch's late records, each with the rows its replay would write. A
 * record at or below the shard's watermark in Redis is held by the buffer (buffered, flushed since, or written
 * directly before a rejoin moved the watermark past it): no row is pending; unless the write script left it out
 * (a sum past 38 digits, in the shard's `px`), which is probed as below (its letter may be what failed after the
 * script, the batch waited out until it turned late: review s41w). Otherwise the watermark expired, or
 * never reached it, or Redis cannot be read (with `failWhenDown`, the batch fails instead): the rows are probed as
 * the direct fallback leaves them (its row states), and every row without the record's state is listed, since a
 * buffering whose watermark expired left none (the letter's replay is refused without `replayLate`).
 *
 * @example
 * ```ts
 * const poison = await lateBufferedPoison(late, ordered, ctx);
 * ```
 */
export async function lateBufferedPoison(
  late: readonly DynamoDBRecord[],
  ordered: readonly DynamoDBRecord[],
  ctx: LateProbeContext,
): Promise<PoisonRecord[]> {
  if (late.length === 0) return [];
  let watermark: string | undefined;
  // the records at or below the watermark the write script left out (a sum past 38 digits: `px`), counted nowhere:
  // their NUMBER_UNREPRESENTABLE letter may be what failed after the script (review s41w)
  let leftOut = new Set<string>();
  try {
    const [wm, px] = await redisCall(
      ctx.redis.hmget(bufferKeys(ctx.prefix).shard(ctx.tag), 'wm', 'px'),
      ctx.timeoutMs,
      'read the shard watermark',
    );
    watermark = wm === null || wm === undefined || wm === '' ? undefined : wm;
    if (typeof px === 'string' && px !== '') leftOut = new Set(px.split(','));
  } catch (e) {
    // unknown: the probe of the rows lists every row that holds no state of the record
    if (ctx.failWhenDown || !isDynotallyError(e, 'REDIS_UNAVAILABLE')) throw e;
  }
  return tooOldPoison(late, ordered, ctx, async (record) => {
    const seq = paddedOrUndefined(record.dynamodb?.SequenceNumber);
    if (watermark !== undefined && seq !== undefined && seq <= watermark && !leftOut.has(seq)) return [];
    return pendingRowsOf({
      client: ctx.client,
      table: ctx.table,
      rollups: ctx.rollups,
      strategy: 'row-watermark',
      source: ctx.source,
      shardId: ctx.shardId,
      record,
      now: ctx.now,
      refused: ctx.refusedRows?.get(record),
    });
  });
}

function paddedOrUndefined(seq: string | undefined): string | undefined {
  if (typeof seq !== 'string') return undefined;
  try {
    return padSequence(seq);
  } catch {
    return undefined;
  }
}
