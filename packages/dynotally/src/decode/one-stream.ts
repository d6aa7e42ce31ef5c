import type { DynamoDBRecord } from 'aws-lambda';
import { DynotallyError } from '../errors/index.ts';
import type { orderBatch } from './order-batch.ts';

/**
 * Refuses a batch (of the handler, an `Applier`, the Redis buffer, the worker: every path orders its batch with
 * {@link orderBatch}, which calls this; a versioned write side calls it first, before the claims of a version under
 * backfill are written) whose records say they come from another source than a DynamoDB stream (`eventSource` set and not
 * `aws:dynamodb`: a Kinesis stream fed by "Kinesis Data Streams for DynamoDB", an SQS queue), or whose records name
 * more than one stream (`eventSourceARN`). Records of another source would each be dead-lettered as
 * `RECORD_MALFORMED` and the batch answered as done, so the mapping would move past changes no replay can count. A
 * batch's exactly-once state is keyed by one stream ({@link batchStream}) and the event's shard, and every record
 * moves it: records of a second stream would move the first stream's watermarks by another stream's sequence
 * numbers, and the first stream's next records below them would be taken for applied, silently (review s39h). Lambda
 * never does either, so this is a wiring error (a relay merging two tables' streams, a hand-made event or batch): thrown,
 * never a dead letter. Records without a stream (`eventSourceARN` missing or empty) are left to the fold;
 * the batch's state is keyed by the stream the others name ({@link batchStream}). The
 * event's top-level `eventSourceARN` (tumbling-window events carry one) is not compared: nothing documents it to be
 * spelled as its records' are, and a false refusal would stop every batch of a shard.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the source, or the two streams.
 * @example
 * ```ts
 * checkOneStream(event.Records); // throws when two streams, or a Kinesis or SQS source, are named
 * ```
 */
export function checkOneStream(records: readonly DynamoDBRecord[]): void {
  let first: string | undefined;
  for (const r of records) {
    const source = (r as { eventSource?: unknown } | null | undefined)?.eventSource;
    const arn = (r as { eventSourceARN?: unknown } | null | undefined)?.eventSourceARN;
    if (typeof source === 'string' && source !== 'aws:dynamodb')
      throw new DynotallyError(
        'CONFIG_INVALID',
        `the batch's records come from '${source}', not from a DynamoDB stream ('aws:dynamodb'): is the handler attached to a DynamoDB stream? (A table's changes sent to Kinesis are not read by it: attach it to the table's DynamoDB stream)`,
        { details: { eventSource: source, eventSourceARN: arn } },
      );
    if (typeof arn !== 'string' || arn === '') continue;
    if (first === undefined) first = arn;
    else if (arn !== first)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `one batch holds records of two streams (${first} and ${arn}): exactly-once keys its state by one stream and shard per batch, and sequence numbers of two streams cannot be ordered or told apart, so the second stream's records would pass the first one's, and its next records would be taken for applied. Give one shard of one stream per batch (per event, as Lambda's event source mapping does)`,
        { details: { streams: [first, arn] } },
      );
  }
}

/**
 * The stream a batch's records name (the first non-empty `eventSourceARN`; {@link checkOneStream} makes it the only
 * one), or `''` when none names one. A batch's exactly-once state is keyed by it: taken from the first record alone,
 * a batch whose first record names no stream moved stream `''`'s state while its other records were the stream's,
 * and a redelivery of one of them keyed by the stream counted it again (review s39v).
 *
 * @example
 * ```ts
 * batchStream([{ dynamodb: {} }, { eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/x' }]); // 'arn:…/stream/x'
 * ```
 */
export function batchStream(records: readonly DynamoDBRecord[]): string {
  for (const r of records) {
    const arn = (r as { eventSourceARN?: unknown } | null | undefined)?.eventSourceARN;
    if (typeof arn === 'string' && arn !== '') return arn;
  }
  return '';
}
