// What an applier sent and what the store answered, counted on the client: UpdateItems, PartiQL statements using
// if_not_exists, and the refusals in BatchExecuteStatement answers that tell how a row's first statement went.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Counts since the last {@link SentTally.reset}. */
export interface SentTally {
  updateItems: number;
  /** PartiQL statements sent with `if_not_exists` (an UPDATE of a row that may lack attributes). */
  ifNotExists: number;
  /** Statements refused with `DuplicateItem` (an INSERT of a stored row). */
  duplicate: number;
  /** Statements refused with `ConditionalCheckFailed` and no item (an UPDATE of a missing row). */
  missing: number;
  /** Statements refused with `ValidationError`. */
  validation: number;
  reset(): void;
}

/**
 * Adds a middleware to `client` that counts what it sends and the refusals it gets back.
 *
 * @example
 * ```ts
 * const sent = tallySent(clients.ddb);
 * await applier.apply({ records, shardId });
 * expect(sent.duplicate).toBe(0);
 * ```
 */
export function tallySent(client: DynamoDBClient): SentTally {
  const tally: SentTally = {
    updateItems: 0,
    ifNotExists: 0,
    duplicate: 0,
    missing: 0,
    validation: 0,
    reset() {
      tally.updateItems = 0;
      tally.ifNotExists = 0;
      tally.duplicate = 0;
      tally.missing = 0;
      tally.validation = 0;
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand') tally.updateItems++;
      if (context.commandName !== 'BatchExecuteStatementCommand') return next(args);
      const statements = (args.input as { Statements?: Array<{ Statement?: string }> }).Statements ?? [];
      for (const s of statements) if (s.Statement?.includes('if_not_exists') === true) tally.ifNotExists++;
      const out = await next(args);
      const responses = (out.output as { Responses?: Array<{ Error?: { Code?: string; Item?: unknown } }> })
        .Responses;
      for (const r of responses ?? []) {
        const code = r.Error?.Code;
        if (code === 'DuplicateItem') tally.duplicate++;
        else if (code === 'ValidationError') tally.validation++;
        else if (code === 'ConditionalCheckFailed' && r.Error?.Item === undefined) tally.missing++;
      }
      return out;
    },
    { step: 'initialize', name: 'tallySent' },
  );
  return tally;
}
