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
 * Reads a version's stored rows with consistent reads: every row of the given partition keys (one Query
 * each, 16 at a time), or, without keys, a parallel Scan (`segments`, default 4, `segmentConcurrency` at a time,
 * default 8) of the rows under the version's prefix that `selected` accepts.
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
  options: {
    pks?: readonly string[];
    selected?: (pk: string) => boolean;
    segments?: number;
    segmentConcurrency?: number;
  },
): Promise<{ rows: Map<string, StoredRow>; readUnits: number }> {
  const rows = new Map<string, StoredRow>();
  let readUnits = 0;
  const keep = (items: readonly Record<string, AttributeValue>[] | undefined) => {
    for (const item of items ?? []) {
      const pk = item.pk?.S;
      const sk = item.sk?.S;
      if (pk === undefined || sk === undefined) continue;
      if (options.pks === undefined && options.selected !== undefined && !options.selected(pk)) continue;
      rows.set(rowKey(pk, sk), item);
    }
  };
  if (options.pks !== undefined) {
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
      } while (start !== undefined);
    });
    return { rows, readUnits };
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
      } while (start !== undefined);
    },
  );
  return { rows, readUnits };
}
