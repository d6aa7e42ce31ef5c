// A record dead-lettered at apply time (NUMBER_UNREPRESENTABLE: its amount cannot be added to a row's sum within 38
// digits) must leave no trace, in its min / max / last cells too. The row-watermark path wrote the batch's extrema
// from the plan of every folded record, after the refusals were found: the refused record's value reached `max`
// cells of rows that held no count of it (found by test/apply/hostile-items.property.int.test.ts). A max cannot be
// taken back, so the extrema are now planned without the records the store refused.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { peaks, sums } from '../support/sum-and-peak-rollups.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe.each<WriteApi>(['partiql', 'update-item'])('a refused record and its extrema (%s)', (api) => {
  it('leaves no trace in a max cell of another rollup', async () => {
    const table = uniqueTableName(`agg-unrep-max-${api}`);
    await createAggregateTable(clients.ddb, table);
    const insert = insertRecords();
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [sums, peaks],
      write: { api },
    });
    await applier.apply({
      records: [insert('a', { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: '-1e20' } })],
      shardId: 'shard-1',
    });
    const refused = insert('b', { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: '1e-19' } });
    const kept = insert('c', { g: { S: 'small' }, kind: { S: 'k' }, amount: { N: '-5' } });
    const { poison } = await applier.apply({ records: [refused, kept], shardId: 'shard-1' });
    expect(poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    const peak = (await scanTable(clients.ddb, table)).find((row) => row.pk?.S === 'peaks#sk');
    expect({ n: peak?.n?.N, top: peak?.top?.N }).toEqual({ n: '2', top: '-5' }); // not 1e-19
  });
});
