// createServingQueryClient's `controls`: control items the caller has just read are trusted instead of being read
// again before the first query (the CLI reads the rollup's control item to check the configured version, then
// queried through a client that read it a second time).
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { createAggregateTable } from '../tables/index.ts';
import { readControl, registerVersions } from './control-store.ts';
import { createServingQueryClient } from './serving-query-client.ts';

describe('createServingQueryClient with the control items already read', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());
  let controlReads = 0;
  clients.ddb.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Key?: { pk?: { S?: string } } };
      if (input.Key?.pk?.S?.startsWith('~ctl#') === true) controlReads++;
      return next(args);
    },
    { step: 'initialize', name: 'countControlReads' },
  );

  it('reads no control item before its first query, and reads again once refreshMs has passed', async () => {
    const table = uniqueTableName('serving-controls');
    await createAggregateTable(clients.ddb, table);
    await registerVersions(clients.ddb, table, [storeCountRollup.compiled]);
    const control = await readControl(clients.ddb, table, storeCountRollup.name);
    let now = Date.UTC(2026, 10, 20);
    const options = { client: clients.ddb, table, rollups: [storeCountRollup], now: () => now };

    controlReads = 0;
    const fresh = createServingQueryClient(options);
    await fresh.total(storeCountRollup, { storeId: 's-1' }, 'all');
    expect(controlReads).toBe(1);

    controlReads = 0;
    const seeded = createServingQueryClient({
      ...options,
      controls: new Map([[storeCountRollup.name, control]]),
    });
    const answer = await seeded.total(storeCountRollup, { storeId: 's-1' }, 'all');
    expect(answer.values).toMatchObject({ n: 0 });
    expect(controlReads).toBe(0);
    now += 5_000;
    await seeded.total(storeCountRollup, { storeId: 's-1' }, 'all');
    expect(controlReads).toBe(1);

    // controls that do not cover every rollup are not trusted: the client reads them all itself
    controlReads = 0;
    const partial = createServingQueryClient({ ...options, controls: new Map() });
    await partial.total(storeCountRollup, { storeId: 's-1' }, 'all');
    expect(controlReads).toBe(1);
  });
});
