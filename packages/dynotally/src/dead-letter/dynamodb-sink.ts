import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { DeadLetter, DeadLetterSendOptions, DeadLetterSink } from './dead-letter.ts';
import { dedupeLetters, type LetterItems, letterItems, PART_BYTES } from './letter-item.ts';

/** Items and bytes one `TransactWriteItems` may carry (100 items, 4 MB), with headroom. */
const TX_ITEMS = DYNAMO_LIMITS.transactionItems - 1;
const TX_BYTES = 3_000_000; // of DYNAMO_LIMITS.transactionBytes (4 MB)

const bodyBytes = (e: LetterItems): number =>
  (e.main.body?.B?.length ?? 0) + e.parts.length * PART_BYTES + (e.parts.length + 1) * 10_000;

/**
 * The default dead-letter sink: a DynamoDB table (`pk` = `<stream ARN>|<shard id>`, `sk` = sequence number),
 * kept for `retentionDays` (default 14) via TTL. It accepts anything: the record is stored gzip-compressed
 * (split into part items when still over 300 KB, truncated to its keys past 32 parts), letters with the
 * same key are de-duplicated, missing fields get defaults (a record without a sequence number is keyed by a
 * hash of its content). A letter already stored is never overwritten (`attribute_not_exists`), so a record
 * dead-lettered again — a redelivered batch — stays one dead letter, and a replayed one stays replayed.
 *
 * With `options.alongside` (the stream worker's checkpoint) the letters and that write commit in one
 * `TransactWriteItems` when they fit (≤ 99 items, ≤ 3 MB); a failed condition on it stores nothing and
 * throws `LEASE_LOST`.
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
    readonly table: string,
    private readonly retentionDays = 14,
  ) {}

  async send(letters: readonly DeadLetter[], options: DeadLetterSendOptions = {}): Promise<void> {
    const entries = dedupeLetters(letters).map(({ letter, key }) =>
      letterItems(letter, key, this.retentionDays),
    );
    const alongside = options.alongside;
    if (alongside !== undefined) {
      const items = entries.reduce((n, e) => n + 1 + e.parts.length, 1);
      const bytes = entries.reduce((n, e) => n + bodyBytes(e), 0);
      if (items <= TX_ITEMS && bytes <= TX_BYTES && (await this.inTransaction(entries, alongside))) return;
    }
    await mapLimit(entries, 8, (e) => this.store(e));
    if (alongside !== undefined) await this.inTransaction([], alongside);
  }

  /** Parts first, then the main item only if no letter has that key yet. */
  private async store(e: LetterItems): Promise<void> {
    for (const part of e.parts)
      await withRetry(() => this.client.send(new PutItemCommand({ TableName: this.table, Item: part })));
    try {
      await withRetry(() =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: e.main,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // already stored (a redelivery): the first letter stands, replayed or not
    }
  }

  /**
   * Letters and `alongside` in one transaction. False when a letter already exists (the caller then
   * stores the rest one by one); throws `LEASE_LOST` when `alongside`'s condition fails.
   */
  private async inTransaction(
    entries: readonly LetterItems[],
    alongside: TransactWriteItem,
  ): Promise<boolean> {
    const items: TransactWriteItem[] = [];
    for (const e of entries) {
      for (const part of e.parts) items.push({ Put: { TableName: this.table, Item: part } });
      items.push({
        Put: { TableName: this.table, Item: e.main, ConditionExpression: 'attribute_not_exists(pk)' },
      });
    }
    items.push(alongside);
    try {
      await withRetry(() => this.client.send(new TransactWriteItemsCommand({ TransactItems: items })));
      return true;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const reasons = err.CancellationReasons ?? [];
      if (reasons[items.length - 1]?.Code === 'ConditionalCheckFailed')
        throw new DynotallyError(
          'LEASE_LOST',
          'the write committed with the dead letters (the shard checkpoint) was refused: another worker holds the shard now and will process these records',
          { cause: err },
        );
      if (reasons.some((r) => r?.Code === 'ConditionalCheckFailed')) return false;
      throw err;
    }
  }
}
