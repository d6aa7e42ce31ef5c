// DynamoDB refuses a TransactWriteItems whose items pass 4 MB (on every retry: the shard would be blocked), and
// DynamoDB Local does not enforce it, so these tests record every transaction sent and check, against the rows as
// stored, that no transaction updated more than 4 MB of items, and that the totals are right when the cutters
// cut by bytes. Rows here hold a 250 KB last() string: 20 of them are 5 MB. Both cutters: the `transaction`
// strategy's (rows of unknown size, counted at their kind's bound) and the per-shard transactional rows'
// (rows past the state budget, sized from the item the store returned). Before, each sent its 20 rows in one
// transaction.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/index.ts';
import { count, defineRollup, last } from '../../packages/dynotally/src/definition/index.ts';
import { DYNAMO_LIMITS } from '../../packages/dynotally/src/layout/dynamo-limits.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** The rows (`pk\u0000sk`, watermark items left out) each TransactWriteItems updated. */
const sent: string[][] = [];
clients.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'TransactWriteItemsCommand') {
      const items = (
        args.input as { TransactItems?: Array<{ Update?: { Key?: Record<string, { S?: string }> } }> }
      ).TransactItems;
      sent.push(
        (items ?? [])
          .map((i) => i.Update?.Key)
          .filter((k) => k?.pk?.S !== undefined && !k.pk.S.startsWith('~'))
          .map((k) => `${k?.pk?.S}\u0000${k?.sk?.S}`),
      );
    }
    return next(args);
  },
  { step: 'initialize', name: 'txRowsSent' },
);

const labels = defineRollup({
  name: 'labels',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), label: last('label') },
});
const GROUPS = 20;
const LABEL = 'x'.repeat(250_000);
const NOW = 1_763_800_060_000;

function batch(insert: ReturnType<typeof insertRecords>, round: number): DynamoDBRecord[] {
  return Array.from({ length: GROUPS }, (_, g) =>
    insert(`r${round}-${g}`, { g: { S: `g${g}` }, label: { S: LABEL } }),
  );
}

/** Every transaction's rows, sized as stored now, and the counts. */
async function stored(table: string) {
  const sizes = new Map<string, number>();
  const counts: Record<string, string> = {};
  for (const item of await scanTable(clients.ddb, table)) {
    const pk = item.pk?.S as string;
    sizes.set(`${pk}\u0000${item.sk?.S}`, itemSizeBytes(item));
    if (!pk.startsWith('~') && item.n?.N !== undefined) counts[pk] = item.n.N;
  }
  const txBytes = sent.map((rows) => rows.reduce((a, k) => a + (sizes.get(k) ?? 0), 0));
  return { counts, txBytes };
}

const expected = (n: number) =>
  Object.fromEntries(Array.from({ length: GROUPS }, (_, g) => [`labels#sg${g}`, String(n)]));

describe('transactions cut by bytes', () => {
  it("strategy 'transaction': no transaction updates more than 4 MB of rows, and the totals are right", async () => {
    const table = uniqueTableName('tx-bytes-strategy');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      client: clients.ddb,
      table,
      rollups: [labels],
      strategy: 'transaction',
      retry: { maxAttempts: 1 },
      now: () => NOW,
    });
    const insert = insertRecords();
    sent.length = 0;
    const first = batch(insert, 0);
    await applier.apply({ records: first, shardId: 'shard-0' });
    await applier.apply({ records: batch(insert, 1), shardId: 'shard-0' });
    // a redelivery of the first batch is skipped by the watermark item moved with each chunk
    await applier.apply({ records: first, shardId: 'shard-0' });
    const { counts, txBytes } = await stored(table);
    expect(counts).toEqual(expected(2));
    for (const bytes of txBytes) expect(bytes).toBeLessThanOrEqual(DYNAMO_LIMITS.transactionBytes);
    expect(sent.filter((rows) => rows.length > 0).length).toBeGreaterThan(2); // was: one transaction a batch
  });

  it('rows past the state budget: no transaction updates more than 4 MB of rows, and the totals are right', async () => {
    const table = uniqueTableName('tx-bytes-rows');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      client: clients.ddb,
      table,
      rollups: [labels],
      retry: { maxAttempts: 1 },
      pruneSampleEvery: 1,
      now: () => NOW,
      stateBudgetBytes: 0, // every row written by a shard is past the budget: its next write is transactional
    });
    const insert = insertRecords();
    sent.length = 0;
    // 1st batch: per-row writes; the rows are seen past the budget and marked
    await applier.apply({ records: batch(insert, 0), shardId: 'shard-0' });
    // 2nd batch: the 20 rows of 250 KB go through the per-shard transaction path
    const second = batch(insert, 1);
    await applier.apply({ records: second, shardId: 'shard-0' });
    await applier.apply({ records: second, shardId: 'shard-0' }); // a redelivery changes nothing
    const { counts, txBytes } = await stored(table);
    expect(counts).toEqual(expected(2));
    for (const bytes of txBytes) expect(bytes).toBeLessThanOrEqual(DYNAMO_LIMITS.transactionBytes);
    expect(sent.filter((rows) => rows.length > 0).length).toBeGreaterThan(1); // was: 20 rows in one transaction
  });
});
