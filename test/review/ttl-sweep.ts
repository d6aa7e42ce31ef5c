// What the retention tests share: DynamoDB's TTL sweep, done by hand, and the inserts they count.
import { BatchWriteItemCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * What DynamoDB's TTL does by `now` (at its own pace in the service): every item whose `ttl` (epoch seconds) has
 * passed is deleted. Returns how many were.
 *
 * @example
 * ```ts
 * expect(await ttlSweep(clients.ddb, table, T + 20 * D)).toBeGreaterThan(0);
 * ```
 */
export async function ttlSweep(ddb: DynamoDBClient, table: string, now: number): Promise<number> {
  const out = await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  const expired = (out.Items ?? []).filter((it) => it.ttl?.N !== undefined && Number(it.ttl.N) * 1000 <= now);
  for (let i = 0; i < expired.length; i += 25) {
    await ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [table]: expired
            .slice(i, i + 25)
            .map((it) => ({ DeleteRequest: { Key: { pk: it.pk!, sk: it.sk! } } })),
        },
      }),
    );
  }
  return expired.length;
}

/**
 * A maker of INSERT records of group `g = 'a'` at an event time `ts` (epoch ms), numbered in sequence from 1.
 *
 * @example
 * ```ts
 * const insert = inserts();
 * await applier.apply({ records: [insert(T), insert(T + 1000)], shardId: 's-1' });
 * ```
 */
export function inserts(): (t: number) => DynamoDBRecord {
  let seq = 1;
  return (t) => ({
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
    dynamodb: {
      SequenceNumber: String(seq++).padStart(21, '0'),
      ApproximateCreationDateTime: Math.floor(t / 1000),
      NewImage: { id: { S: `i${seq}` }, g: { S: 'a' }, ts: { N: String(t) } },
    },
  });
}
