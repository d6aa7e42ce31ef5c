// A DynamoDB client of its own that counts the Queries of a shard's exclusion items, for the tests that check a late
// batch reads them once (the Applier's and the Redis buffer's direct path).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { testClients } from './ddb.ts';

type Input = { ExpressionAttributeValues?: Record<string, { S?: string }> };

/**
 * A client that counts its `Query`s of exclusion items (partition `~wx#<shard>`); destroyed after the file's tests.
 *
 * @example
 * ```ts
 * const counting = countingExclusionReads();
 * await new Applier({ client: counting.client, table, rollups }).apply(input);
 * expect(counting.reads()).toBe(1);
 * ```
 */
export function countingExclusionReads(): { client: DynamoDBClient; reads: () => number } {
  const c = testClients();
  afterAll(() => c.destroy());
  let reads = 0;
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const pk = (args.input as Input).ExpressionAttributeValues?.[':pk']?.S ?? '';
      if (context.commandName === 'QueryCommand' && pk.startsWith('~wx#')) reads++;
      return next(args);
    },
    { step: 'initialize', name: 'countExclusionReads', priority: 'high' },
  );
  return { client: c.ddb, reads: () => reads };
}
