// A sum that would need more than DynamoDB's 38 significant digits (1e20, then 1e-19 in a later batch) cannot be
// stored: the record whose delta cannot be added is a NUMBER_UNREPRESENTABLE dead letter that leaves no trace
// (its other rows are compensated exactly once), every other record is applied exactly once, and the shard
// goes on — redelivering the batch changes nothing.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { amounts, kinds } from './digits-rollups.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const next = insertRecords();
const insert = (id: string, g: string, amount: string) =>
  next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });

const cells = async (table: string) => {
  const out: Record<string, string> = {};
  for (const item of await scanTable(clients.ddb, table))
    for (const a of ['n', 'total'])
      if (item[a]?.N !== undefined) out[`${item.pk?.S}|${a}`] = item[a]?.N as string;
  return out;
};

describe.each<WriteApi>(['partiql', 'update-item'])('a sum beyond 38 digits (%s)', (api) => {
  let table: string;
  const letters: DeadLetter[] = [];
  let applier: Applier;
  const first = [insert('a', 'big', '1e20'), insert('b', 'small', '2')];
  const second = [insert('c', 'small', '3'), insert('d', 'big', '1e-19'), insert('e', 'big', '5')];

  beforeAll(async () => {
    table = uniqueTableName(`agg-digits-${api}`);
    await createAggregateTable(clients.ddb, table);
    applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [amounts, kinds],
      write: { api },
      deadLetter: { send: async (l) => void letters.push(...l) },
    });
  });

  it('dead-letters the record that cannot be added, applies the rest once, and the shard goes on', async () => {
    await applier.apply({ records: first, shardId: 'shard-1' });
    const { poison } = await applier.apply({ records: second, shardId: 'shard-1' });
    expect(poison.map((p) => [p.sequenceNumber?.replace(/^0+/, ''), p.error.code])).toEqual([
      [second[1]?.dynamodb?.SequenceNumber, 'NUMBER_UNREPRESENTABLE'],
    ]);
    expect(letters.map((l) => [l.sequenceNumber, l.code])).toEqual([
      [second[1]?.dynamodb?.SequenceNumber, 'NUMBER_UNREPRESENTABLE'],
    ]);
    const expected = {
      'amounts#sbig|n': '2', // a and e, not d
      'amounts#sbig|total': '100000000000000000005',
      'amounts#ssmall|n': '2',
      'amounts#ssmall|total': '5',
      'kinds#sk|n': '4', // d's count in another rollup is taken back
    };
    expect(await cells(table)).toEqual(expected);
    // redelivered whole and in halves: nothing changes, the poison record is found again (same dead letter)
    await applier.apply({ records: second, shardId: 'shard-1' });
    await applier.apply({ records: second.slice(0, 2), shardId: 'shard-1' });
    await applier.apply({ records: second.slice(1), shardId: 'shard-1' });
    await applier.apply({ records: [...first, ...second], shardId: 'shard-1' });
    expect(await cells(table)).toEqual(expected);
  });
});
