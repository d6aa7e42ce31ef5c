// The tables a backfill test needs (source, aggregates, claims) and the source's existing items.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  createAggregateTable,
  createClaimTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';

/**
 * Creates a source table (key `id`, S) holding `items`, an aggregate table and a claim table, named after `prefix`.
 *
 * @example
 * ```ts
 * const { source, table, claimTable } = await backfillTables(clients.ddb, 'bf-late', items);
 * ```
 */
export async function backfillTables(
  client: DynamoDBClient,
  prefix: string,
  items: readonly Record<string, AttributeValue>[],
): Promise<{ source: string; table: string; claimTable: string }> {
  const source = uniqueTableName(`${prefix}-src`);
  const table = uniqueTableName(prefix);
  const claimTable = uniqueTableName(`${prefix}-claims`);
  await Promise.all([
    createSourceTable(client, source, { id: 'S' }),
    createAggregateTable(client, table),
    createClaimTable(client, claimTable),
  ]);
  for (let i = 0; i < items.length; i += 25) {
    let request: BatchWriteItemCommand['input']['RequestItems'] = {
      [source]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (request !== undefined && Object.keys(request).length > 0) {
      const out: BatchWriteItemCommandOutput = await client.send(
        new BatchWriteItemCommand({ RequestItems: request }),
      );
      request = out.UnprocessedItems;
    }
  }
  return { source, table, claimTable };
}
