// INSERT stream records made from whole SDK items, for tests that put an item to the source table and hand its
// record to an Applier themselves: one made-up stream, sequence numbers counting up from 1001.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, AttributeValue as StreamValue } from 'aws-lambda';

/**
 * A source of INSERT records of one stream: each call makes the next record of `image`, keyed by `keyNames` (taken
 * from the image), created at `atMs` (whole seconds, as the stream gives them).
 *
 * @example
 * ```ts
 * const insert = imageInserts(['id'], Date.now());
 * await applier.apply({ records: [insert({ id: { S: 'i1' }, g: { S: 'big' } })], shardId: 's1' });
 * ```
 */
export function imageInserts(
  keyNames: readonly string[],
  atMs: number,
): (image: Record<string, AttributeValue>) => DynamoDBRecord {
  let seq = 1000;
  return (image) => {
    seq += 1;
    const keys = Object.fromEntries(keyNames.map((k) => [k, image[k] as StreamValue]));
    return {
      eventID: `e${seq}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: 'arn:aws:dynamodb:local:000000000000:table/src/stream/x',
      dynamodb: {
        Keys: keys,
        NewImage: image as Record<string, StreamValue>,
        SequenceNumber: String(seq),
        ApproximateCreationDateTime: Math.floor(atMs / 1000),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    } as DynamoDBRecord;
  };
}
