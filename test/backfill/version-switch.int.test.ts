// The hand-off's switch must be monotone on a shard (docs/backfill.md, "When the scan may start"): once a batch
// of a shard has folded a version under backfill, no later batch of that shard may be applied without it. Two
// stream processes run the same definition here (two Lambda containers, or a worker and the one that took its
// lease over); a rebuild is registered between their batches, as `repairRollup` does. The process that read the
// control items before the registration applies the shard's next batch: it must read them again and fold the
// rebuild, or the change in that batch is lost from the rebuild for good (the scan finds the item claimed live
// by the stream and leaves it alone). And a worker whose lease ran out must not act on what it read.
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import type { WriteSide } from '../../packages/dynotally/src/apply/write-side.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { registerVersionParams } from '../../packages/dynotally/src/versions/control-params.ts';
import {
  asVersion,
  createVersionedWriteSide,
  readControl,
} from '../../packages/dynotally/src/versions/index.ts';
import { rebuildFingerprint } from '../../packages/dynotally/src/versions/rebuild.ts';
import { type Img, type OracleRollup, oracle } from '../oracle/oracle.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { canonicalCells, Pipeline } from '../support/pipeline.ts';

const BASE = Date.UTC(2026, 10, 1);
const storeOptions = {
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { orders: count(), amount: sum('amount') },
} as const;
const store = defineRollup(storeOptions);
const oracleRebuild: OracleRollup = {
  name: 'store.v2',
  groupBy: ['storeId'],
  timeAttr: 't',
  zone: 'UTC',
  granularities: ['day', 'all'],
  measures: [
    { name: 'orders', kind: 'count' },
    { name: 'amount', kind: 'sum', attribute: 'amount' },
  ],
  ttlDeletes: 'subtract',
};

/** Puts items of one store into the pipeline's source, and delivers each new stream record once, in order. */
function source(pipe: Pipeline, storeId: string) {
  let delivered = 0;
  return {
    put: (id: string, amount: number) =>
      pipe.clients.ddb.send(
        new PutItemCommand({
          TableName: pipe.source,
          Item: {
            id: { S: id },
            storeId: { S: storeId },
            t: { N: String(BASE + 3_600_000) },
            amount: { N: String(amount) },
          },
        }),
      ),
    /** Every record of the one shard not delivered yet, applied by the given stream process. */
    deliver: async (by: WriteSide) => {
      const [shard] = await pipe.readStream();
      const records: DynamoDBRecord[] = shard?.records.slice(delivered) ?? [];
      expect(records.length).toBeGreaterThan(0);
      await by.apply({ records, shardId: shard?.shardId });
      delivered += records.length;
    },
  };
}

