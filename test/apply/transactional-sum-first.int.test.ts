// A transactional row (its exactly-once state over the budget) is written by a TransactWriteItems that moves the
// shard's watermark item, conditioned on the value read, and on the row's own state being as believed. When a row's
// sum cannot be stored the store refuses the transaction, and the record is dead-lettered. DynamoDB does not document
// whether it checks a condition before it computes a sum. Where an earlier delivery of the same records committed
// meanwhile, the conditions fail, and a store that sums first reports the refusal of the sum for the row whose
// condition failed: taking that for "cannot be added" dead-letters a record the row counts, and its replay adds it
// there again. Here the earlier delivery's transaction commits just before this one is sent, and the row's failed
// condition is answered as that refusal; the case ends at the oracle only if the refusal is believed only once every
// condition of the transaction is known to hold.
import {
  type DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { amountOracle, exactCells } from './amount-cells.ts';
import { budgetApplier, isMarked } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';
import { SUM_FIRST_NOW, SUM_FIRST_ROLLUPS } from './sum-first-store.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
const racing = testClients();
afterAll(() => {
  clients.destroy();
  racing.destroy();
});

const rollups = SUM_FIRST_ROLLUPS;
const NOW = SUM_FIRST_NOW;

/**
 * Once armed, the next `TransactWriteItems` is committed first by another client (an earlier delivery of the same
 * records, under its own request token), then sent; its row updates on `pk` that fail their condition come back as
 * the refusal of a sum DynamoDB cannot store, as a store that sums first would answer (the case makes that sum out of
 * range).
 */
function racedSumFirst(client: DynamoDBClient, pk: string) {
  let armed = false;
  let rewritten = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      const input = args.input as TransactWriteItemsCommandInput;
      if (armed) {
        armed = false;
        await clients.ddb.send(
          new TransactWriteItemsCommand({
            ...input,
            ClientRequestToken: `e-${input.ClientRequestToken?.slice(2)}`,
          }),
        );
      }
      try {
        return await next(args);
      } catch (e) {
        if (!(e instanceof TransactionCanceledException)) throw e;
        e.CancellationReasons = e.CancellationReasons?.map((r, i) => {
          const update = input.TransactItems?.[i]?.Update;
          if (r.Code !== 'ConditionalCheckFailed' || update?.Key?.pk?.S !== pk) return r;
          rewritten++;
          return {
            Code: 'ValidationError',
            Message:
              'Number overflow. Attempting to store a number with magnitude larger than supported range',
          };
        });
        throw e;
      }
    },
    { step: 'initialize', name: 'racedSumFirst', priority: 'high' },
  );
  return {
    arm: () => {
      armed = true;
    },
    rewritten: () => rewritten,
  };
}

describe('a transactional row refused where its condition fails (an earlier delivery committed; a store that sums first)', () => {
  it('the record is not dead-lettered: the row holds it once, and the counts equal the oracle', async () => {
    const table = uniqueTableName('tx-sum-first');
    const deadLetters = uniqueTableName('tx-sum-first-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, deadLetters);
    const next = insertRecords();
    const items: Array<Record<string, AttributeValue>> = [];
    const insert = (id: string, g: string, amount: string): DynamoDBRecord => {
      const attrs = { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } };
      items.push(attrs);
      return next(id, attrs);
    };
    const race = racedSumFirst(racing.ddb, 'amounts#sbig');
    const apply = (records: DynamoDBRecord[], shardId: string, client = clients.ddb) =>
      budgetApplier({
        client,
        table,
        rollups,
        api: 'update-item',
        deadLetter: new DynamoDbDeadLetterSink(client, deadLetters, 36_500),
        now: NOW,
        budget: 0,
      }).apply({ records, shardId });

    // shard-0's state is on amounts#sbig when shard-1 first writes it: over a budget of 0, it goes transactional
    await apply([insert('z', 'big', '1e-18')], 'shard-0');
    await apply([insert('a', 'big', '5e19')], 'shard-1');
    expect(await isMarked(clients.ddb, table, 'amounts#sbig')).toBe(true);

    // b's transaction commits as an earlier delivery's just before this one is sent: amounts#sbig holds 9e19 + 1e-18
    // (38 digits), and adding b again would need 39, so the sum-first store refuses it where its condition fails
    race.arm();
    const result = await apply([insert('b', 'big', '4e19')], 'shard-1', racing.ddb);
    expect(race.rewritten()).toBeGreaterThanOrEqual(1);
    expect(result.poison).toEqual([]);
    expect(await listDeadLetters({ client: clients.ddb, table: deadLetters })).toEqual([]);
    expect(await exactCells(clients.ddb, table)).toEqual(amountOracle(items));

    // q lowers amounts#sbig to 9e19, where a letter of b could be replayed: there is none, and the counts stay at
    // the oracle
    await apply([insert('q', 'big', '-1e-18')], 'shard-3');
    const replayed = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: deadLetters,
      table,
      rollups,
      all: true,
    });
    expect(replayed).toEqual([]);
    expect(await exactCells(clients.ddb, table)).toEqual(amountOracle(items));
  });
});
