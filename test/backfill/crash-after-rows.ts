// A DynamoDB client that crashes a backfill between a chunk's rows and its progress write.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { testClients } from '../support/ddb.ts';

/**
 * A client (of its own, destroyed after the file's tests) whose first progress write after a chunk's rows fails:
 * the first UpdateItem that removes the journal throws, as a crash between the two would leave the run.
 *
 * @example
 * ```ts
 * await expect(runBackfill({ ...tables, ...base, client: crashAfterRows() })).rejects.toThrow(/crash/);
 * ```
 */
export function crashAfterRows(): DynamoDBClient {
  const c = testClients();
  afterAll(() => c.destroy());
  let crashed = false;
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        UpdateExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
      };
      if (
        !crashed &&
        context.commandName === 'UpdateItemCommand' &&
        input.UpdateExpression?.includes('REMOVE') === true &&
        Object.values(input.ExpressionAttributeNames ?? {}).includes('journal')
      ) {
        crashed = true;
        throw new Error('crash between the rows and the progress write');
      }
      return next(args);
    },
    { step: 'initialize', name: 'crashAfterRows' },
  );
  return c.ddb;
}
