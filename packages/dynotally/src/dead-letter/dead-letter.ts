import type { DynamoDBRecord } from 'aws-lambda';

/**
 * A record that can never be applied, with why: what the dead-letter sink receives.
 *
 * @example
 * ```ts
 * const dl: DeadLetter = { source, shardId, sequenceNumber, eventId, code: 'VALUE_INVALID', reason: '…', record, at: Date.now() };
 * ```
 */
export interface DeadLetter {
  readonly source: string;
  readonly shardId: string | undefined;
  readonly sequenceNumber: string;
  readonly eventId: string | undefined;
  readonly code: string;
  readonly reason: string;
  readonly record: DynamoDBRecord;
  readonly at: number;
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
  send(letters: readonly DeadLetter[]): Promise<void>;
}
