// A row the store refuses (a sum past 38 digits) is written again record by record, and a record whose own write is
// refused is taken back from its other rows and dead-lettered. DynamoDB Local checks a write's condition before it
// computes the sum; the service does not document the order. A store that computed the sum first would refuse a
// redelivered record's write (the row already holds it: the condition fails) whenever adding it again would
// overflow. Taking that for "cannot be added here" dead-letters a record the row counts: the letter says it is in no
// count, and its replay adds it to that row a second time. Here a client reports every failed row write to one row
// as that refusal, and the case ends at the oracle only if the applier checks the write's condition on its own
// before it believes a refusal. On PartiQL, a row `UPDATE` whose condition fails comes back as a `ValidationError`,
// and the row ends up written by `UpdateItem` (refused the same way).
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
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
import { budgetApplier } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';
import { SUM_FIRST_NOW, SUM_FIRST_ROLLUPS, sumFirstStore } from './sum-first-store.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
const extra: Array<() => void> = [];
afterAll(() => {
  clients.destroy();
  for (const destroy of extra) destroy();
});

const rollups = SUM_FIRST_ROLLUPS;
const NOW = SUM_FIRST_NOW;

/** A row write: adds deltas only if the row's state for the shard is below the write's first record. */
const isRowWrite = (i: UpdateItemCommandInput) =>
  (i.ConditionExpression ?? '').includes('#w < :wf') && / ADD /.test(i.UpdateExpression ?? '');

describe.each(['update-item', 'partiql'] as const)(
  'a redelivered record whose row write is refused where its condition fails (a store that computes the sum first, %s)',
  (api) => {
    it('is treated as already applied: only the record that cannot be added is dead-lettered, and the replay ends at the oracle', async () => {
      const table = uniqueTableName('row-sum-first');
      const deadLetters = uniqueTableName('row-sum-first-dl');
      await createAggregateTable(clients.ddb, table);
      await createDeadLetterTable(clients.ddb, deadLetters);
      const next = insertRecords();
      const items: Array<Record<string, AttributeValue>> = [];
      const insert = (id: string, g: string, kind: string, amount: string): DynamoDBRecord => {
        const attrs = { g: { S: g }, kind: { S: kind }, amount: { N: amount } };
        items.push(attrs);
        return next(id, attrs);
      };
      const apply = (records: DynamoDBRecord[], shardId: string, client = clients.ddb) =>
        budgetApplier({
          client,
          table,
          rollups,
          api,
          deadLetter: new DynamoDbDeadLetterSink(client, deadLetters, 36_500),
          now: NOW,
        }).apply({ records, shardId });

      // amounts#sbig ends at 9e19 + 1e-18 (38 digits); a and b are in it and in kindSums#sk
      await apply([insert('p', 'big', 'p', '1e-18')], 'shard-0');
      const a = insert('a', 'big', 'k', '5e19');
      const b = insert('b', 'big', 'k', '4e19');
      const first = await apply([a, b], 'shard-1');
      expect(first.poison).toEqual([]);

      // the batch again, cut longer: c cannot be added to amounts#sbig (1e20 + 1e-18 needs 39 digits), and adding
      // a or b there again would overflow too, so the sum-first store refuses their (failing) writes the same way
      const c = insert('c', 'big', 'k', '1e19');
      const store = sumFirstStore('amounts#sbig', isRowWrite);
      extra.push(store.destroy);
      const again = await apply([a, b, c], 'shard-1', store.client);
      expect(store.rewritten()).toBeGreaterThanOrEqual(2); // a's and b's writes, record by record
      const seqOf = (r: DynamoDBRecord) => BigInt(r.dynamodb?.SequenceNumber ?? '');
      expect(again.poison.map((p) => [BigInt(p.sequenceNumber ?? -1), p.error.code])).toEqual([
        [seqOf(c), 'NUMBER_UNREPRESENTABLE'],
      ]);
      const letters = await listDeadLetters({ client: clients.ddb, table: deadLetters });
      expect(letters.map((l) => BigInt(l.sequenceNumber))).toEqual([seqOf(c)]);
      // the counts agree with the letter: every record but c, once
      expect(await exactCells(clients.ddb, table)).toEqual(amountOracle(items.slice(0, 3)));

      // q lowers amounts#sbig to 9e19, so the replay can add c there
      await apply([insert('q', 'big', 'q', '-1e-18')], 'shard-3');
      const replayed = await replayDeadLetters({
        client: clients.ddb,
        deadLetterTable: deadLetters,
        table,
        rollups,
        all: true,
      });
      expect(replayed.map((r) => r.outcome)).toEqual(['replayed']);
      expect(await exactCells(clients.ddb, table)).toEqual(amountOracle(items));
    });
  },
);
