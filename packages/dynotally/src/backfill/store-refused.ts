import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { withRetry } from '../apply/retry.ts';
import { parseProgress, progressKey } from './progress-item.ts';

/**
 * How many scanned items the store refused in a version's backfill, over every segment and every run (each
 * segment's progress item adds its chunks' refusals once: `storeRefused`): items past DynamoDB's 38 digits or a
 * row past 400 KB, which the version lacks although the stream side may count them (a sum that fits in the order
 * the stream met the items, not in the scan's).
 *
 * @example
 * ```ts
 * const left = await storeRefusedItems(client, 'dynotally-claims', 'store.v2', 4); // 0 when every item counted
 * ```
 */
export async function storeRefusedItems(
  client: DynamoDBClient,
  claimTable: string,
  prefix: string,
  segments: number,
): Promise<number> {
  let refused = 0;
  await mapLimit(
    Array.from({ length: segments }, (_, s) => s),
    16,
    async (segment) => {
      const got = await withRetry(() =>
        client.send(
          new GetItemCommand({
            TableName: claimTable,
            Key: progressKey(prefix, segment, segments),
            ConsistentRead: true,
          }),
        ),
      );
      refused += parseProgress(got.Item).storeRefused;
    },
  );
  return refused;
}
