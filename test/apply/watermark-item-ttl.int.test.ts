// A shard's watermark items (`~wt#`, one per rollup for its transactional rows: every row under the transaction
// strategy, rows past the state budget under row-watermark) carry a
// TTL a week past their last write, so a table does not keep one item per shard that ever existed. Deleting one
// (what TTL does once its shard has been quiet that long) changes nothing for the records still to come.
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { WATERMARK_ITEM_KEEP_SECONDS } from '../../packages/dynotally/src/apply/redelivery-horizon.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, counterCells } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const kinds = allTimeRollup('kinds', 'kind', false);

async function shardItems(table: string, prefix: string) {
  return (await scanTable(clients.ddb, table)).filter((i) => i.pk?.S?.startsWith(prefix));
}

const cases: Array<{ name: string; prefix: string; options: Partial<ApplierOptions> }> = [
  { name: 'the transaction strategy (~wt#)', prefix: '~wt#', options: { strategy: 'transaction' } },
  {
    name: 'transactional rows past the state budget (~wt#)',
    prefix: '~wt#',
    options: { stateBudgetBytes: 0, pruneSampleEvery: 1, write: { api: 'update-item' } },
  },
];

describe.each(cases)('watermark items of $name', ({ prefix, options }) => {
  it('carry a TTL a week past their last write, and their deletion loses or repeats no record', async () => {
    const table = uniqueTableName('wm-ttl');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [kinds],
      ...options,
    });
    const next = insertRecords();
    const insert = (id: string) => next(id, { kind: { S: 'k' } });
    // two shards on one row: with a budget of 0 the second marks it and both go transactional
    await applier.apply({ records: [insert('a')], shardId: 'shard-0' });
    const before = Date.now();
    const batch = [insert('b'), insert('c')];
    await applier.apply({ records: batch, shardId: 'shard-1' });
    await applier.apply({ records: [insert('d')], shardId: 'shard-1' });
    const after = Date.now();
    const items = await shardItems(table, `${prefix}shard-1`);
    expect(items).toHaveLength(1);
    const ttl = Number(items[0]?.ttl?.N);
    expect(ttl).toBeGreaterThanOrEqual(Math.ceil(before / 1000) + WATERMARK_ITEM_KEEP_SECONDS);
    expect(ttl).toBeLessThanOrEqual(Math.ceil(after / 1000) + WATERMARK_ITEM_KEEP_SECONDS);
    // TTL deletes the item; later records of the shard are counted once each
    await clients.ddb.send(
      new DeleteItemCommand({ TableName: table, Key: { pk: items[0]!.pk!, sk: items[0]!.sk! } }),
    );
    await applier.apply({ records: [insert('e'), insert('f')], shardId: 'shard-1' });
    expect(await counterCells(clients.ddb, table)).toEqual({ 'kinds#sk|n': '6' });
    expect(await shardItems(table, `${prefix}shard-1`)).toHaveLength(1);
  });
});
