// The dead letter the id-entry probes store (s43v, s44d, s44v, id-scan): one INSERT of item `j<seq>` on shard s1,
// lettered RETRIES_EXHAUSTED, and the id and ttl reads they check it by.
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { type DeadLetter, letterId, letterKey } from '../../packages/dynotally/src/dead-letter/index.ts';

export const PROBE_STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';

/**
 * A letter of the INSERT of item `j<seq>` (sequence number `seq`, shard s1), stored `at` (epoch ms, now by default).
 *
 * @example
 * ```ts
 * await new DynamoDbDeadLetterSink(client, table).send([probeLetter('1001')]);
 * ```
 */
export function probeLetter(seq: string, at = Date.now()): DeadLetter {
  const record = {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSourceARN: PROBE_STREAM,
    dynamodb: { Keys: { id: { S: `j${seq}` } }, SequenceNumber: seq },
  } as DynamoDBRecord;
  return {
    source: PROBE_STREAM,
    shardId: 's1',
    sequenceNumber: seq,
    eventId: `e${seq}`,
    code: 'RETRIES_EXHAUSTED',
    reason: 'probe',
    record,
    at,
  };
}

/**
 * The id `dead-letters show` takes for a letter.
 *
 * @example
 * ```ts
 * await getDeadLetters(store, [idOf(probeLetter('1001'))]);
 * ```
 */
export const idOf = (l: DeadLetter): string => letterId(letterKey(l));

/**
 * The `ttl` of an item of the dead-letter table (a strongly consistent read), `undefined` without one.
 *
 * @example
 * ```ts
 * expect(await itemTtl(client, dlq, idEntryKey(idOf(letter)))).toBeGreaterThan(0);
 * ```
 */
export async function itemTtl(
  client: DynamoDBClient,
  table: string,
  key: Record<string, { S: string }>,
): Promise<number | undefined> {
  const got = await client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
  const n = got.Item?.ttl?.N;
  return n === undefined ? undefined : Number(n);
}
