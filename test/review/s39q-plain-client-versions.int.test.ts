// Review s39q (query client, versions): createQueryClient reads a rollup's version-1 rows (`<name>#…`) whatever the
// rollup's control item says. Once a changed definition is registered and promoted (version 2, rows under
// `<name>.v2#…`), version 1 is retired and no longer written, but a plain client given the new definition still
// reads the retired rows, and answers them as the new definition's: old counts that stop moving, and 0 for every
// measure the new definition added, with no sign. docs/query.md does not mention versions at all;
// createServingQueryClient (docs/backfill.md) refuses the same question (VERSION_UNKNOWN / VERSION_BUILDING) or
// reads the serving version.
// Observed: after promoting version 2 (n = 7 in its row, n = 5 in the retired version 1's), createQueryClient({
// rollups: [v2 definition] }).total(…, 'all') answers n = 5 and amount = 0.
// Expected: the plain client refuses a definition that is not the one its rows were written by (a control item
// whose serving version is not version 1 of this fingerprint), pointing at createServingQueryClient, or reads the
// serving version.
// Fixed (s39q): createQueryClient reads the rollup's control item with its retention history (HistoryCache, once a
// minute) and refuses, before any row is read, when version 1 is not serving (VERSION_UNKNOWN) or this definition is
// registered as another version (VERSION_BUILDING while it builds): query/plain-read-refusal.ts. A definition the
// control item does not know still reads version 1 (it may be the serving one built from minified source).
// createServingQueryClient's own clients skip the check (it resolved the version).
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { promoteVersion, registerVersions } from '../../packages/dynotally/src/versions/control-store.ts';
import { createServingQueryClient } from '../../packages/dynotally/src/versions/serving-query-client.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../support/store-count-rollup.ts';

const v2 = defineRollup({ ...storeCountConfig, measures: { n: count(), amount: sum('amount') } });

describe('a plain query client given a definition that is not the one serving', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());
  const table = uniqueTableName('s39q-plain-versions');

  it('does not answer a retired version 1 as the serving version 2', async () => {
    const ddb = clients.ddb;
    await createAggregateTable(ddb, table);
    await registerVersions(ddb, table, [storeCountRollup.compiled]);
    await registerVersions(ddb, table, [storeCountRollup.compiled, v2.compiled]);
    await promoteVersion(ddb, table, 'store', 2, { force: true });
    const put = (pk: string, n: string, amount?: string) =>
      ddb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: pk },
            sk: { S: 'ALL' },
            n: { N: n },
            ...(amount === undefined ? {} : { amount: { N: amount } }),
          },
        }),
      );
    await put('store#ss-1', '5');
    await put('store.v2#ss-1', '7', '70');

    // the serving client reads version 2 (control)
    const serving = createServingQueryClient({ client: ddb, table, rollups: [storeCountRollup, v2] });
    expect((await serving.total(v2, { storeId: 's-1' }, 'all')).values).toMatchObject({ n: 7, amount: 70 });

    const plain = createQueryClient({ client: ddb, table, rollups: [v2] });
    await expect(plain.total(v2, { storeId: 's-1' }, 'all')).rejects.toMatchObject({
      code: 'VERSION_UNKNOWN',
    });
    const old = createQueryClient({ client: ddb, table, rollups: [storeCountRollup] });
    await expect(old.total(storeCountRollup, { storeId: 's-1' }, 'all')).rejects.toMatchObject({
      code: 'VERSION_UNKNOWN',
    });
  });

  it('refuses a definition being built beside a serving version 1; answers version 1 and an unregistered twin', async () => {
    const ddb = clients.ddb;
    const t = uniqueTableName('s39q-plain-building');
    await createAggregateTable(ddb, t);
    await registerVersions(ddb, t, [storeCountRollup.compiled]);
    await registerVersions(ddb, t, [storeCountRollup.compiled, v2.compiled]); // version 2 building
    await ddb.send(
      new PutItemCommand({
        TableName: t,
        Item: { pk: { S: 'store#ss-1' }, sk: { S: 'ALL' }, n: { N: '5' } },
      }),
    );
    const building = createQueryClient({ client: ddb, table: t, rollups: [v2] });
    await expect(building.total(v2, { storeId: 's-1' }, 'all')).rejects.toMatchObject({
      code: 'VERSION_BUILDING',
    });
    const serving = createQueryClient({ client: ddb, table: t, rollups: [storeCountRollup] });
    expect((await serving.total(storeCountRollup, { storeId: 's-1' }, 'all')).values).toEqual({ n: 5 });
    // a definition the control item does not know (it may be the serving one built from other source) reads as before
    const twin = defineRollup({ ...storeCountConfig, time: { attribute: 'at', format: 'epoch-millis' } });
    const unknown = createQueryClient({ client: ddb, table: t, rollups: [twin] });
    expect((await unknown.total(twin, { storeId: 's-1' }, 'all')).values).toEqual({ n: 5 });
  });
});
