// The oracle of review s26r's Redis buffer tests: order counts per store recomputed from the source records, and
// what a reader sees (the query client with the buffer's live source: DynamoDB plus the unflushed buckets).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createRedisLiveSource } from '../../packages/dynotally/src/redis/index.ts';
import type { storeOrders } from '../redis/store-orders.ts';

/**
 * Orders per store in `records` (INSERTs of `orderRecords`; a record listed twice is one order).
 *
 * @example
 * ```ts
 * expect(await readTotals(parts, orders, ['s-1'])).toEqual(oracleTotals(records, ['s-1']));
 * ```
 */
export function oracleTotals(
  records: readonly DynamoDBRecord[],
  stores: readonly string[],
): Record<string, number> {
  const ids = new Map<string, string>();
  for (const r of records) {
    const image = r.dynamodb?.NewImage;
    if (r.eventName === 'INSERT' && image?.id?.S !== undefined) ids.set(image.id.S, image.storeId?.S ?? '');
  }
  const out: Record<string, number> = {};
  for (const s of stores) out[s] = [...ids.values()].filter((v) => v === s).length;
  return out;
}

/**
 * The all-time order count per store a reader sees: DynamoDB merged with the buffer's live buckets.
 *
 * @example
 * ```ts
 * await readTotals({ redis, client, table, keyPrefix, now }, orders, ['s-1', 's-2']); // { 's-1': 2, 's-2': 1 }
 * ```
 */
export async function readTotals(
  parts: { redis: Redis; client: DynamoDBClient; table: string; keyPrefix: string; now: () => number },
  rollup: ReturnType<typeof storeOrders>,
  stores: readonly string[],
): Promise<Record<string, number>> {
  const query = createQueryClient({
    client: parts.client,
    table: parts.table,
    rollups: [rollup],
    liveSource: createRedisLiveSource({ redis: parts.redis, rollups: [rollup], keyPrefix: parts.keyPrefix }),
    now: parts.now,
  });
  const out: Record<string, number> = {};
  for (const s of stores) {
    const r = await query.total(rollup, { storeId: s }, 'all');
    out[s] = Number(r.values.n ?? 0);
  }
  return out;
}
