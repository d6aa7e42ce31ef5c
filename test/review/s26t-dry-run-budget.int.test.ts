// Review s26t (the rebuilt `transaction` strategy): does `Applier.plan` (the dry run) send what apply sends?
// Under the `transaction` strategy a row of unknown size counts for its kind's bound plus the applier's
// `stateBudgetBytes` in a transaction's 4 MB, and apply cuts its transactions by that. The dry run
// (`plannedTransactions`) counted every row with the default budget (2048 bytes), whatever the applier's, so
// with a larger budget it showed 60 rows in one transaction where apply sends them in several, and with a smaller
// one the other way round (apply then packs more rows per transaction than shown). Fixed: the applier's budget is passed to the dry run (`SendsOptions.stateBudgetBytes`).
// Oracle: the TransactWriteItems apply sends to DynamoDB Local (SDK middleware), and the counts of the records.
import type { TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { counterCells } from '../apply/budget-support.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const sent: TransactWriteItemsCommandInput[] = [];
clients.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'TransactWriteItemsCommand')
      sent.push(structuredClone(args.input as TransactWriteItemsCommandInput));
    return next(args);
  },
  { step: 'initialize', name: 's26tTransactionsSent' },
);

const jobs = defineRollup({ name: 'jobs', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const NOW = 1_763_800_060_000;
const GROUPS = 60;

describe('s26t: the dry run of the transaction strategy cuts by the applier’s state budget', () => {
  it.each([100_000])('stateBudgetBytes %i: plan.sends are the transactions apply sends', async (budget) => {
    const table = uniqueTableName('s26t-dry-budget');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      client: clients.ddb,
      table,
      rollups: [jobs],
      strategy: 'transaction',
      stateBudgetBytes: budget,
      retry: { maxAttempts: 1 },
      now: () => NOW,
    });
    const insert = insertRecords();
    const records = Array.from({ length: GROUPS }, (_, g) => insert(`r${g}`, { g: { S: `g${g}` } }));
    const planned = applier
      .plan({ records, shardId: 'shard-0' })
      .sends.filter((s) => s.api === 'TransactWriteItems')
      .map((s) => s.input);
    sent.length = 0;
    await applier.apply({ records, shardId: 'shard-0' });
    expect(sent.length).toBeGreaterThan(1); // 60 rows of ~100 KB each do not fit 4 MB
    expect(planned).toEqual(sent);
    const cells = await counterCells(clients.ddb, table);
    expect(Object.keys(cells)).toHaveLength(GROUPS);
    for (const n of Object.values(cells)) expect(n).toBe('1');
  });
});
