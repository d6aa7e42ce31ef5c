import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

/**
 * Capacity units in a `ConsumedCapacity` answer (one or many tables, indexes included).
 *
 * @example
 * ```ts
 * const out = await client.send(new UpdateItemCommand({ ...input, ReturnConsumedCapacity: 'INDEXES' }));
 * consumedUnits(out.ConsumedCapacity); // e.g. 2 (1 KB row + its leaderboard index entry)
 * ```
 */
export function consumedUnits(c: ConsumedCapacity | ConsumedCapacity[] | undefined): number {
  if (c === undefined) return 0;
  if (Array.isArray(c)) {
    let sum = 0;
    for (const x of c) sum += consumedUnits(x);
    return sum;
  }
  return c.CapacityUnits ?? c.WriteCapacityUnits ?? 0;
}

/**
 * Write units of a committed transaction: DynamoDB bills transactional writes twice the standard size-based
 * units. DynamoDB Local reports the standard units only, so the reported figure is doubled unless it is
 * already at least twice the item count (the minimum a real transaction reports).
 *
 * @example
 * ```ts
 * transactionUnits(out.ConsumedCapacity, 100); // 200 for 100 items under 1 KB
 * ```
 */
export function transactionUnits(c: ConsumedCapacity[] | undefined, items: number): number {
  const reported = consumedUnits(c);
  if (reported === 0) return 2 * items;
  return reported >= 2 * items ? reported : 2 * reported;
}
