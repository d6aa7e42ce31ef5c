import type { DynamoDBRecord } from 'aws-lambda';
import type { Image } from '../decode/index.ts';
import type { RecordDecision } from './claim.ts';

/**
 * The record a version folds for a decision: the record itself (`full`), an INSERT of its new image with the
 * same sequence number (`new`; nothing for a REMOVE), or nothing (`skip`).
 *
 * @example
 * ```ts
 * const folded = decidedRecord(record, 'new'); // INSERT of record.dynamodb.NewImage
 * ```
 */
export function decidedRecord(record: DynamoDBRecord, decision: RecordDecision): DynamoDBRecord | undefined {
  if (decision === 'skip') return undefined;
  if (decision === 'full') return record;
  const d = record.dynamodb;
  if (d?.NewImage === undefined) return undefined;
  const { OldImage: _old, ...rest } = d;
  return { ...record, eventName: 'INSERT', dynamodb: { ...rest, StreamViewType: 'NEW_AND_OLD_IMAGES' } };
}

/**
 * A scanned item's claimed image as an INSERT record a version folds, under the backfill segment's own
 * sequence numbers (chunk and position in the chunk's journal, `chunk × 10⁶ + position`, plus `offset`: the
 * generation of the segment's state slot, `state-slots.ts`), so the row-watermark makes a restarted chunk count
 * each row once. With `keys`, the record names the item (`Keys`), as a stream record does.
 *
 * @example
 * ```ts
 * scanRecord(image, { source: 'backfill:store.v2', chunk: 3, index: 17, timeSeconds: 1_764_000_000 });
 * ```
 */
export function scanRecord(
  image: Image,
  at: {
    source: string;
    chunk: number;
    index: number;
    timeSeconds: number;
    keys?: Image | undefined;
    offset?: bigint | undefined;
  },
): DynamoDBRecord {
  const seq = ((at.offset ?? 0n) + BigInt(at.chunk) * 1_000_000n + BigInt(at.index)).toString();
  return {
    eventID: `${at.source}:${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: at.source,
    dynamodb: {
      // the item's key: a dead letter of the record is replayed through the item's claim, which needs it
      ...(at.keys === undefined ? {} : { Keys: at.keys }),
      NewImage: image,
      SequenceNumber: seq,
      ApproximateCreationDateTime: at.timeSeconds,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
}
