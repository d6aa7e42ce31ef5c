import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import type { DeadLetter, DeadLetterSink } from './dead-letter.ts';

/**
 * The default dead-letter sink: a DynamoDB table (`pk` = stream/shard, `sk` = sequence number, so a
 * redelivered poison record overwrites itself), kept for `retentionDays` (default 14) via TTL.
 *
 * @example
 * ```ts
 * const sink = new DynamoDbDeadLetterSink(client, 'dynotally-dead-letters');
 * createStreamHandler({ rollups, client, table: 'aggregates', deadLetter: sink });
 * ```
 */
export class DynamoDbDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly retentionDays = 14,
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<void> {
    for (let i = 0; i < letters.length; i += 25) {
      let requests: WriteRequest[] = letters.slice(i, i + 25).map((l) => ({
        PutRequest: {
          Item: {
            pk: { S: `${l.source}|${l.shardId ?? ''}` },
            sk: { S: l.sequenceNumber },
            code: { S: l.code },
            reason: { S: l.reason },
            eventId: { S: l.eventId ?? '' },
            record: { S: JSON.stringify(l.record) },
            at: { N: String(l.at) },
            ttl: { N: String(Math.floor(l.at / 1000) + this.retentionDays * 86_400) },
          },
        },
      }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 8) {
          throw new DynotallyError(
            'APPLY_FAILED',
            `could not write ${requests.length} dead letters to '${this.table}'`,
            { details: { table: this.table } },
          );
        }
        const out = await withRetry(() =>
          this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.table]: requests } })),
        );
        requests = out.UnprocessedItems?.[this.table] ?? [];
        if (requests.length > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  }
}
