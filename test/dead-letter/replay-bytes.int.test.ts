// A dead letter's replay cuts its transactions by bytes too (replay-chunks.ts, with the byte accounting of
// apply/transaction-bytes.ts). DynamoDB refuses a TransactWriteItems whose items pass 4 MB, on every attempt, so a
// replay of large rows would fail for good; DynamoDB Local does not enforce it, so this test records the items of
// every transaction sent and sizes them as stored after the replay: the rows (each keeping a 250 KB last() string)
// and the letter's item. Before, the replay cut rows 99 to a transaction, counting rows only: one record of 20
// rollups made one transaction of 20 rows of 250 KB, 5 MB.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { TRANSACTION_BYTES_BUDGET } from '../../packages/dynotally/src/apply/transaction-bytes.ts';
import { itemSizeBytes } from '../../packages/dynotally/src/cost/index.ts';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, last } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** The items (`pk\u0000sk`) each TransactWriteItems updated, with the table each is in. */
const sent: Array<Array<{ table: string; key: string }>> = [];
clients.ddb.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'TransactWriteItemsCommand') {
      const items = (
        args.input as {
          TransactItems?: Array<{ Update?: { TableName?: string; Key?: Record<string, { S?: string }> } }>;
        }
      ).TransactItems;
      sent.push(
        (items ?? []).map((i) => ({
          table: i.Update?.TableName ?? '',
          key: `${i.Update?.Key?.pk?.S}\u0000${i.Update?.Key?.sk?.S}`,
        })),
      );
    }
    return next(args);
  },
  { step: 'initialize', name: 'replayTxItemsSent' },
);

const ROLLUPS = 20;
const rollups = Array.from({ length: ROLLUPS }, (_, i) =>
  defineRollup({
    name: `labels${i}`,
    groupBy: 'g',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['all'],
    measures: { n: count(), label: last('label') },
  }),
);
const LABEL = 'x'.repeat(250_000);

/** Every item of the two tables by table and key, sized as stored now. */
async function sizes(tables: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const table of tables)
    for (const item of await scanTable(clients.ddb, table))
      out.set(`${table}\u0000${item.pk?.S}\u0000${item.sk?.S}`, itemSizeBytes(item));
  return out;
}

describe('dead-letter replay: transactions cut by bytes', () => {
  it('sends no transaction over the bytes budget, and counts the record once in every rollup', async () => {
    const table = uniqueTableName('replay-bytes');
    const dlt = uniqueTableName('replay-bytes-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    const record: DynamoDBRecord = insertRecords()('big', { g: { S: 'one' }, label: { S: LABEL } });
    const letter: DeadLetter = {
      source: record.eventSourceARN ?? '',
      shardId: 'shard-0',
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      eventId: record.eventID,
      code: 'APPLY_FAILED',
      reason: 'the rows could not be written then',
      record,
      at: 1_763_800_000_000,
    };
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
    sent.length = 0;
    const [result] = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlt,
      table,
      rollups,
      all: true,
    });
    expect(result).toMatchObject({ outcome: 'replayed', rows: ROLLUPS });
    const stored = await sizes([table, dlt]);
    const txBytes = sent.map((items) =>
      items.reduce((a, { table: t, key }) => a + (stored.get(`${t}\u0000${key}`) ?? 0), 0),
    );
    // every item of every transaction found as stored (the rows hold the label, the letter is still there)
    for (const items of sent)
      for (const { table: t, key } of items) expect(stored.has(`${t}\u0000${key}`)).toBe(true);
    expect(Math.max(...txBytes)).toBeGreaterThan(2_000_000); // the rows are large: several to a transaction
    for (const bytes of txBytes) expect(bytes).toBeLessThanOrEqual(TRANSACTION_BYTES_BUDGET);
    expect(sent.length).toBeGreaterThan(1); // was: one transaction of 20 rows
    const counts = (await scanTable(clients.ddb, table)).map((i) => [i.pk?.S, i.n?.N, i.label?.S?.length]);
    expect(counts.sort()).toEqual(
      Array.from({ length: ROLLUPS }, (_, i) => [`labels${i}#sone`, '1', LABEL.length]).sort(),
    );
    const [after] = await listDeadLetters({ client: clients.ddb, table: dlt });
    expect(after?.replayedAt).toBeDefined();
  });
});
