import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type RetryOptions, withRetry } from '../apply/retry.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { historyOfItem, type RetentionHistory } from './effective-retention.ts';
import { historyKey } from './history-item.ts';

/**
 * Reads a rollup's retention history (one consistent `GetItem`, for a rollup kept forever too: its rows may have
 * been written under a finite retention before). `undefined` without an item.
 *
 * @example
 * ```ts
 * const history = await readRetentionHistory(client, 'aggregates', version);
 * ```
 */
export async function readRetentionHistory(
  client: DynamoDBClient,
  table: string,
  c: CompiledRollup,
  retry?: RetryOptions,
): Promise<RetentionHistory | undefined> {
  const out = await withRetry(
    () =>
      client.send(new GetItemCommand({ TableName: table, Key: historyKey(c.name), ConsistentRead: true })),
    retry,
  );
  return historyOfItem(out.Item);
}
