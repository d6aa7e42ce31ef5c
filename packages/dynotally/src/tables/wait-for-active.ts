import type { DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';
import { describeTable } from './describe-table.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `DescribeTable` until the table and all its global secondary indexes are ACTIVE
 * (100 ms at first, backing off to 2 s). Throws `TABLE_NOT_FOUND` if the table disappears and
 * `TABLE_NOT_ACTIVE` after `timeoutMs` (default 5 minutes).
 *
 * @example
 * ```ts
 * const table = await waitForActive(client, 'dynotally-aggregates');
 * console.log(table.TableArn);
 * ```
 */
export async function waitForActive(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs = 300_000,
): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    const table = await describeTable(client, tableName);
    if (!table) {
      throw new DynotallyError(
        'TABLE_NOT_FOUND',
        `table '${tableName}' disappeared while waiting for it to become ACTIVE: was it deleted concurrently? Run the provisioning again`,
        {
          details: { table: tableName },
        },
      );
    }
    const pending = [
      ...(table.TableStatus === 'ACTIVE' ? [] : [`table ${table.TableStatus}`]),
      ...(table.GlobalSecondaryIndexes ?? [])
        .filter((g) => g.IndexStatus !== 'ACTIVE')
        .map((g) => `index ${g.IndexName} ${g.IndexStatus}`),
    ];
    if (pending.length === 0) return table;
    if (Date.now() + delay > deadline) {
      throw new DynotallyError(
        'TABLE_NOT_ACTIVE',
        `table '${tableName}' is not ACTIVE after ${timeoutMs} ms (${pending.join(', ')}): wait and run the provisioning again, or raise timeoutMs`,
        { details: { table: tableName, pending } },
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 2_000);
  }
}
