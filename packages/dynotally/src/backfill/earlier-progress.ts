import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { withRetry } from '../apply/retry.ts';
import { parseProgress, progressKey } from './progress-item.ts';

/**
 * What earlier runs (or other processes) did in a process's segments before it starts: the items their progress
 * items count as scanned, and how many of the segments are done. A resumed run's share and ETA start from there.
 *
 * @example
 * ```ts
 * const before = await earlierProgress(client, 'dynotally-claims', 'store.v2', [0, 1, 2, 3], 4);
 * // { scanned: 1500, done: 1 }
 * ```
 */
export async function earlierProgress(
  client: DynamoDBClient,
  claimTable: string,
  prefix: string,
  segments: readonly number[],
  count: number,
): Promise<{ scanned: number; done: number }> {
  let scanned = 0;
  let done = 0;
  await mapLimit(segments, 16, async (segment) => {
    const got = await withRetry(() =>
      client.send(
        new GetItemCommand({
          TableName: claimTable,
          Key: progressKey(prefix, segment, count),
          ConsistentRead: true,
        }),
      ),
    );
    const p = parseProgress(got.Item);
    scanned += p.scanned;
    if (p.done) done++;
  });
  return { scanned, done };
}
