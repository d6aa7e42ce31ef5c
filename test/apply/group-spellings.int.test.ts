// One group key reached through two interned leaves in one batch (a group number spelt '1' and '1.0') must be one
// row write: two writes of one row let the second find the first's shard state past it and drop its records.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, counterCells } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const byNumber = allTimeRollup('nums', 'g', true);

const cases: Array<{ name: string; options: Partial<ApplierOptions> }> = [
  { name: 'PartiQL', options: {} },
  { name: 'UpdateItem', options: { write: { api: 'update-item' } } },
];

describe.each(cases)('a group number spelt two ways in one batch ($name)', ({ options }) => {
  it('is counted once per record, as the oracle over the source items says', async () => {
    const table = uniqueTableName('spell');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [byNumber],
      ...options,
    });
    const insert = insertRecords();
    const spellings = ['1', '1.0', '1', '1.0', '1e0', '1'];
    const records = spellings.map((g, i) => insert(`i${i}`, { g: { N: g }, amount: { N: String(i + 1) } }));
    const { poison } = await applier.apply({ records, shardId: 'shard-0' });
    expect(poison).toEqual([]);
    // oracle: six items of group 1, amounts 1..6
    expect(await counterCells(clients.ddb, table)).toEqual({ 'nums#n1|n': '6', 'nums#n1|total': '21' });
    // a redelivery changes nothing
    await applier.apply({ records, shardId: 'shard-0' });
    expect(await counterCells(clients.ddb, table)).toEqual({ 'nums#n1|n': '6', 'nums#n1|total': '21' });
  });
});
