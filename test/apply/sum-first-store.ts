// A client that answers like a store which computes a write's sum before it checks the write's condition. DynamoDB
// Local checks the condition first; the service does not document the order. Where the condition fails and the sum
// cannot be stored, a sum-first store reports the refusal of the sum instead of ConditionalCheckFailed. Shared by
// the take-back and row-write tests of that order.
import type {
  BatchExecuteStatementCommandInput,
  BatchExecuteStatementCommandOutput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { testClients } from '../support/ddb.ts';
import { allTimeRollup } from './budget-support.ts';

/** The two all-time rollups of the sum-first cases: amounts by `g` and by `kind`, each with a count and a sum. */
export const SUM_FIRST_ROLLUPS = [
  allTimeRollup('amounts', 'g', true),
  allTimeRollup('kindSums', 'kind', true),
];
/** A minute after the records (insertRecords stamps 1763800000): within the redelivery horizon. */
export const SUM_FIRST_NOW = 1_763_800_060_000;

const OVERFLOW = 'Number overflow. Attempting to store a number with magnitude larger than supported range';

/** A PartiQL row `UPDATE` that adds to counters (`"a" = "a" + ?` or `if_not_exists`) on `pk`. */
const isRowUpdateOn = (pk: string, s: { Statement?: string; Parameters?: Array<{ S?: string }> }) =>
  (s.Statement ?? '').startsWith('UPDATE ') &&
  / \+ \?/.test(s.Statement ?? '') &&
  (s.Parameters ?? []).some((p) => p.S === pk);

/**
 * A client whose `UpdateItem`s on `pk` that `rewrites` selects and that fail their condition come back as the
 * refusal of a sum DynamoDB cannot store (the caller's case makes that sum out of range, so a sum-first store would
 * answer so), and whose PartiQL row `UPDATE`s on `pk` that fail their condition come back as the statement's
 * `ValidationError`. Every other request is answered by the store itself. `destroy` closes the client.
 *
 * @example
 * ```ts
 * const store = sumFirstStore('amounts#sbig', (i) => / ADD /.test(i.UpdateExpression ?? ''));
 * await applier(store.client).apply({ records, shardId });
 * expect(store.rewritten()).toBeGreaterThan(0);
 * ```
 */
export function sumFirstStore(pk: string, rewrites: (input: UpdateItemCommandInput) => boolean) {
  const { ddb: client, destroy } = testClients();
  let rewritten = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchExecuteStatementCommand') {
        const statements = (args.input as BatchExecuteStatementCommandInput).Statements ?? [];
        const result = await next(args);
        const responses = (result.output as BatchExecuteStatementCommandOutput).Responses ?? [];
        responses.forEach((r, i) => {
          const statement = statements[i];
          if (r.Error?.Code !== 'ConditionalCheckFailed' || statement === undefined) return;
          if (!isRowUpdateOn(pk, statement as Parameters<typeof isRowUpdateOn>[1])) return;
          rewritten++;
          responses[i] = { Error: { Code: 'ValidationError', Message: OVERFLOW } };
        });
        return result;
      }
      const input = args.input as UpdateItemCommandInput;
      if (context.commandName !== 'UpdateItemCommand' || !rewrites(input) || input.Key?.pk?.S !== pk)
        return next(args);
      try {
        return await next(args);
      } catch (e) {
        if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
        rewritten++;
        throw Object.assign(new Error(OVERFLOW), { name: 'ValidationException' });
      }
    },
    { step: 'initialize', name: 'sumFirstStore', priority: 'high' },
  );
  return { client, destroy, rewritten: () => rewritten };
}
