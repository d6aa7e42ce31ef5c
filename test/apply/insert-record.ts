// Hand-made INSERT stream records for applier tests: one made-up stream, sequence numbers counting up from 1001.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';

/**
 * A source of INSERT records of one stream: each call makes the next record, keyed by `id`, with the given
 * attributes and an event time of 1763800000000 (`t`).
 *
 * @example
 * ```ts
 * const insert = insertRecords();
 * const r = insert('a', { g: { S: 'big' } }); // sequence 1001
 * ```
 */
export function insertRecords(): (id: string, attrs: Record<string, AttributeValue>) => DynamoDBRecord {
  let seq = 1000;
  return (id, attrs) => {
    seq += 1;
    return {
      eventID: `e${seq}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: STREAM,
      dynamodb: {
        Keys: { id: { S: id } },
        NewImage: { id: { S: id }, ...attrs, t: { N: '1763800000000' } },
        SequenceNumber: String(seq),
        ApproximateCreationDateTime: 1_763_800_000,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  };
}
