import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { paddedSequence } from '../decode/index.ts';
import { errorName } from './error-name.ts';
import { type LatestPin, latestPin } from './latest-start.ts';

/** Sequence numbers kept from the skim (its tail): enough for every record that can come after the LATEST open. */
const KEEP = 1_000;
/** `TrimmedDataAccessException`s the skim tolerates (DynamoDB Local throws one on a fresh shard's first read). */
const TRIMMED_RETRIES = 3;

/**
 * What {@link findLatestPin} reads a shard with.
 *
 * @example
 * ```ts
 * const input: LatestPinInput = { streams, streamArn, shardId, tail: iterator, deadline: lease.expiresAt - 1_000 };
 * ```
 */
export interface LatestPinInput {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly shardId: string;
  /** Sequence number of the first record the consumer read from its `LATEST` iterator, if it read any. */
  readonly first?: string | undefined;
  /** The consumer's current `LATEST` iterator, polled once more when it has read nothing yet. */
  readonly tail?: string | undefined;
  /** Epoch ms after which the skim gives up (the lease is about to run out); a read still in flight then is ended. */
  readonly deadline: number;
}

/**
 * Finds where a `LATEST` lease without checkpoint is to be pinned before its first consumer gives it up: reads the
 * shard from `TRIM_HORIZON` up to the first record of the consumer's `LATEST` iterator (or to the shard's tip: an
 * empty page), then, when the consumer has read nothing yet, polls its `LATEST` iterator once more for the first
 * record after its position. Everything before that record is history ({@link latestPin}). `undefined` when it could
 * not tell (out of time, or too many records since the `LATEST` position); it throws what the stream throws. Without
 * a pin, the next owner resumes by the lease's `latestFrom`.
 *
 * @example
 * ```ts
 * const pin = await findLatestPin({ streams, streamArn, shardId, tail, deadline });
 * // only where the lease has no checkpoint: one whose answer was lost may have been applied (`onlyIfNone`)
 * if (pin?.kind === 'checkpoint') await leases.checkpoint(shardId, pin.sequenceNumber, { onlyIfNone: true });
 * ```
 */
export async function findLatestPin(input: LatestPinInput): Promise<LatestPin | undefined> {
  const { streams, streamArn, shardId } = input;
  // every read ends by the deadline: one that never answers (a passed client without request timeouts) would hold
  // the consumer's exit, and with it stop() and the lease its heartbeat renews until then (review s38x)
  const byDeadline = () => ({ abortSignal: AbortSignal.timeout(Math.max(1, input.deadline - Date.now())) });
  const horizon = async () =>
    (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
        byDeadline(),
      )
    ).ShardIterator ?? undefined;
  const bound = input.first === undefined ? undefined : paddedSequence(input.first);
  const skimmed: string[] = [];
  let truncated = false;
  let trimmed = 0;
  let iterator = await horizon();
  for (;;) {
    if (iterator === undefined) break; // the shard ended: everything in it was read
    if (Date.now() >= input.deadline) return undefined;
    let page: GetRecordsCommandOutput;
    try {
      page = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
        byDeadline(),
      );
    } catch (e) {
      if (errorName(e) !== 'TrimmedDataAccessException' || ++trimmed > TRIMMED_RETRIES) throw e;
      iterator = await horizon();
      continue;
    }
    const records = page.Records ?? [];
    let reached = false;
    for (const r of records) {
      const seq = r.dynamodb?.SequenceNumber;
      if (seq === undefined) continue;
      const padded = paddedSequence(seq);
      if (bound !== undefined && padded !== undefined && padded >= bound) {
        reached = true;
        break;
      }
      skimmed.push(seq);
    }
    if (skimmed.length > KEEP) {
      skimmed.splice(0, skimmed.length - KEEP);
      truncated = true;
    }
    if (reached || records.length === 0) break;
    iterator = page.NextShardIterator ?? undefined;
  }
  let first = input.first;
  if (first === undefined && input.tail !== undefined) {
    const page = await streams.send(
      new GetRecordsCommand({ ShardIterator: input.tail, Limit: 1 }),
      byDeadline(),
    );
    first = page.Records?.[0]?.dynamodb?.SequenceNumber;
  }
  return latestPin(skimmed, first, truncated);
}
