import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/** An item image as DynamoDB streams deliver it (DynamoDB JSON). */
export type Image = Record<string, AttributeValue>;

/** What happened to a source item. */
export type ChangeKind = 'INSERT' | 'MODIFY' | 'REMOVE';

/**
 * One decoded stream record: the unit the fold works on.
 *
 * @example
 * ```ts
 * const change: Change = decodeRecord(event.Records[0], { shardId: event.shardId });
 * if (change.kind === 'REMOVE' && change.ttlDelete) console.log('expired by TTL');
 * ```
 */
export interface Change {
  readonly kind: ChangeKind;
  readonly oldImage: Image | undefined;
  readonly newImage: Image | undefined;
  /** The record's sequence number, zero-padded to 40 digits so strings compare in order. */
  readonly sequenceNumber: string;
  /** The source shard, when known (worker, or a Lambda event with a tumbling window). */
  readonly shardId: string | undefined;
  /** The stream (event source) ARN. */
  readonly source: string;
  /** ApproximateCreationDateTime in epoch milliseconds. */
  readonly approximateTimeMs: number;
  /** A REMOVE performed by DynamoDB's TTL process. */
  readonly ttlDelete: boolean;
  readonly eventId: string;
  /** The original record, kept for the dead-letter sink. */
  readonly record: DynamoDBRecord;
}
