import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { paddedSequence } from '../decode/index.ts';
import { WATERMARK_ITEM_KEEP_SECONDS } from './redelivery-horizon.ts';

/**
 * The key of a shard's legacy watermark item in the aggregate table: the `transaction` strategy of earlier versions kept
 * its whole state there (one item per shard, moved with every transaction; rows carried no state). Nothing writes
 * it any more; the `transaction` strategy and the dead-letter probe read it as a lower bound, so a batch that
 * strategy committed before an upgrade is not counted again when it is redelivered after (see
 * {@link afterLegacyWatermark}). It expires a week after its last write (its `ttl`).
 *
 * @example
 * ```ts
 * shardWatermarkKey('arn:…/stream/…', 'shardId-1'); // { pk: { S: '~wm#shardId-1' }, sk: { S: 'arn:…/stream/…' } }
 * ```
 */
export function shardWatermarkKey(source: string, shardId: string) {
  return { pk: { S: `~wm#${shardId}` }, sk: { S: source } };
}

/**
 * Reads a shard's legacy watermark (strongly consistent): the last record the old `transaction` strategy
 * committed to every row it touches; undefined when it never applied the shard (or the item expired).
 *
 * @example
 * ```ts
 * const seq = await readShardWatermark(client, 'aggregates', streamArn, shardId);
 * ```
 */
export async function readShardWatermark(
  client: DynamoDBClient,
  table: string,
  source: string,
  shardId: string,
): Promise<string | undefined> {
  return (await readLegacyWatermarkItem(client, table, source, shardId))?.seq;
}

/**
 * A shard's legacy watermark item as read: its sequence number and when it expires (epoch seconds: its `ttl`,
 * or a week after its `updatedAt` where an older release wrote none; undefined when it says neither).
 *
 * @example
 * ```ts
 * const item: LegacyWatermarkItem = { seq: '0000…0042', expiresAt: 1_764_404_860 };
 * ```
 */
export interface LegacyWatermarkItem {
  readonly seq: string | undefined;
  readonly expiresAt: number | undefined;
}

/**
 * Reads a shard's legacy watermark item (strongly consistent); undefined when there is none.
 *
 * @example
 * ```ts
 * const item = await readLegacyWatermarkItem(client, 'aggregates', streamArn, shardId);
 * ```
 */
export async function readLegacyWatermarkItem(
  client: DynamoDBClient,
  table: string,
  source: string,
  shardId: string,
): Promise<LegacyWatermarkItem | undefined> {
  const out = await client.send(
    new GetItemCommand({ TableName: table, Key: shardWatermarkKey(source, shardId), ConsistentRead: true }),
  );
  if (out.Item === undefined) return undefined;
  const ttl = Number(out.Item.ttl?.N);
  const updatedAt = Number(out.Item.updatedAt?.N);
  const expiresAt = Number.isFinite(ttl)
    ? ttl
    : Number.isFinite(updatedAt)
      ? Math.ceil(updatedAt / 1000) + WATERMARK_ITEM_KEEP_SECONDS
      : undefined;
  return { seq: out.Item.seq?.S, expiresAt };
}

/**
 * The records of a batch after the shard's legacy watermark (`floor`, padded as stored): those at or below it
 * were committed whole by the old `transaction` strategy, in every row they touch, so they are left out. A record
 * without a valid sequence number stays (the fold dead-letters it).
 *
 * @example
 * ```ts
 * const rest = afterLegacyWatermark(records, await readShardWatermark(client, table, source, shardId));
 * ```
 */
export function afterLegacyWatermark(
  records: readonly DynamoDBRecord[],
  floor: string | undefined,
): readonly DynamoDBRecord[] {
  if (floor === undefined) return records;
  return records.filter((r) => {
    const seq = paddedSequence(r.dynamodb?.SequenceNumber);
    return seq === undefined || seq > floor;
  });
}
