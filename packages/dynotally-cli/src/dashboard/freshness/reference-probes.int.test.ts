// S4's freshness probe once the change-a-rollup demo has promoted version 2 of 'store': a plain query client refuses
// storeMetrics then (its version 1 is retired; review s39q), so the probe reads through the serving client the demo
// gives, by name, as the S4 panel does.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createQueryClient, createServingQueryClient } from 'dynotally';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../../test/support/ddb.ts';
import { createAggregateTable } from '../../../../dynotally/src/tables/index.ts';
import { promoteVersion, registerVersions } from '../../../../dynotally/src/versions/control-store.ts';
import { storeMetricsWithRevenue } from '../../scenarios/index.ts';
import { storeMetrics } from '../../scenarios/rollups.ts';
import { referenceProbes } from './reference-probes.ts';

describe("S4's freshness probe after version 2 of 'store' is promoted", () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('reads through the serving client when it has one, and the plain client refuses', async () => {
    const ddb = clients.ddb;
    const table = uniqueTableName('s4-fresh-versions');
    await createAggregateTable(ddb, table);
    await registerVersions(ddb, table, [storeMetrics.compiled]);
    await registerVersions(ddb, table, [storeMetrics.compiled, storeMetricsWithRevenue.compiled]);
    await promoteVersion(ddb, table, 'store', 2, { force: true });
    const store = 'store-001';
    await ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `store.v2#s${store}` }, sk: { S: 'ALL' }, orders: { N: '3' }, views: { N: '4' } },
      }),
    );
    const plain = createQueryClient({ client: ddb, table, rollups: [storeMetrics] });
    const serving = createServingQueryClient({
      client: ddb,
      table,
      rollups: [storeMetrics, storeMetricsWithRevenue],
    });
    const probe = (s4: () => typeof serving | undefined) =>
      referenceProbes(plain, Date.now(), ['s4'], s4)[0] as NonNullable<ReturnType<typeof referenceProbes>[0]>;
    await expect(probe(() => undefined).read([store])).rejects.toMatchObject({ code: 'VERSION_UNKNOWN' });
    expect((await probe(() => serving).read([store])).get(store)).toBe(7);
  });
});
