import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * The key of a shard's watermark item for the transactional rows of one rollup (rows past the state budget, and
 * every row under the `transaction` strategy; earlier versions' `~wm#…` item covered every row of a shard). One per
 * rollup (a version's own name), so
 * appliers of different rollups on the same stream and table (the versions under backfill, two functions on one
 * stream) never pass each other's records.
 *
 * @example
 * ```ts
 * transactionalWatermarkKey(streamArn, 'shardId-1', 'orders'); // { pk: { S: '~wt#shardId-1' }, sk: { S: `${streamArn}|orders` } }
 * ```
 */
export function transactionalWatermarkKey(source: string, shardId: string, rollup: string) {
  return { pk: { S: `~wt#${shardId}` }, sk: { S: `${source}|${rollup}` } };
}

/**
 * A rollup's watermark item as read: the last record its transactional rows hold (undefined: no item).
 *
 * @example
 * ```ts
 * const stored: StoredWatermark = { seq: '49655370112233445566778899001122334455667788990011' };
 * ```
 */
export interface StoredWatermark {
  readonly seq: string | undefined;
}

/**
 * The last record of a shard the transactional rows of a rollup hold (strongly consistent read of its watermark
 * item; undefined when the shard never wrote a transactional row of it).
 *
 * @example
 * ```ts
 * const { seq } = await readTransactionalWatermark(client, 'aggregates', streamArn, shardId, 'orders');
 * ```
 */
export async function readTransactionalWatermark(
  client: DynamoDBClient,
  table: string,
  source: string,
  shardId: string,
  rollup: string,
): Promise<StoredWatermark> {
  const out = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: transactionalWatermarkKey(source, shardId, rollup),
      ConsistentRead: true,
    }),
  );
  return { seq: out.Item?.seq?.S };
}
