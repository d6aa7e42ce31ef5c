import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../apply/map-limit.ts';
import { withRetry } from '../apply/retry.ts';
import { DynotallyError } from '../errors/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { checkTableName } from '../layout/table-name.ts';
import type { DeadLetter, DeadLetterSendOptions, DeadLetterSink } from './dead-letter.ts';
import { dedupeLetters, type LetterItems, letterItems, PART_BYTES } from './letter-item.ts';
import { DEFAULT_LETTER_RETENTION_DAYS } from './letter-retention.ts';

/** Items and bytes one `TransactWriteItems` may carry (100 items, 4 MB), with headroom. */
const TX_ITEMS = DYNAMO_LIMITS.transactionItems - 1;
const TX_BYTES = 3_000_000; // of DYNAMO_LIMITS.transactionBytes (4 MB)

const bodyBytes = (e: LetterItems): number =>
  (e.main.body?.B?.length ?? 0) + e.parts.length * PART_BYTES + (e.parts.length + 2) * 10_000;
/** Items a letter writes: its main item, its parts and its id entry. */
const itemsOf = (e: LetterItems): number => 2 + e.parts.length;

/** Letters and one more write (the checkpoint) fit one transaction. */
function fitsTransaction(entries: readonly LetterItems[]): boolean {
  let items = 1;
  let bytes = 0;
  for (const e of entries) {
    items += itemsOf(e);
    bytes += bodyBytes(e);
  }
  return items <= TX_ITEMS && bytes <= TX_BYTES;
}

/**
 * The letters cut, in order, into runs that each fit one transaction with one more write; a letter too large for
 * any transaction is a run of its own (stored alone, then the write).
 */
function transactionChunks(entries: readonly LetterItems[]): LetterItems[][] {
  const chunks: LetterItems[][] = [];
  let chunk: LetterItems[] = [];
  let items = 1; // the write that goes with the chunk
  let bytes = 0;
  for (const e of entries) {
    const more = itemsOf(e);
    const size = bodyBytes(e);
    if (chunk.length > 0 && (items + more > TX_ITEMS || bytes + size > TX_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      items = 1;
      bytes = 0;
    }
    chunk.push(e);
    items += more;
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * The default dead-letter sink: a DynamoDB table (`pk` = `<stream ARN>|<shard id>`, `sk` = sequence number),
 * kept for `retentionDays` (default 14) via TTL. It accepts anything: the record is stored gzip-compressed
 * (split into part items when still over 300 KB, truncated to its keys past 32 parts), letters with the
 * same key are de-duplicated, missing fields get defaults (a record without a sequence number is keyed by a
 * hash of its content). Each letter also gets an id entry (a small item: its id to its key, `idEntry`), so reading
 * it by id (`getDeadLetters`, `dynotally dead-letters show <id>`) is two reads, not a scan. A letter already stored is never overwritten (`attribute_not_exists`), so a record
 * dead-lettered again — a redelivered batch, the re-run of a Redis flush that failed after its letters — stays one
 * dead letter, a replayed one stays replayed, and a dropped one stays dropped: its tombstone holds the key until the
 * letter's `ttl` (`dropDeadLetters`). Keep `retentionDays` longer than any writer may send a letter again: the Redis
 * buffer's `keyTtlMs` (7 days by default) and a day for the flusher's, which `createFlusher` checks
 * (`CONFIG_INVALID`, {@link leastLetterRetentionDays}).
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
  /** `alongside` commits with the letters (see {@link DeadLetterSink.commitsAlongside}). */
  readonly commitsAlongside = true;

  constructor(
    private readonly client: DynamoDBClient,
    readonly table: string,
    /** Days a letter's key stays taken (the letter, replayed or not, or a dropped letter's tombstone); default 14. */
    readonly retentionDays = DEFAULT_LETTER_RETENTION_DAYS,
  ) {
    // checked here, not by the first letter's write, which would fail its batch on every delivery
    checkTableName(table, 'deadLetter.table');
    if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `retentionDays must be a positive number of days (default 14), got ${retentionDays}`,
        { details: { retentionDays } },
      );
    }
  }

  async send(letters: readonly DeadLetter[], options: DeadLetterSendOptions = {}): Promise<void> {
    const deduped = dedupeLetters(letters);
    const entries = deduped.map(({ letter, key }) => letterItems(letter, key, this.retentionDays));
    const alongside = options.alongside;
    if (alongside === undefined) {
      await mapLimit(entries, 8, (e) => this.store(e));
      return;
    }
    if (typeof alongside !== 'function') {
      await this.commit(entries, alongside);
      return;
    }
    // in order, a transaction at a time, each with the write through its last letter
    const chunks = transactionChunks(entries);
    let from = 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as LetterItems[];
      from += chunk.length;
      const last = (deduped[from - 1] as { letter: DeadLetter }).letter;
      await this.commit(chunk, alongside(last, i === chunks.length - 1));
    }
    if (chunks.length === 0) {
      const last = letters.at(-1);
      if (last !== undefined) await this.inTransaction([], alongside(last, true));
    }
  }

  /**
   * The letters with `alongside` in one transaction when they fit; else (too many, too large, or a letter already
   * stored by an earlier delivery) stored one by one, then `alongside` alone.
   */
  private async commit(entries: readonly LetterItems[], alongside: TransactWriteItem): Promise<void> {
    if (fitsTransaction(entries) && (await this.inTransaction(entries, alongside))) return;
    await mapLimit(entries, 8, (e) => this.store(e));
    await this.inTransaction([], alongside);
  }

  /**
   * Parts first, then the main item only if no letter (nor the tombstone of a dropped one) has that key yet. A letter
   * with parts first reads its key (consistently): when a letter or a tombstone is there, nothing is written, so a
   * letter sent again at a dropped one's tombstone leaves no orphan parts (review s33r). The conditional put stays
   * the guard: a letter stored between the read and the put only leaves its parts behind until their `ttl`.
   */
  private async store(e: LetterItems): Promise<void> {
    // the id entry first (the same id, the same key): a letter is never stored without one
    await this.putEntry(e.entry);
    if (e.parts.length > 0 && (await this.stored(e.main))) return;
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
   * Puts a letter's id entry unless one with a later (or the same) `ttl` stands: the letter already stored keeps its
   * own `ttl` (never overwritten), so a re-send with an earlier `at` or by a sink with a smaller `retentionDays` must
   * not shorten its entry's, or DynamoDB could delete the entry first and the id would fall back to the scan (review
   * s44d). A later `ttl` is taken: a letter stored afresh after the old one expired (its entry not yet deleted).
   */
  private async putEntry(entry: Record<string, AttributeValue>): Promise<void> {
    try {
      await withRetry(() =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: entry,
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :ttl',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':ttl': entry.ttl as AttributeValue },
          }),
        ),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // an entry as late or later stands: it points at the same key (the id is the key's hash)
    }
  }

  /** Whether an item (a letter, or a dropped one's tombstone) holds the key of `main`. */
  private async stored(main: Record<string, AttributeValue>): Promise<boolean> {
    const got = await withRetry(() =>
      this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { pk: main.pk as AttributeValue, sk: main.sk as AttributeValue },
          ConsistentRead: true,
          ProjectionExpression: 'pk',
        }),
      ),
    );
    return got.Item !== undefined;
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
      // unconditional: the transaction commits only with the letter new, whose ttl this is (refused whole when the
      // letter is there; store() then keeps the later of the two entries)
      items.push({ Put: { TableName: this.table, Item: e.entry } });
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
