// A take-back marker (`x_<12 hex>`, apply/unrepresentable.ts) used to stay on its row for ever: every record refused
// for 38 digits left one on each other row it had reached, and a stream of such records (1e20, then 1e-19, over and
// over) could grow a row towards DynamoDB's 400 KB. The marker now holds the record's stream time, and a write that
// finds it older than the redelivery horizon plus its margin (26 h) drops it, as it drops stale shard states: no
// delivery of that record is applied or takes it back any more (see apply/late-records.ts; the margin keeps it for a
// late delivery that finishes the record's take-backs, test/apply/late-carried-marker.int.test.ts). Younger markers
// stay, and redeliveries still take back once.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { amounts, kinds } from './digits-rollups.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = 1_763_800_000_000; // the records' stream time (insertRecords)
const HOUR = 3_600_000;

const kindsRow = async (table: string): Promise<Record<string, AttributeValue>> => {
  const row = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'kinds#sk');
  if (row === undefined) throw new Error('no kinds row');
  return row;
};
const markers = (row: Record<string, AttributeValue>) =>
  Object.keys(row).filter((a) => /^x_[0-9a-f]{12}$/.test(a));

// (strategy 'transaction' sets no marker in this scenario: the refused record reaches no row its transaction
// commits, so there is nothing to take back; staleStatesOf serves its pruning all the same)
const WRITE_PATHS: Array<[string, Pick<ApplierOptions, 'write'>]> = [
  ['partiql', { write: { api: 'partiql' } }],
  ['update-item', { write: { api: 'update-item' } }],
];

describe.each(WRITE_PATHS)('take-back markers past the horizon (%s)', (name, path) => {
  it('are dropped by a later write of the row; younger ones stay, and the counts hold', async () => {
    const table = uniqueTableName(`agg-xprune-${name}`);
    await createAggregateTable(clients.ddb, table);
    let now = T + HOUR;
    const applier = (shardId: string) => {
      const a = new Applier({
        lateRecords: 'apply',
        client: clients.ddb,
        table,
        rollups: [amounts, kinds],
        ...path,
        now: () => now,
        pruneSampleEvery: 1,
        deadLetter: { send: async () => {} },
      });
      return (records: Parameters<Applier['apply']>[0]['records']) => a.apply({ records, shardId });
    };
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });

    const one = applier('shard-1');
    await one([insert('a', 'big', '1e20')]);
    const refused = [insert('b', 'big', '1e-19')]; // taken back from the kinds row: a marker there
    await one(refused);
    await one(refused); // redelivered: taken back once
    let row = await kindsRow(table);
    expect(markers(row)).toHaveLength(1);
    expect(row[markers(row)[0] as string]).toEqual({ N: String(T / 1000) });
    expect(row.n).toEqual({ N: '1' });

    // another shard writes the row within the horizon: the marker stays
    const two = applier('shard-2');
    await two([insert('c', 'small', '1')]);
    await two([insert('d', 'small', '1')]);
    expect(markers(await kindsRow(table))).toHaveLength(1);

    // 27 h after the record: the next writes learn the marker is stale and drop it
    now = T + 27 * HOUR;
    await two([insert('e', 'small', '1')]);
    await two([insert('f', 'small', '1')]);
    row = await kindsRow(table);
    expect(markers(row)).toEqual([]);
    expect(row.n).toEqual({ N: '5' }); // a, c, d, e, f: b taken back once, nothing taken back again
  });
});