describe('a version under backfill, switched on per shard and never off again', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('a batch applied by a process that read the control items before a rebuild was registered still folds it', async () => {
    const ddb = clients.ddb;
    const pipe = await Pipeline.create(clients, [], 'vs');
    const claims = uniqueTableName('vs-claims');
    await createClaimTable(ddb, claims);
    // two stream processes with the same deployment; B's clock stands still, so a cache of the control items
    // (what the write side had before) would never look old to it
    const side = (now?: () => number) =>
      createVersionedWriteSide({
        client: ddb,
        table: pipe.aggregates,
        claimTable: claims,
        rollups: [store],
        claimMarginMs: 1_000,
        ...(now ? { now } : {}),
      });
    const a = side();
    const frozen = Date.now();
    const b = side(() => frozen);
    const { put, deliver } = source(pipe, 's-1');

    await put('j', 2);
    await deliver(b); // B reads the control items: version 1, serving
    expect((await readControl(ddb, pipe.aggregates, 'store'))?.serving).toBe(1);

    // a repair registers a rebuild of the same definition: version 2, building
    await ddb.send(
      new UpdateItemCommand(
        registerVersionParams(pipe.aggregates, 'store', {
          fingerprint: rebuildFingerprint(store.compiled.fingerprint, 2),
          version: 2,
          expectedNext: 2,
          state: 'building',
          needsBackfill: true,
          now: Date.now(),
        }),
      ),
    );

    await put('k', 1);
    await deliver(a); // A folds the rebuild: no claim on k yet, so k is claimed live with amount 1
    await put('k', 5);
    await deliver(b); // the shard's next batch, on B: without a fresh read, 1 → 5 never reaches version 2

    const report = await runBackfill({
      client: ddb,
      source: pipe.source,
      table: pipe.aggregates,
      claimTable: claims,
      rollup: store,
      version: 2,
      settleMs: 0,
    });
    expect(report.complete).toBe(true);

    const rows = await scanTable(ddb, pipe.aggregates);
    const finals = (await scanTable(ddb, pipe.source)) as unknown as Img[];
    const got = canonicalCells(
      [asVersion(store.compiled, 2)],
      rows.filter((r) => r.pk?.S?.startsWith('store.v2#')),
    );
    const expected = oracle([oracleRebuild], finals, [], []);
    expect([...expected.values()]).toContain('7'); // j's 2 and k's 5, in the day and the all-time cells
    expect(got).toEqual(expected);
  }, 240_000);

  it("with register: 'first' a new definition is written only once the backfill registers it, with no wait", async () => {
    const ddb = clients.ddb;
    const pipe = await Pipeline.create(clients, [], 'vr');
    const claims = uniqueTableName('vr-claims');
    await createClaimTable(ddb, claims);
    const v2 = defineRollup({ ...storeOptions, granularities: ['day', 'month', 'all'] });
    const side = createVersionedWriteSide({
      client: ddb,
      table: pipe.aggregates,
      claimTable: claims,
      rollups: [store, v2],
      register: 'first',
      claimMarginMs: 1_000,
    });
    const { put, deliver } = source(pipe, 's-2');
    await put('j', 2);
    await put('k', 1);
    await deliver(side);
    // deployed everywhere, version 2 is not registered and not written yet
    expect((await readControl(ddb, pipe.aggregates, 'store'))?.versions.map((v) => v.version)).toEqual([1]);
    const v2rows = async () =>
      (await scanTable(ddb, pipe.aggregates)).filter((r) => r.pk?.S?.startsWith('store.v2#'));
    expect(await v2rows()).toEqual([]);

    const report = await runBackfill({
      client: ddb,
      source: pipe.source,
      table: pipe.aggregates,
      claimTable: claims,
      rollup: v2,
      register: true,
      settleMs: 0,
    });
    expect(report).toMatchObject({ version: 2, complete: true });
    await put('k', 5); // after the scan: the stream folds 1 → 5 into version 2 through the scan's claim
    await deliver(side);

    const finals = (await scanTable(ddb, pipe.source)) as unknown as Img[];
    const expected = oracle([{ ...oracleRebuild, granularities: ['day', 'month', 'all'] }], finals, [], []);
    expect([...expected.values()]).toContain('7');
    expect(canonicalCells([asVersion(v2.compiled, 2)], await v2rows())).toEqual(expected);
  }, 240_000);

  it('refuses to register over a rollup without a control item, and a deployment that registers none of its definitions', async () => {
    const ddb = clients.ddb;
    const pipe = await Pipeline.create(clients, [], 'vn');
    const claims = uniqueTableName('vn-claims');
    await createClaimTable(ddb, claims);
    // rows a plain stream handler may have written: register must not make this definition version 1 over them
    await expect(
      runBackfill({
        client: ddb,
        source: pipe.source,
        table: pipe.aggregates,
        claimTable: claims,
        rollup: store,
        register: true,
      }),
    ).rejects.toMatchObject({ code: 'BACKFILL_REFUSED' });
    expect(await readControl(ddb, pipe.aggregates, 'store')).toBeUndefined();
    // version 1 registered by the running definition; a side deployed with only a new, unregistered definition
    // would count nothing for the rollup: refused, not silently skipped
    await createVersionedWriteSide({ client: ddb, table: pipe.aggregates, rollups: [store] }).apply({
      records: [],
    });
    const v2 = defineRollup({ ...storeOptions, granularities: ['day', 'month', 'all'] });
    const orphan = createVersionedWriteSide({
      client: ddb,
      table: pipe.aggregates,
      claimTable: claims,
      rollups: [v2],
      register: 'first',
    });
    await expect(orphan.apply({ records: [] })).rejects.toMatchObject({ code: 'VERSION_UNKNOWN' });
  }, 240_000);

  it('a worker whose lease ends while it reads the versions writes nothing', async () => {
    const ddb = clients.ddb;
    const pipe = await Pipeline.create(clients, [], 'vf');
    const write = createVersionedWriteSide({ client: ddb, table: pipe.aggregates, rollups: [store] });
    await ddb.send(
      new PutItemCommand({
        TableName: pipe.source,
        Item: { id: { S: 'x' }, storeId: { S: 's-1' }, t: { N: String(BASE) }, amount: { N: '3' } },
      }),
    );
    const [shard] = await pipe.readStream();
    const input = { records: shard?.records ?? [], shardId: shard?.shardId };
    await expect(write.apply({ ...input, leaseExpiresAt: Date.now() + 1_000 })).rejects.toMatchObject({
      code: 'LEASE_LOST',
    });
    expect((await scanTable(ddb, pipe.aggregates)).filter((r) => r.pk?.S?.startsWith('store#'))).toEqual([]);
    // with the lease well ahead, the same batch is applied
    await write.apply({ ...input, leaseExpiresAt: Date.now() + 60_000 });
    expect(
      (await scanTable(ddb, pipe.aggregates)).filter((r) => r.pk?.S?.startsWith('store#')).length,
    ).toBeGreaterThan(0);
  }, 240_000);
});
