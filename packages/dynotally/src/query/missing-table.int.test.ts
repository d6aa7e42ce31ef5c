import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { count, defineRollup, last } from '../definition/index.ts';
import { createQueryClient } from './index.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  granularities: ['hour', 'day', 'all'],
  measures: { orders: count(), status: last('status', { granularities: ['all'] }) },
});

describe('a query of an aggregate table that does not exist', () => {
  it('rejects with TABLE_NOT_FOUND naming the table (Query and BatchGetItem alike)', async () => {
    // the guide's query.ts with a misspelt table threw the SDK's ResourceNotFoundException, "Cannot do operations
    // on a non-existent table", which names no table and is no DynotallyError
    const table = uniqueTableName('missing');
    const query = createQueryClient({ client: clients.ddb, table, rollups: [orders] });
    const named = {
      code: 'TABLE_NOT_FOUND',
      details: { table },
      message: expect.stringContaining(`'${table}'`),
    };
    await expect(query.total(orders, { storeId: 's-1' }, { last: '24h' })).rejects.toMatchObject(named);
    await expect(query.total(orders, { storeId: 's-1' }, { calendar: 'day' })).rejects.toMatchObject(named);
    await expect(query.latest(orders, { storeId: 's-1' })).rejects.toMatchObject(named);
  });
});
