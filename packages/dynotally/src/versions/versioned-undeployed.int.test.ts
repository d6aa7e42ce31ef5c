// A stream side of the old deployment while a newer one registered a changed definition (a rolling deploy of
// workers, a Lambda update, a rollback): it used to apply its batches without the new version, which then lost
// those changes for good (the backfill leaves items the stream claimed to the stream; test/review/s17-rolling-deploy).
// Now it fails the batch with VERSION_NOT_DEPLOYED, and a side that deploys the version applies it; retiring the
// version (the rollback) lets the old side go on. The legitimate ways keep working: both definitions deployed in one
// process, the new definition alone, and `register: 'first'` before and after the backfill registers it.
import { afterAll, describe, expect, it } from 'vitest';
import { insertRecords } from '../../../../test/apply/insert-record.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { defineRollup, sum } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { createAggregateTable, createClaimTable } from '../tables/index.ts';
import { readControl, registerVersions } from './control-store.ts';
import { retireVersion } from './retire-version.ts';
import { createVersionedWriteSide } from './versioned-write-side.ts';

const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, q: sum('q') },
});

const errorOf = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('a versioned write side that does not deploy a newer registered version', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  const setUp = async (name: string) => {
    await ddbReady();
    const table = uniqueTableName(name);
    await createAggregateTable(clients.ddb, table);
    const claimTable = uniqueTableName(`${name}-claims`);
    await createClaimTable(clients.ddb, claimTable);
    const insert = insertRecords();
    const batch = (ids: string[]) =>
      ids.map((id) =>
        insert(id, { storeId: { S: 's-1' }, t: { N: String(Date.UTC(2026, 10, 1)) }, q: { N: '2' } }),
      );
    /** store → [n, q] of one version's rows (`store` is version 1, `store.v2` version 2). */
    const rows = async (prefix: string) =>
      (await scanTable(clients.ddb, table))
        .filter((r) => r.pk?.S?.startsWith(`${prefix}#`))
        .map((r) => [r.n?.N, r.q?.N]);
    return { table, claimTable, batch, rows };
  };

  it('fails the batch (VERSION_NOT_DEPLOYED) and writes nothing; a side that deploys the version writes it; retiring the version lets the old side go on', {
    timeout: 240_000,
  }, async () => {
    const { table, claimTable, batch, rows } = await setUp('vu-newer');
    const old = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      claimTable,
      rollups: [storeCountRollup],
    });
    await old.apply({ records: batch(['a']), shardId: 'shard-1' });
    // the new deployment registers the changed definition: version 2, building
    const next = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      claimTable,
      rollups: [changed],
    });
    await next.apply({ records: [], shardId: 'shard-1' });
    expect((await readControl(clients.ddb, table, 'store'))?.versions.map((v) => v.state)).toEqual([
      'serving',
      'building',
    ]);

    const e = await errorOf(old.apply({ records: batch(['b']), shardId: 'shard-1' }));
    if (!isDynotallyError(e, 'VERSION_NOT_DEPLOYED'))
      throw new Error(`expected VERSION_NOT_DEPLOYED, got ${String(e)}`);
    expect(e.message).toContain(
      "rollup 'store': a newer definition (version 2, building) is registered that this process does not deploy",
    );
    expect(e.message).toContain('dynotally rollups retire store 2');
    expect(await rows('store')).toEqual([['1', undefined]]);
    expect(await rows('store.v2')).toEqual([]);

    // the batch again, at a process of the new deployment: version 2 gets it (and the library's single
    // deployment with both definitions writes both versions)
    await next.apply({ records: batch(['b']), shardId: 'shard-1' });
    expect(await rows('store.v2')).toEqual([['1', '2']]);
    const both = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      claimTable,
      rollups: [storeCountRollup, changed],
    });
    await both.apply({ records: batch(['c']), shardId: 'shard-1' });
    expect(await rows('store')).toEqual([['2', undefined]]);
    expect(await rows('store.v2')).toEqual([['2', '4']]);

    // rolled back: the version is retired, and the old deployment goes on
    const refused = await errorOf(retireVersion(clients.ddb, table, 'store', 1));
    expect(isDynotallyError(refused, 'RETIRE_REFUSED')).toBe(true);
    expect((await retireVersion(clients.ddb, table, 'store', 2)).versions.map((v) => v.state)).toEqual([
      'serving',
      'retired',
    ]);
    await retireVersion(clients.ddb, table, 'store', 2); // again: already retired, left as it is
    await old.apply({ records: batch(['d']), shardId: 'shard-1' });
    expect(await rows('store')).toEqual([['3', undefined]]);
  });

  it("keeps register: 'first' working: nothing refused before the backfill registers the version, the old side refused after", {
    timeout: 240_000,
  }, async () => {
    const { table, claimTable, batch, rows } = await setUp('vu-first');
    const old = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      claimTable,
      rollups: [storeCountRollup],
    });
    await old.apply({ records: batch(['a']), shardId: 'shard-1' });
    const fleet = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client: clients.ddb,
      table,
      claimTable,
      rollups: [storeCountRollup, changed],
      register: 'first',
    });
    // the rollout: old and new processes side by side, the changed definition not registered
    await fleet.apply({ records: batch(['b']), shardId: 'shard-1' });
    await old.apply({ records: batch(['c']), shardId: 'shard-1' });
    expect(await rows('store')).toEqual([['3', undefined]]);
    expect((await readControl(clients.ddb, table, 'store'))?.versions).toHaveLength(1);

    // the rollout is complete: the backfill registers it (runBackfill({ register: true }) does this first)
    await registerVersions(clients.ddb, table, [changed.compiled]);
    await fleet.apply({ records: batch(['d']), shardId: 'shard-1' });
    expect(await rows('store')).toEqual([['4', undefined]]);
    expect(await rows('store.v2')).toEqual([['1', '2']]);
    // a process of the old deployment still running would lose that version's changes: refused
    const e = await errorOf(old.apply({ records: batch(['e']), shardId: 'shard-1' }));
    expect(isDynotallyError(e, 'VERSION_NOT_DEPLOYED')).toBe(true);
  });
});
