// Hand-made INSERT stream records for the Redis buffer tests: one made-up stream, sequence numbers counting up.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/**
 * A source of INSERT records of the stream `arn:test:stream`: each call makes the next record (sequence numbers
 * `from + 1`, `from + 2` …, id and event id `<idPrefix><sequence>`), whose image holds the id, `fields` and the
 * event time `t` (epoch ms, also the record's approximate creation time).
 *
 * @example
 * ```ts
 * const insert = streamInserts({ from: 1000, idPrefix: 'o' });
 * const r = insert({ storeId: { S: 's-1' } }, START); // sequence 1001, id o1001
 * ```
 */
export function streamInserts({
  from = 1000,
  idPrefix = 'i',
}: {
  from?: number;
  idPrefix?: string;
} = {}): (fields: Record<string, AttributeValue>, t: number) => DynamoDBRecord {
  let seq = from;
  return (fields, t) => {
    seq += 1;
    const id = `${idPrefix}${seq}`;
    return {
      eventID: id,
      eventName: 'INSERT',
      eventSourceARN: 'arn:test:stream',
      dynamodb: {
        Keys: { id: { S: id } },
        NewImage: { id: { S: id }, ...fields, t: { N: String(t) } },
        SequenceNumber: String(seq),
        ApproximateCreationDateTime: Math.floor(t / 1000),
      },
    };
  };
}
