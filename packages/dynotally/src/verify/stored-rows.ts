import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { withRetry } from '../apply/retry.ts';
import { segmentConcurrencyOf } from '../scan/segment-concurrency.ts';
import { rowKey } from './expected-rows.ts';

/** A stored aggregate row, as DynamoDB returns it. */
export type StoredRow = Record<string, AttributeValue>;

/**
 * Options of {@link storedRows} and {@link eachStoredRow}: the partition keys to Query, or a Scan's `segments`
 * (`segmentConcurrency` at a time) with the groups `selected` accepts, and a callback per page read.
 *
 * @example
 * ```ts
 * const options: StoredRowsOptions = { segments: 4, selected: (pk) => inSample(pk, 0.01) };
 * ```
 */
export interface StoredRowsOptions {
  pks?: readonly string[];
  selected?: (pk: string) => boolean;
  segments?: number;
  segmentConcurrency?: number;
  /**
   * Called after each page read: stored rows read so far (those `selected` accepts), and the Scan segments (or,
   * with `pks`, the partition keys) done of all, and the read units so far.
   */
  onPage?: ((read: { rows: number; done: number; of: number; readUnits: number }) => void) | undefined;
}

/**
 * Reads a version's stored rows with consistent reads: every row of the given partition keys (one Query
 * each, 16 at a time), or, without keys, a parallel Scan (`segments`, default 4, `segmentConcurrency` at a time,
 * default 8) of the rows under the version's prefix that `selected` accepts. Holds them all in memory:
 * {@link eachStoredRow} hands them over one by one instead.
 *
 * @example
 * ```ts
 * const { rows } = await storedRows(client, 'aggregates', 'store.v2', { pks: ['store.v2#ss-1'] });
 * ```
 */
export async function storedRows(
  client: DynamoDBClient,
  table: string,
  prefix: string,
  options: StoredRowsOptions,
): Promise<{ rows: Map<string, StoredRow>; readUnits: number }> {
  const rows = new Map<string, StoredRow>();
  const { readUnits } = await eachStoredRow(client, table, prefix, options, (pk, sk, item) => {
    rows.set(rowKey(pk, sk), item);
  });
  return { rows, readUnits };
}

/**
 * Reads a version's stored rows as {@link storedRows} does, handing each to `onRow` as its page arrives
 * (synchronously, one at a time) instead of keeping them: what verify compares as it reads, so that the process
 * holds a page per segment in flight, not the version's rows.
 *
 * @example
 * ```ts
 * const { rows } = await eachStoredRow(client, 'aggregates', 'store.v2', { segments: 4 }, (pk, sk, row) => {
 *   console.log(pk, sk, row.n_3?.N);
 * });
 * ```
 */
export async function eachStoredRow(
  client: DynamoDBClient,
  table: string,
  prefix: string,
  options: StoredRowsOptions,
  onRow: (pk: string, sk: string, row: StoredRow) => void,
): Promise<{ rows: number; readUnits: number }> {
  let readUnits = 0;
  let read = 0;
  let done = 0;
  const keep = (items: readonly Record<string, AttributeValue>[] | undefined) => {
    for (const item of items ?? []) {
      const pk = item.pk?.S;
      const sk = item.sk?.S;
      if (pk === undefined || sk === undefined) continue;
      if (options.pks === undefined && options.selected !== undefined && !options.selected(pk)) continue;
      read++;
      onRow(pk, sk, item);
    }
  };
  if (options.pks !== undefined) {
    const of = options.pks.length;
    await mapLimit([...options.pks], 16, async (pk, _, failed) => {
      let start: Record<string, AttributeValue> | undefined;
      do {
        if (failed()) return;
        const out = await withRetry(() =>
          client.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': 'pk' },
              ExpressionAttributeValues: { ':pk': { S: pk } },
              ConsistentRead: true,
              ReturnConsumedCapacity: 'TOTAL',
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        );
        readUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
        keep(out.Items);
        start = out.LastEvaluatedKey;
        if (start === undefined) done++;
        options.onPage?.({ rows: read, done, of, readUnits });
      } while (start !== undefined);
    });
    return { rows: read, readUnits };
  }
  const segments = options.segments ?? 4;
  await mapLimit(
    Array.from({ length: segments }, (_, s) => s),
    segmentConcurrencyOf(options.segmentConcurrency),
    async (segment, _, failed) => {
      let start: Record<string, AttributeValue> | undefined;
      do {
        if (failed()) return; // another segment failed: the read fails with its error, nothing more is read
        const out = await withRetry(() =>
          client.send(
            new ScanCommand({
              TableName: table,
              Segment: segment,
              TotalSegments: segments,
              ConsistentRead: true,
              FilterExpression: 'begins_with(#pk, :prefix)',
              ExpressionAttributeNames: { '#pk': 'pk' },
              ExpressionAttributeValues: { ':prefix': { S: `${prefix}#` } },
              ReturnConsumedCapacity: 'TOTAL',
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        );
        readUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
        keep(out.Items);
        start = out.LastEvaluatedKey;
        if (start === undefined) done++;
        options.onPage?.({ rows: read, done, of: segments, readUnits });
      } while (start !== undefined);
    },
  );
  return { rows: read, readUnits };
}
