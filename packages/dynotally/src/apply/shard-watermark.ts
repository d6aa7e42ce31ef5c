import { type DynamoDBClient, GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { watermarkItemTtl } from './redelivery-horizon.ts';

/**
 * The key of a shard's watermark item in the aggregate table (transaction strategy).
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
 * Reads a shard's watermark (strongly consistent); undefined when the shard has never been applied.
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
  const out = await client.send(
    new GetItemCommand({ TableName: table, Key: shardWatermarkKey(source, shardId), ConsistentRead: true }),
  );
  return out.Item?.seq?.S;
}

/**
 * The transaction item that moves a shard's watermark from `expected` to `next`, failing the whole
 * transaction if another delivery moved it first.
 *
 * @example
 * ```ts
 * items.push(shardWatermarkUpdate('aggregates', streamArn, shardId, read, chunkLastSeq, Date.now()));
 * ```
 */
export function shardWatermarkUpdate(
  table: string,
  source: string,
  shardId: string,
  expected: string | undefined,
  next: string,
  now: number,
): TransactWriteItem {
  return {
    Update: {
      TableName: table,
      Key: shardWatermarkKey(source, shardId),
      UpdateExpression: 'SET #s = :next, #u = :u, #t = :t',
      ConditionExpression: expected === undefined ? 'attribute_not_exists(#s)' : '#s = :expected',
      ExpressionAttributeNames: { '#s': 'seq', '#u': 'updatedAt', '#t': 'ttl' },
      ExpressionAttributeValues: {
        ':next': { S: next },
        ':u': { N: String(now) },
        ':t': { N: String(watermarkItemTtl(now)) },
        ...(expected === undefined ? {} : { ':expected': { S: expected } }),
      },
    },
  };
}
