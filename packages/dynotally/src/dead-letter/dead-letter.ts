import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * The key of one aggregate row (`pk`, `sk`), as a dead letter names the rows that still miss its record.
 *
 * @example
 * ```ts
 * const row: DeadLetterRow = { pk: 'jobs#sc-1', sk: 'H2026-11-22T13:00' };
 * ```
 */
export interface DeadLetterRow {
  readonly pk: string;
  readonly sk: string;
}

/**
 * Counter deltas for one aggregate row, exact decimal strings: what the Redis flusher dead-letters when
 * DynamoDB rejects a row, replayed with plain `ADD`s.
 *
 * @example
 * ```ts
 * const d: DeadLetterDelta = { pk: 'store#s1', sk: 'M2026-11', adds: [['orders', '3'], ['orders_22', '3']] };
 * ```
 */
export interface DeadLetterDelta extends DeadLetterRow {
  readonly adds: ReadonlyArray<readonly [string, string]>;
  /** Epoch seconds, when the row kind has a finite retention. */
  readonly ttl?: number | undefined;
  /** Leaderboard partition and delta (exact decimal), for ranked rows. */
  readonly leaderboard?: { readonly key: string; readonly delta: string } | undefined;
  /**
   * A Redis flusher's `UNKNOWN_ROLLUP` row that a flusher on a newer configuration wrote in part (its first parts,
   * then it stopped): the cells of the flush bucket the row already holds. A replay never adds them; placing the row
   * (`placedDelta`), it takes the leaderboard delta from them when the measure is there, since the entry goes with
   * a wide row's last part, which was not written.
   */
  readonly written?: ReadonlyArray<readonly [string, string]> | undefined;
}

/**
 * A record that can never be applied, with why: what the dead-letter sink receives.
 *
 * Replay (`replayDeadLetters`) counts a dead letter exactly once. It re-folds `record` with the current
 * rollups and applies the rows in `pendingRows` (every row the record touches when `pendingRows` is absent),
 * or, for a letter that carries `deltas` instead (the Redis flusher's), those deltas.
 *
 * @example
 * ```ts
 * const dl: DeadLetter = { source, shardId, sequenceNumber, eventId, code: 'VALUE_INVALID', reason: '…', record, at: Date.now() };
 * ```
 */
export interface DeadLetter {
  /** The stream ARN (may be empty when unknown). */
  readonly source: string;
  readonly shardId: string | undefined;
  /** The record's sequence number as the stream gave it (may be empty: the sink then keys the letter by content). */
  readonly sequenceNumber: string;
  readonly eventId: string | undefined;
  readonly code: string;
  readonly reason: string;
  /** The stream record (absent for a flusher row, which carries `deltas`). */
  readonly record: DynamoDBRecord | undefined;
  readonly at: number;
  /**
   * The rows that do not hold this record yet (the others were applied by an earlier, partly successful
   * attempt). Absent: every row the record touches (a poison record touched none).
   */
  readonly pendingRows?: readonly DeadLetterRow[] | undefined;
  /** Row deltas to replay instead of re-folding a record (the Redis flusher's dead letters). */
  readonly deltas?: readonly DeadLetterDelta[] | undefined;
}

/**
 * Options of a {@link DeadLetterSink.send}.
 *
 * @example
 * ```ts
 * await sink.send(letters, { alongside: checkpointUpdate });
 * ```
 */
export interface DeadLetterSendOptions {
  /**
   * A write (e.g. the stream worker's checkpoint) that a sink able to do so commits atomically with the
   * letters; a failed condition on it stores nothing and throws. Sinks that cannot ignore it. As a function, the
   * write for the letters up to `last` (`final`: the last of them all): a sink may then commit the letters in order,
   * in several transactions, each with the write through its last letter (the stream worker's checkpoint moves with
   * each), so no letter is ever stored before the write that goes with it.
   */
  readonly alongside?:
    | TransactWriteItem
    | ((last: DeadLetter, final: boolean) => TransactWriteItem)
    | undefined;
}

/**
 * Where poison records go. Implement it to send them to SQS, S3 or a log; `send` must be idempotent for
 * the same record (it is called again when a batch is redelivered) and throw when it could not store them.
 *
 * @example
 * ```ts
 * const sqsSink: DeadLetterSink = {
 *   async send(letters) {
 *     await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: letters.map((l, i) => ({ Id: String(i), MessageBody: JSON.stringify(l) })) }));
 *   },
 * };
 * ```
 */
export interface DeadLetterSink {
  send(letters: readonly DeadLetter[], options?: DeadLetterSendOptions): Promise<void>;
  /**
   * True when `send` commits `options.alongside` in one transaction with the letters (a letter and the write are
   * both stored or neither) and, when the write's condition fails, stores nothing and throws an error whose `cause`
   * is the `TransactionCanceledException` (the write's reason last): the `DynamoDbDeadLetterSink`. The Redis
   * flusher then ties a refused row to its letter in that transaction (a re-run never sends the letter again);
   * without it, it ties first and sends the letter again on a re-run. The transaction runs on the sink's client, so
   * a sink that sets it must reach the aggregate table too (same region and account, a role that may update the
   * rows): a `DynamoDbDeadLetterSink` made on another client than the flusher's would fail every refused row's
   * flush (review h143).
   */
  readonly commitsAlongside?: boolean | undefined;
  /**
   * How many days the sink turns a letter sent again away (it keeps the letter, replayed, or a dropped letter's
   * tombstone that long): the `DynamoDbDeadLetterSink`'s `retentionDays`. The Redis flusher refuses a sink that says
   * fewer days than its keys live and a day (`CONFIG_INVALID`), since a re-run of a failed flush sends its letters
   * again while they live. Leave it unset when the sink remembers no letter (the flusher then checks nothing).
   */
  readonly retentionDays?: number | undefined;
}
