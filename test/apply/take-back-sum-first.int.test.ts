// A take-back is a conditional UpdateItem: take the record back only where the row has it and has not given it
// back. When its sum cannot be stored the store refuses it, and the row keeps the record for good (the letter leaves
// it out). DynamoDB Local checks the condition before the sum; the service does not document the order. A store
// that computed the sum first would report the refusal where the condition fails as well: on a row that already
// gave the record back in an earlier delivery. Taking that for "keeps the record" leaves the row out of the replay
// for good, and the row ends one record short. Here a client reports every failed take-back condition on one row as
// the refusal a sum-first store would send, and the case ends at the oracle only if the applier checks the
// condition on its own before it pins the row.
import type { DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  type DeadLetterSink,
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

/** A take-back: a conditional UpdateItem that adds the record's negated deltas once (its marker absent). */
const isTakeBack = (i: UpdateItemCommandInput) =>
  (i.ConditionExpression ?? '').includes('attribute_not_exists(#x)') &&
  / ADD /.test(i.UpdateExpression ?? '');

/** A client whose failed take-backs on `pk` come back as the refusal of their sum (the case below makes it so). */
function sumFirstTakeBacks(pk: string) {
  const store = sumFirstStore(pk, isTakeBack);
  extra.push(store.destroy);
  return store;
}

/** A dead-letter sink whose first `send` throws (a crash before the letter). */
function crashingOnce(sink: DeadLetterSink): DeadLetterSink {
  let crashed = false;
  return {
    async send(letters: readonly DeadLetter[]) {
      if (!crashed) {
        crashed = true;
        throw Object.assign(new Error('injected crash before the letter'), { name: 'InjectedCrash' });
      }
      await sink.send(letters);
    },
  };
}

describe('a take-back refused where its condition fails (a store that computes the sum first)', () => {
  it('the row that gave the record back is not pinned: the letter names it and the replay ends at the oracle', async () => {
    const table = uniqueTableName('sum-first');
    const deadLetters = uniqueTableName('sum-first-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, deadLetters);
    const next = insertRecords();
    const items: Array<Record<string, AttributeValue>> = [];
    const insert = (id: string, g: string, kind: string, amount: string): DynamoDBRecord => {
      const attrs = { g: { S: g }, kind: { S: kind }, amount: { N: amount } };
      items.push(attrs);
      return next(id, attrs);
    };
    const sink = (client: DynamoDBClient) => new DynamoDbDeadLetterSink(client, deadLetters, 36_500);
    const apply = (
      records: DynamoDBRecord[],
      shardId: string,
      client = clients.ddb,
      dl: DeadLetterSink = sink(client),
    ) =>
      budgetApplier({ client, table, rollups, api: 'update-item', deadLetter: dl, now: NOW }).apply({
        records,
        shardId,
      });

    // amounts#sbig holds 1e-19: d (-1e20) cannot be added there (39 digits), so d is refused and taken back from
    // kindSums#sk, where d and o (+1e20) were added (sum 0): the take-back leaves 1e20 and succeeds. The letter's
    // send crashes, so the batch will be delivered again.
    await apply([insert('p', 'big', 'p', '1e-19')], 'shard-1');
    const batch = [insert('d', 'big', 'k', '-1e20'), insert('o', 'other', 'k', '1e20')];
    await expect(apply(batch, 'shard-1', clients.ddb, crashingOnce(sink(clients.ddb)))).rejects.toThrow(
      'injected crash',
    );
    expect(await listDeadLetters({ client: clients.ddb, table: deadLetters })).toEqual([]);
    // r on another shard: kindSums#sk = 9e20 + 1e-17 (38 digits), so taking d back again (+1e20) cannot be stored;
    // q lowers amounts#sbig to 0, so the replay can add d there
    await apply([insert('r', 'other2', 'k', '800000000000000000000.00000000000000001')], 'shard-2');
    await apply([insert('q', 'big', 'q', '-1e-19')], 'shard-3');

    // the redelivery: kindSums#sk gave d back already, so the take-back's condition fails; the sum-first store
    // reports the refusal of its sum instead
    const store = sumFirstTakeBacks('kindSums#sk');
    const again = await apply(batch, 'shard-1', store.client);
    expect(again.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    expect(store.rewritten()).toBe(1);
    const letters = await listDeadLetters({ client: clients.ddb, table: deadLetters });
    // no row kept d: the letter leaves no row out
    expect(letters.map((l) => l.pendingRows?.map((r) => r.pk).sort() ?? 'every row')).toEqual(['every row']);

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
});
