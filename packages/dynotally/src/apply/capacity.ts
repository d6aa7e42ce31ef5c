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
 * Write units of a committed transaction. DynamoDB bills every item of a `TransactWriteItems` twice its
 * size-based units (at least 2), index writes included, and reports exactly that. DynamoDB Local doubles
 * each item's units too, but sums only the distinct per-item amounts (measured: ten 1-unit items report 2,
 * not 20; items of 3 and 1 units report 8), so its figure is floored at 2 per item and per leaderboard
 * index write rather than doubled again.
 *
 * @example
 * ```ts
 * transactionUnits(out.ConsumedCapacity, 100); // 200 for 100 items under 1 KB
 * ```
 */
export function transactionUnits(c: ConsumedCapacity[] | undefined, items: number, indexWrites = 0): number {
  return Math.max(consumedUnits(c), 2 * (items + indexWrites));
}
