import { type DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  type IndexCostSpec,
  type Item,
  indexWriteUnits,
  writeUnits,
} from '../../packages/dynotally/src/cost/index.ts';
import { readStreamRecords } from '../../packages/dynotally/src/streams/index.ts';
import { AGGREGATE_TABLE, describeTable } from '../../packages/dynotally/src/tables/index.ts';

/** The aggregate table's sparse leaderboard index, as the cost model bills it (all attributes projected). */
export const AGGREGATE_INDEXES: readonly IndexCostSpec[] = [
  { keys: [AGGREGATE_TABLE.leaderboardPartitionKey, AGGREGATE_TABLE.leaderboardSortKey] },
];

/** Write units of the item changes a table's stream recorded, priced from their images. */
export interface ImagePricing {
  /** Stream records read: one per write that changed an item. */
  changes: number;
  /** Base-table units: for each change, the larger of the item before and after, per started KB. */
  tableUnits: number;
  /** Index units of the same changes (enter, leave, key change, projected change). */
  indexUnits: number;
  /** `tableUnits + indexUnits`. */
  writeUnits: number;
}

/**
 * Turns on a `NEW_AND_OLD_IMAGES` stream on an existing table, so that every write that changes an item —
 * whatever API sent it: `UpdateItem`, PartiQL `UPDATE`/`INSERT`, `BatchExecuteStatement` — leaves the item as
 * it was before and after. Returns the stream's ARN. DynamoDB Local reports no consumed capacity for PartiQL;
 * these images let the bench price each such write by the service's rule instead (see {@link priceStreamImages}).
 *
 * @example
 * ```ts
 * const arn = await enableImageStream(ddb, 'bench-eo-row-b1000-agg');
 * ```
 */
export async function enableImageStream(client: DynamoDBClient, table: string): Promise<string> {
  const current = await describeTable(client, table);
  const existing = current?.LatestStreamArn;
  if (existing !== undefined && current?.StreamSpecification?.StreamViewType === 'NEW_AND_OLD_IMAGES')
    return existing;
  const out = await client.send(
    new UpdateTableCommand({
      TableName: table,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const arn = out.TableDescription?.LatestStreamArn;
  if (arn === undefined) throw new Error(`${table}: UpdateTable returned no stream ARN`);
  return arn;
}

/**
 * Prices every item change on a stream by DynamoDB's billing rule for a single-item write: the larger of
 * the item's size before and after, in started 1 KB units (at least one), plus the index writes the change
 * causes (`indexWriteUnits`). This is the cost model of `packages/dynotally/src/cost` applied to the exact
 * images, so it needs no consumed capacity from the store. A write that fails its condition or changes
 * nothing leaves no record: the write meter prices those from the answer.
 *
 * @example
 * ```ts
 * const { writeUnits } = await priceStreamImages(streams, arn);
 * ```
 */
export async function priceStreamImages(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  indexes: readonly IndexCostSpec[] = AGGREGATE_INDEXES,
): Promise<ImagePricing> {
  const out: ImagePricing = { changes: 0, tableUnits: 0, indexUnits: 0, writeUnits: 0 };
  for (const shard of await readStreamRecords(streams, streamArn)) {
    for (const record of shard.records) {
      // Lambda-shaped images (binary as base64): itemSizeBytes counts those by their decoded length.
      const before = record.dynamodb?.OldImage as Item | undefined;
      const after = record.dynamodb?.NewImage as Item | undefined;
      out.changes++;
      out.tableUnits += writeUnits(before, after);
      for (const index of indexes) out.indexUnits += indexWriteUnits(before, after, index);
    }
  }
  out.writeUnits = out.tableUnits + out.indexUnits;
  return out;
}
