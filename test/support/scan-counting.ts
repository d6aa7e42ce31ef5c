// A client that counts the Scans it has in flight: what a test of `segmentConcurrency` (a backfill's, verify's)
// checks against its limit.
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

/**
 * `base`, with the most Scans of `table` (of every table when not given) it had in flight at once.
 *
 * @example
 * ```ts
 * const { client, most } = scanCounting(clients.ddb, t.source);
 * await runBackfill({ ...t, client, segments: 12, segmentConcurrency: 3 });
 * expect(most()).toBeLessThanOrEqual(3);
 * ```
 */
export function scanCounting(
  base: DynamoDBClient,
  table?: string,
): { client: DynamoDBClient; most: () => number } {
  let now = 0;
  let most = 0;
  const client = Object.create(base) as DynamoDBClient;
  const send = base.send.bind(base) as (c: unknown) => Promise<unknown>;
  client.send = (async (command: unknown) => {
    const scan = command instanceof ScanCommand && (table === undefined || command.input.TableName === table);
    if (scan) most = Math.max(most, ++now);
    try {
      return await send(command);
    } finally {
      if (scan) now--;
    }
  }) as DynamoDBClient['send'];
  return { client, most: () => most };
}
