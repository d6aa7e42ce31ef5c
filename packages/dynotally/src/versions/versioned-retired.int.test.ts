// A stream side whose every deployed definition of a rollup is retired (a side of before a promotion, still running,
// or a rolled-back deploy) fails the batch: it used to apply it without that rollup, so the stream moved past records
// that no version read ever counted. A side that deploys the serving definition too goes on as before.
import { afterAll, describe, expect, it } from 'vitest';
import { insertRecords } from '../../../../test/apply/insert-record.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { defineRollup, sum } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { createAggregateTable, createClaimTable } from '../tables/index.ts';
import { promoteVersion, readControl } from './control-store.ts';
import { createVersionedWriteSide } from './versioned-write-side.ts';

const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, q: sum('q') },
});

describe('a versioned write side whose definitions of a rollup are all retired', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('fails the batch (VERSION_UNKNOWN) instead of passing its records by; a side with the serving definition writes them', {
    timeout: 240_000,
  }, async () => {
    await ddbReady();
    const table = uniqueTableName('vr-retired');
    await createAggregateTable(clients.ddb, table);
    const insert = insertRecords();
    const batch = (ids: string[]) =>
      ids.map((id) =>
        insert(id, { storeId: { S: 's-1' }, t: { N: String(Date.UTC(2026, 10, 1)) }, q: { N: '2' } }),
      );
    const old = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      rollups: [storeCountRollup],
    });
    await old.apply({ records: batch(['a']), shardId: 'shard-1' });
    // the changed definition is deployed (version 2, building), built and promoted: version 1 retires
    const claimTable = uniqueTableName('vr-claims');
    await createClaimTable(clients.ddb, claimTable);
    const next = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      claimTable,
      rollups: [changed],
    });
    await next.apply({ records: [], shardId: 'shard-1' });
    await promoteVersion(clients.ddb, table, 'store', 2, { force: true });
    expect((await readControl(clients.ddb, table, 'store'))?.serving).toBe(2);

    const e = await old.apply({ records: batch(['b']), shardId: 'shard-1' }).then(
      () => undefined,
      (x: unknown) => x,
    );
    if (!(e instanceof DynotallyError)) throw new Error(`expected a DynotallyError, got ${String(e)}`);
    expect(e.code).toBe('VERSION_UNKNOWN');
    expect(e.message).toContain("rollup 'store'");
    expect(e.message).toContain('version 2 serves another definition');

    // deploying both definitions (or the serving one) writes the batch into version 2
    const both = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      claimTable,
      rollups: [storeCountRollup, changed],
    });
    await both.apply({ records: batch(['b']), shardId: 'shard-1' });
    const v2 = (await scanTable(clients.ddb, table)).filter((r) => r.pk?.S?.startsWith('store.v2#'));
    expect(v2.map((r) => [r.n?.N, r.q?.N])).toEqual([['1', '2']]);
  });
});
