// A versioned write side's report counts a batch's records once in `folded`, as an applier in steady state does,
// while a version is built: it runs one applier per version (the serving one's, the one under backfill's through
// its claims), and summed their counts, so a batch of 5 records reported 10 folded during a rollout.
import { afterAll, describe, expect, it } from 'vitest';
import { insertRecords } from '../../../../test/apply/insert-record.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { defineRollup } from '../definition/index.ts';
import { createAggregateTable, createClaimTable } from '../tables/index.ts';
import { createVersionedWriteSide } from './versioned-write-side.ts';

/** The records' creation time (insertRecords), and the sides' clock a second later: no record is late. */
const AT = 1_763_800_000_000 + 1_000;
const monthly = defineRollup({ ...storeCountConfig, granularities: ['all', 'month'] });

describe('a versioned write side counts each record of a batch once in folded', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  /** Aggregate and claim tables; `first` registered as it is by its stream side's first batch. */
  const tables = async (prefix: string) => {
    await ddbReady();
    const table = uniqueTableName(prefix);
    const claimTable = uniqueTableName(`${prefix}-claims`);
    await Promise.all([createAggregateTable(clients.ddb, table), createClaimTable(clients.ddb, claimTable)]);
    return { client: clients.ddb, table, claimTable, now: () => AT };
  };
  const batch = (n: number) => {
    const insert = insertRecords();
    return Array.from({ length: n }, (_, i) => insert(`o-${i}`, { storeId: { S: `s-${i % 2}` } }));
  };
  const counts = async (table: string) =>
    Object.fromEntries(
      (await scanTable(clients.ddb, table))
        .filter((r) => r.sk?.S === 'ALL' && !r.pk?.S?.startsWith('~'))
        .map((r) => [r.pk?.S, r.n?.N]),
    );

  it('while version 2 is built beside version 1, which serves', { timeout: 120_000 }, async () => {
    const t = await tables('vw-folded');
    // version 1 serves (its side's first batch registers it), then version 2 is registered building
    await createVersionedWriteSide({ ...t, rollups: [storeCountRollup] }).apply({
      records: [],
      shardId: 's',
    });
    const side = createVersionedWriteSide({ ...t, rollups: [storeCountRollup, monthly] });
    const { report, poison } = await side.apply({ records: batch(5), shardId: 'shardId-1' });
    expect(poison).toEqual([]);
    expect(report).toMatchObject({ records: 5, folded: 5, poison: 0 });
    // both versions counted every record (the sum of the appliers' reports stands for the rows they wrote)
    expect(await counts(t.table)).toEqual({
      'store#ss-0': '3',
      'store#ss-1': '2',
      'store.v2#ss-0': '3',
      'store.v2#ss-1': '2',
    });
    expect(report.rowsWritten).toBeGreaterThanOrEqual(4);
  });

  it('while the only version is built (a new rollup over existing items)', { timeout: 120_000 }, async () => {
    const t = await tables('vw-folded-first');
    const side = createVersionedWriteSide({ ...t, rollups: [storeCountRollup], firstVersion: 'building' });
    const { report } = await side.apply({ records: batch(4), shardId: 'shardId-1' });
    expect(report).toMatchObject({ records: 4, folded: 4, poison: 0 });
  });
});
