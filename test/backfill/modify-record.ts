// One MODIFY stream record of a source item, as the backfill tests deliver it to the stream side.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * The MODIFY record (old → new image, keyed by the old image's `id`) of a made-up source stream, sequence number
 * 500, at `at` (epoch ms).
 *
 * @example
 * ```ts
 * await side.apply({ records: [modifyRecord(before, after, Date.now())], shardId: 'shard-1' });
 * ```
 */
export function modifyRecord(
  oldImage: Record<string, AttributeValue>,
  newImage: Record<string, AttributeValue>,
  at: number,
): DynamoDBRecord {
  return {
    eventID: 'm1',
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/s',
    dynamodb: {
      Keys: { id: oldImage.id as never },
      OldImage: oldImage as never,
      NewImage: newImage as never,
      SequenceNumber: '500',
      ApproximateCreationDateTime: Math.floor(at / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
