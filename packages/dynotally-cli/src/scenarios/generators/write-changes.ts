import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynotallyError } from 'dynotally';
import type { SourceChange } from './types.ts';

const BATCH = 25;
const MAX_ATTEMPTS = 8;

/**
 * A change that reached the source table, with the time DynamoDB acknowledged it (epoch ms).
 *
 * @example
 * ```ts
 * for (const { change, writtenAt } of await writeChanges(client, table, changes)) console.log(change.kind, writtenAt);
 * ```
 */
export interface WrittenChange {
  readonly change: SourceChange;
  readonly writtenAt: number;
}

/**
 * The `WriteRequest` of one change (a `PutRequest` or a `DeleteRequest`).
 *
 * @example
 * ```ts
 * writeRequest({ kind: 'delete', key: { pk: 'job#acme', sk: 'j-1' }, group: 'acme', previous: job });
 * // { DeleteRequest: { Key: { pk: { S: 'job#acme' }, sk: { S: 'j-1' } } } }
 * ```
 */
export function writeRequest(change: SourceChange): WriteRequest {
  return change.kind === 'delete'
    ? { DeleteRequest: { Key: marshall({ pk: change.key.pk, sk: change.key.sk }) } }
    : { PutRequest: { Item: marshall(change.item) } };
}

/**
 * Cuts changes, in order, into `BatchWriteItem` groups of at most 25 whose keys are distinct (DynamoDB
 * rejects a batch that names a key twice, and the order of writes to one key must be kept).
 *
 * @example
 * ```ts
 * writeBatches(changes).length; // ≥ ceil(changes.length / 25)
 * ```
 */
export function writeBatches(changes: readonly SourceChange[]): SourceChange[][] {
  const batches: SourceChange[][] = [];
  let current: SourceChange[] = [];
  let keys = new Set<string>();
  for (const change of changes) {
    const key =
      change.kind === 'delete'
        ? `${change.key.pk}\u0000${change.key.sk}`
        : `${change.item.pk}\u0000${change.item.sk}`;
    if (current.length === BATCH || keys.has(key)) {
      batches.push(current);
      current = [];
      keys = new Set();
    }
    current.push(change);
    keys.add(key);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Writes changes to the source table in order, with `BatchWriteItem` (unprocessed items retried with
 * backoff), and returns when each was acknowledged. Your client is not destroyed.
 *
 * @throws {DynotallyError} `SOURCE_WRITE_FAILED` when items stay unprocessed after bounded retries; the SDK's
 * own errors (a missing table, an unreachable endpoint) are passed on.
 * @example
 * ```ts
 * const written = await writeChanges(client, 'dynotally-source', [gen.next(Date.now())]);
 * ```
 */
export async function writeChanges(
  client: DynamoDBClient,
  table: string,
  changes: readonly SourceChange[],
): Promise<WrittenChange[]> {
  const written: WrittenChange[] = [];
  for (const batch of writeBatches(changes)) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const out = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: pending.map(writeRequest) } }),
      );
      const at = Date.now();
      const left = out.UnprocessedItems?.[table] ?? [];
      const unprocessed = new Set(left.map((r) => JSON.stringify(r)));
      const retry: SourceChange[] = [];
      for (const change of pending) {
        if (unprocessed.has(JSON.stringify(writeRequest(change)))) retry.push(change);
        else written.push({ change, writtenAt: at });
      }
      if (retry.length > 0 && attempt >= MAX_ATTEMPTS) {
        throw new DynotallyError(
          'SOURCE_WRITE_FAILED',
          `${retry.length} source writes stayed unprocessed after ${attempt} attempts: lower the rate (--rate) or raise the table's capacity`,
          { details: { table, unprocessed: retry.length } },
        );
      }
      if (retry.length > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 25 * 2 ** attempt)));
      pending = retry;
    }
  }
  return written;
}
