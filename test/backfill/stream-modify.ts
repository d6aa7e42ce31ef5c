// The stream side of a building version, as the backfill tests drive it: one MODIFY of a source item.
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';

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

/**
 * The stream side (a versioned write side whose clock reads `at`) applies one MODIFY of an item (old → new) at
 * `at`, on shard `shard-1`.
 *
 * @example
 * ```ts
 * await streamModify(clients.ddb, tables, rollup, Date.now(), untimed, timed);
 * ```
 */
export async function streamModify(
  client: DynamoDBClient,
  t: { table: string; claimTable: string },
  rollup: RollupLike,
  at: number,
  oldImage: Record<string, AttributeValue>,
  newImage: Record<string, AttributeValue>,
): Promise<void> {
  const side = createVersionedWriteSide({
    client,
    table: t.table,
    claimTable: t.claimTable,
    rollups: [rollup],
    now: () => at,
  });
  await side.apply({ records: [modifyRecord(oldImage, newImage, at)], shardId: 'shard-1' });
}
