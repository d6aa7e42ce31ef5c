// The tables a backfill test needs (source, aggregates, claims), the source's existing items, and the rollup
// registered to be backfilled.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../../packages/dynotally/src/definition/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
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

/**
 * {@link backfillTables}, and the rollup's first version registered `building` (a new rollup over the existing
 * items, to be backfilled), at `registeredAt` when given.
 *
 * @example
 * ```ts
 * const t = await buildingTables(clients.ddb, 'bf-claim', items, rollup.compiled, Date.now());
 * ```
 */
export async function buildingTables(
  client: DynamoDBClient,
  prefix: string,
  items: readonly Record<string, AttributeValue>[],
  rollup: CompiledRollup,
  registeredAt?: number,
): Promise<{ source: string; table: string; claimTable: string }> {
  const tables = await backfillTables(client, prefix, items);
  await registerVersions(client, tables.table, [rollup], {
    firstVersion: 'building',
    ...(registeredAt === undefined ? {} : { now: registeredAt }),
  });
  return tables;
}
