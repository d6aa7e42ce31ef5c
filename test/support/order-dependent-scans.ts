// The fixture of a rebuild that cannot count an item the serving version counts (review h136): 600 scans of project
// p-fill, and three of project p-big whose bytes (1e20, 1e-19, -1e20) sum exactly only in some orders. The stream
// side counts the three in an order where every sum fits; a one-segment scan meets 1e20 and 1e-19 in its first chunk
// of 500 (their sum needs 40 digits: the store refuses the 1e-19) and -1e20 in its second.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { Applier, type RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import { imageInserts } from './image-inserts.ts';

const AT = new Date(Date.now() - 3_600_000).toISOString();
const scan = (id: string, projectId: string, bytes: string): Record<string, AttributeValue> => ({
  pk: { S: `SCAN#${id}` },
  sk: { S: 'SCAN' },
  type: { S: 'scan' },
  projectId: { S: projectId },
  scannedAt: { S: AT },
  bytes: { N: bytes },
});
const insert = imageInserts(['pk', 'sk'], Date.parse(AT));

/**
 * Writes the 603 scans to `source` and counts the three p-big ones with `rollup` through an Applier on `aggregate`
 * (only those: the 600 p-fill scans are what the rollup's serving version misses). The rollup's version must be
 * registered first.
 *
 * @example
 * ```ts
 * await registerVersions(ddb, tables.aggregate, [scansPerProject.compiled]);
 * await seedOrderDependentScans(ddb, tables.source, tables.aggregate, scansPerProject);
 * ```
 */
export async function seedOrderDependentScans(
  ddb: DynamoDBClient,
  source: string,
  aggregate: string,
  rollup: RollupLike,
): Promise<void> {
  const ids = Array.from({ length: 600 }, (_, i) => `i${i}`);
  for (let i = 0; i < ids.length; i += 25)
    await ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [source]: ids.slice(i, i + 25).map((id) => ({ PutRequest: { Item: scan(id, 'p-fill', '1') } })),
        },
      }),
    );
  const order: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: source, ExclusiveStartKey: start }));
    for (const i of page.Items ?? []) order.push((i.pk?.S ?? '').slice('SCAN#'.length));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  expect(order).toHaveLength(600);
  // the first chunk holds 1e20 and 1e-19 (their sum needs 40 digits), the second -1e20
  const items = [order[0], order[1], order[599]].map((id, k) =>
    scan(id as string, 'p-big', ['1e20', '1e-19', '-1e20'][k] as string),
  );
  for (const Item of items) await ddb.send(new PutItemCommand({ TableName: source, Item }));
  const applier = new Applier({ lateRecords: 'apply', client: ddb, table: aggregate, rollups: [rollup] });
  for (const k of [0, 2, 1])
    await applier.apply({ records: [insert(items[k] as Record<string, AttributeValue>)], shardId: 's1' });
}
