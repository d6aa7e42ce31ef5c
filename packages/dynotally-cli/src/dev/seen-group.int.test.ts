// The dev stack's first screen names a group its rollup's table holds rows for (review s43u: its `query it` line
// offered `--group 'storeId=<value>'`, which ran and read a group that does not exist). seenGroup reads it from the
// aggregate table, on DynamoDB Local: the first rollup's rows only, named as `--group` names them again.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { count, defineRollup } from '../../../dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../../dynotally/src/tables/index.ts';
import { seenGroup } from './seen-group.ts';

const common = { granularities: ['all'], measures: { n: count() } } as const;
const orders = defineRollup({ name: 'orders', groupBy: 'storeId', ...common });
const years = defineRollup({ name: 'years', groupBy: ['region', 'year'], ...common });
const fn = defineRollup({ name: 'fn', groupBy: (i) => ({ t: String(i.t) }), ...common });

describe('seenGroup', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it("names a group of the rollup's rows, by its attributes (none for a groupBy function)", {
    timeout: 120_000,
  }, async () => {
    const table = uniqueTableName('seen-group');
    await createAggregateTable(clients.ddb, table);
    expect(await seenGroup(clients.ddb, table, orders)).toBeUndefined(); // nothing written yet
    const put = (pk: string) =>
      clients.ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { S: 'ALL' } } }));
    await put('ordersx#sother'); // another rollup whose name starts alike
    expect(await seenGroup(clients.ddb, table, orders)).toBeUndefined();
    await put('orders#ss-1%23a');
    await put('years#seu#n2026');
    await put('fn#sacme');
    expect(await seenGroup(clients.ddb, table, orders)).toBe('storeId=s-1#a');
    expect(await seenGroup(clients.ddb, table, years)).toBe('region=eu,year:n=2026');
    expect(await seenGroup(clients.ddb, table, fn)).toBe('=acme');
  });
});
