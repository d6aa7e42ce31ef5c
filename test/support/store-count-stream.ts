// The items rollup `store` (test/support/store-count-rollup.ts) counts, the stream side applying their INSERT
// and MODIFY records, and the count a version's rows hold: what a repair or backfill test of that rollup checks with.
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createVersionedWriteSide, readControl } from '../../packages/dynotally/src/versions/index.ts';
import { modifyRecord } from '../backfill/modify-record.ts';
import { scanTable } from './ddb.ts';
import { storeCountRollup } from './store-count-rollup.ts';

/**
 * Order `i` of store s-0 (key `id`), at 1 November 2026 + `i` ms.
 *
 * @example
 * ```ts
 * const items = Array.from({ length: 40 }, (_, i) => storeItem(i));
 * ```
 */
export function storeItem(i: number): Record<string, AttributeValue> {
  return { id: { S: `o-${i}` }, storeId: { S: 's-0' }, t: { N: String(Date.UTC(2026, 10, 1) + i) } };
}

/** The stream side of rollup `store` (every version not retired), its clock at `at`. */
function storeSide(client: DynamoDBClient, t: { table: string; claimTable: string }, at: number) {
  return createVersionedWriteSide({
    client,
    table: t.table,
    claimTable: t.claimTable,
    rollups: [storeCountRollup],
    now: () => at,
  });
}

/**
 * The stream side (`createVersionedWriteSide` with rollup `store`), its clock at `at`, applies the INSERT record of
 * {@link storeItem} `i`: every version of the rollup not retired counts it (a building one through its claim).
 *
 * @example
 * ```ts
 * await streamInsert(client, t, Date.now(), 40);
 * ```
 */
export async function streamInsert(
  client: DynamoDBClient,
  t: { table: string; claimTable: string },
  at: number,
  i = 0,
): Promise<void> {
  const side = storeSide(client, t, at);
  await side.apply({ records: [storeInsertRecord(i, at)], shardId: 'shard-1' });
}

/**
 * The INSERT record of {@link storeItem} `i` (sequence number 100 + `i`), created at `at`.
 *
 * @example
 * ```ts
 * await side.apply({ records: [storeInsertRecord(1, Date.now())], shardId: 'shard-1' });
 * ```
 */
export function storeInsertRecord(i: number, at: number): DynamoDBRecord {
  return {
    eventID: `e${i}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/s',
    dynamodb: {
      Keys: { id: { S: `o-${i}` } },
      NewImage: storeItem(i) as never,
      SequenceNumber: String(100 + i),
      ApproximateCreationDateTime: Math.floor(at / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/**
 * The stream side of rollup `store`, its clock at `at`, applies one MODIFY of an item (old → new image, sequence
 * number 500) at `at`.
 *
 * @example
 * ```ts
 * await streamModify(client, t, Date.now(), untimed, timed);
 * ```
 */
export async function streamModify(
  client: DynamoDBClient,
  t: { table: string; claimTable: string },
  at: number,
  oldImage: Record<string, AttributeValue>,
  newImage: Record<string, AttributeValue>,
): Promise<void> {
  await storeSide(client, t, at).apply({
    records: [modifyRecord(oldImage, newImage, at)],
    shardId: 'shard-1',
  });
}

/**
 * The count of store s-0 in a version's rows (`prefix`: `store` for version 1, `store.v2` for version 2 …).
 *
 * @example
 * ```ts
 * expect(await storeCount(client, table, 'store.v2')).toBe('40');
 * ```
 */
export async function storeCount(
  client: DynamoDBClient,
  table: string,
  prefix = 'store',
): Promise<string | undefined> {
  const rows = await scanTable(client, table);
  return rows.find((r) => r.pk?.S === `${prefix}#ss-0` && r.n?.N !== undefined)?.n?.N;
}

/**
 * The oracle of the store tests: how many items the source table holds (all of store s-0), as the text a row's
 * count reads.
 *
 * @example
 * ```ts
 * expect(await storeCount(client, t.table)).toBe(await sourceCount(client, t.source));
 * ```
 */
export async function sourceCount(client: DynamoDBClient, source: string): Promise<string> {
  return String((await scanTable(client, source)).length);
}

/**
 * Rollup `store`'s versions as `[version, state]` pairs, read from its control item (undefined when it has none).
 *
 * @example
 * ```ts
 * expect(await versionStates(client, t.table)).toEqual([[1, 'retired'], [2, 'serving']]);
 * ```
 */
export async function versionStates(
  client: DynamoDBClient,
  table: string,
): Promise<Array<[number, string]> | undefined> {
  return (await readControl(client, table, 'store'))?.versions.map((v) => [v.version, v.state]);
}
