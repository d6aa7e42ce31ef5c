import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { consumedUnits, transactionUnits } from '../../packages/dynotally/src/apply/index.ts';

/** Item writes and write units a client sent, by DynamoDB's billing rules. */
export interface WriteTotals {
  /** Item writes (`PutItem`, `UpdateItem`, `DeleteItem`, each item of a transaction or batch). */
  writes: number;
  /** Write units: larger of item before/after in 1 KB units, index writes included, transactions doubled. */
  writeUnits: number;
  /** Requests sent (any command), for requests per event. */
  requests: number;
}

const SINGLE = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/**
 * Meters every write a client sends, whoever builds the request (dynotally, the naive ADDs,
 * Powertools' idempotency store): asks each write for `ReturnConsumedCapacity: 'INDEXES'` when the
 * caller did not, and adds up what DynamoDB (Local) reports, which sizes items by the same rules the
 * service bills by. DynamoDB Local reports a transaction's standard units only, so transactions are
 * doubled as the service bills them (`transactionUnits`).
 *
 * @example
 * ```ts
 * const meter = meterWrites(client);
 * await contender.handle(batch);
 * console.log(meter.totals().writeUnits);
 * ```
 */
export function meterWrites(client: DynamoDBClient): { totals(): WriteTotals; reset(): void } {
  let totals: WriteTotals = { writes: 0, writeUnits: 0, requests: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const input = args.input as {
        ReturnConsumedCapacity?: string;
        TransactItems?: unknown[];
        RequestItems?: Record<string, unknown[]>;
      };
      const transact = command === 'TransactWriteItemsCommand';
      const batch = command === 'BatchWriteItemCommand';
      const write = SINGLE.has(command) || transact || batch;
      if (write && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'INDEXES';
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        totals.requests++;
        // A failed condition is still a billed write (at least one unit; its size is not reported).
        if (
          SINGLE.has(command) &&
          error instanceof Error &&
          error.name === 'ConditionalCheckFailedException'
        ) {
          totals.writes++;
          totals.writeUnits++;
        }
        throw error;
      }
      totals.requests++;
      if (!write) return result;
      const capacity = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
        .ConsumedCapacity;
      if (transact) {
        const items = (input.TransactItems ?? []).filter(
          (t) => !(t && typeof t === 'object' && 'ConditionCheck' in t),
        ).length;
        totals.writes += items;
        totals.writeUnits += transactionUnits(capacity as ConsumedCapacity[] | undefined, items);
      } else if (batch) {
        totals.writes += Object.values(input.RequestItems ?? {}).reduce((n, list) => n + list.length, 0);
        totals.writeUnits += consumedUnits(capacity);
      } else {
        totals.writes++;
        totals.writeUnits += consumedUnits(capacity) || 1;
      }
      return result;
    },
    { step: 'initialize', name: 'benchWriteMeter' },
  );
  return {
    totals: () => ({ ...totals }),
    reset: () => {
      totals = { writes: 0, writeUnits: 0, requests: 0 };
    },
  };
}
