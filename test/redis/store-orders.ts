// The order counts per store of the Redis buffer's flush tests (an S4-like rollup), and their records.
import type { DynamoDBRecord } from 'aws-lambda';
import { count, defineRollup, type Granularity } from '../../packages/dynotally/src/definition/index.ts';
import { streamInserts } from './stream-inserts.ts';

/**
 * A count of orders per `storeId` in the given granularities, named `name` (rows `<name>#s<store>`).
 *
 * @example
 * ```ts
 * const orders = storeOrders({ granularities: ['day', 'all'] });
 * ```
 */
export function storeOrders({
  name = 'orders',
  granularities,
}: {
  name?: string;
  granularities: Granularity[];
}) {
  return defineRollup({
    name,
    groupBy: 'storeId',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities,
    measures: { n: count() },
  });
}

/**
 * A source of order records (ids `o<sequence>`, sequence numbers from `from + 1`): `rec(store, t)`.
 *
 * @example
 * ```ts
 * const rec = orderRecords(1000);
 * await applier.apply({ records: [rec('s-1', START)], shardId: 's-1' });
 * ```
 */
export function orderRecords(from: number): (store: string, t: number) => DynamoDBRecord {
  const insert = streamInserts({ from, idPrefix: 'o' });
  return (store, t) => insert({ storeId: { S: store } }, t);
}
