// Backfill tables whose first order (in scan order) has no time yet: an item the rollup does not count until a
// later change gives it one.
import { type AttributeValue, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../../packages/dynotally/src/definition/index.ts';
import { scanTable } from '../support/ddb.ts';
import { storeItem } from '../support/store-count-stream.ts';
import { buildingTables } from './backfill-tables.ts';

/**
 * Source, aggregate and claim tables ({@link buildingTables}) with `count` orders of store s-0 ({@link storeItem}),
 * the first in scan order stored without its time `t`; returns the tables and that order's two images.
 *
 * @example
 * ```ts
 * const t = await tablesWithUntimedOrder(clients.ddb, 's19-resume', 8, rollup.compiled);
 * await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: t.timed })); // it gets its time
 * ```
 */
export async function tablesWithUntimedOrder(
  client: DynamoDBClient,
  prefix: string,
  count: number,
  rollup: CompiledRollup,
) {
  const items = Array.from({ length: count }, (_, i) => storeItem(i));
  const t = await buildingTables(client, prefix, items, rollup);
  const first = (await scanTable(client, t.source))[0] as Record<string, AttributeValue>;
  const { t: _time, ...untimed } = first;
  await client.send(new PutItemCommand({ TableName: t.source, Item: untimed }));
  return { ...t, untimed, timed: first };
}
