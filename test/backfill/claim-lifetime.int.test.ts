// Claims expire 30 days after they are written (TTL), and decide whether the stream or the backfill counts an
// item. A backfill that ended more than that after the version's registration would find the stream's first
// claims gone: it would claim such an item again and count it a second time. So a version's backfill must end
// within 28 days of its registration (the rest covers the claim margin, the stream's 24 h retention and clock
// skew), else it refuses (BACKFILL_REFUSED) and the version never becomes ready. DynamoDB Local never runs TTL at
// a test's clock, so `expireClaims` deletes what TTL may delete by then.
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { BackfillProgress } from '../../packages/dynotally/src/backfill/backfill-options.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { repairRollup, verify } from '../../packages/dynotally/src/verify/index.ts';
import {
  deleteRetiredVersion,
  readControl,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountConfig, storeCountRollup } from '../support/store-count-rollup.ts';
import { storeCount as storeCountOf, storeItem, streamInsert } from '../support/store-count-stream.ts';
import { backfillTables, buildingTables } from './backfill-tables.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const DAY = 86_400_000;
const rollup = storeCountRollup;
const ITEMS = 40;

/** The tables with ITEMS items of one store, the rollup registered (building) at `registeredAt`. */
async function setUp(prefix: string, registeredAt: number) {
  return buildingTables(
    clients.ddb,
    prefix,
    Array.from({ length: ITEMS }, (_, i) => storeItem(i)),
    rollup.compiled,
    registeredAt,
  );
}

/** The stream side, at `at`, applies the INSERT record of item `i` (claiming it live and counting it). */
const streamInserts = (t: { table: string; claimTable: string }, at: number, i = 0) =>
  streamInsert(clients.ddb, t, at, i);

/** Deletes every claim whose TTL has passed at `at` (what DynamoDB's TTL may have done by then). */
async function expireClaims(client: DynamoDBClient, table: string, at: number): Promise<number> {
  const out = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  let deleted = 0;
  for (const it of out.Items ?? [])
    if (it.ttl?.N !== undefined && Number(it.ttl.N) < at / 1000) {
      await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: it.pk as AttributeValue } }));
      deleted++;
    }
  return deleted;
}

/** The count of store s-0 in a version's rows (`prefix`: version 1's by default). */
const storeCount = (table: string, prefix = 'store') => storeCountOf(clients.ddb, table, prefix);

describe('a backfill and the lifetime of claims', () => {
  const base = { rollup, segments: 1, chunkItems: 10, settleMs: 0 };
  /**
   * A run whose clock reads 27 days after `t0` (the registration) until a progress report `passes`, then 29 days
   * (`watch` sees every report first): it must be refused.
   */
  const refusedOncePast = async (
    t: { source: string; table: string; claimTable: string },
    t0: number,
    passes: (p: BackfillProgress) => boolean,
    watch?: (p: BackfillProgress) => void,
  ) => {
    let clock = t0 + 27 * DAY;
    const run = runBackfill({
      ...t,
      ...base,
      client: clients.ddb,
      now: () => clock,
      onProgress: (p) => {
        watch?.(p);
        if (passes(p)) clock = t0 + 29 * DAY;
      },
    });
    expect(await codeOf(run)).toBe('BACKFILL_REFUSED');
  };

  it('refuses to build a version registered more than 28 days ago, so an expired claim counts nothing twice', async () => {
    const t0 = Date.now();
    const t = await setUp('bf-claim-old', t0);
    await streamInserts(t, t0 + 60_000);
    const late = t0 + 31 * DAY;
    expect(await expireClaims(clients.ddb, t.claimTable, late)).toBe(1);
    expect(await codeOf(runBackfill({ ...t, ...base, client: clients.ddb, now: () => late }))).toBe(
      'BACKFILL_REFUSED',
    );
    expect((await readControl(clients.ddb, t.table, 'store'))?.versions[0]?.state).toBe('building');
    // the stream's count of item 0 is all the version holds: nothing was counted a second time
    expect(await storeCount(t.table)).toBe('1');
  });

  it('completes within 28 days, counting every item once', async () => {
    const t0 = Date.now();
    const t = await setUp('bf-claim-in', t0);
    await streamInserts(t, t0 + 60_000);
    const at = t0 + 27 * DAY;
    expect(await expireClaims(clients.ddb, t.claimTable, at)).toBe(0);
    const report = await runBackfill({ ...t, ...base, client: clients.ddb, now: () => at });
    expect(report.complete).toBe(true);
    expect(await storeCount(t.table)).toBe(String(ITEMS));
  });

  it('a run that passes the deadline while it scans is not recorded as complete', async () => {
    const t0 = Date.now();
    const t = await setUp('bf-claim-cross', t0);
    await streamInserts(t, t0 + 60_000);
    // the last chunk's progress is written at 27 days, the end of the backfill would be recorded at 29
    await refusedOncePast(t, t0, (p) => p.segmentsDone === 1);
    const control = await readControl(clients.ddb, t.table, 'store');
    expect(control?.versions[0]?.state).toBe('building');
    expect(control?.versions[0]?.backfill?.endedAt).toBeUndefined();
  });

  it('a run that passes the deadline stops before its next chunk', async () => {
    const t0 = Date.now();
    const t = await setUp('bf-claim-chunk', t0);
    let scanned = 0;
    await refusedOncePast(
      t,
      t0,
      (p) => p.chunks === 1,
      (p) => {
        scanned = p.scanned;
      },
    );
    expect(scanned).toBe(base.chunkItems);
  });

  it('a repair registers a new rebuild instead of resuming one registered more than 28 days ago, and retires that one', async () => {
    const t0 = Date.now();
    const t = await backfillTables(
      clients.ddb,
      'bf-claim-repair',
      Array.from({ length: ITEMS }, (_, i) => storeItem(i)),
    );
    await registerVersions(clients.ddb, t.table, [rollup.compiled], { now: t0 });
    const stopped = new AbortController();
    stopped.abort();
    const repair = { ...t, ...base, client: clients.ddb };
    // the rebuild (version 2) is registered, and its backfill stopped at once
    await expect(repairRollup({ ...repair, now: () => t0, signal: stopped.signal })).rejects.toThrow(
      /stopped/,
    );
    const report = await repairRollup({ ...repair, now: () => t0 + 29 * DAY });
    expect(report).toMatchObject({ version: 3, registered: true, promoted: true });
    const control = await readControl(clients.ddb, t.table, 'store');
    // version 2 can never complete: left building, every batch of the stream side would write it (rows and claims)
    // for good, one more such version per repair
    expect(control?.versions.find((v) => v.version === 2)?.state).toBe('retired');
    await streamInserts(t, t0 + 29 * DAY + 60_000);
    const rows = await scanTable(clients.ddb, t.table);
    expect(rows.filter((r) => r.pk?.S?.startsWith('store.v2')).map((r) => r.pk?.S)).toEqual([]);
    expect(rows.some((r) => r.pk?.S?.startsWith('store.v3') && r.n?.N !== undefined)).toBe(true);
  });

  it("a repair retires the definition's own version past its 28 days when it does not serve; the rebuild serves", async () => {
    const t0 = Date.now();
    // a first deployment over existing data: version 1 is the definition's own, building, and nothing serves
    const t = await setUp('bf-claim-own', t0);
    await streamInserts(t, t0 + 60_000);
    const late = t0 + 29 * DAY;
    await expireClaims(clients.ddb, t.claimTable, late);
    expect(await codeOf(runBackfill({ ...t, ...base, client: clients.ddb, now: () => late }))).toBe(
      'BACKFILL_REFUSED',
    );
    // verify has no serving version to compare; its error lists the definition's versions, on which
    // `dynotally verify --repair` goes straight to the repair
    const check = { client: clients.ddb, source: t.source, table: t.table, rollup, passes: 1 };
    await expect(verify(check)).rejects.toMatchObject({
      code: 'VERSION_UNKNOWN',
      details: { versions: [1] },
    });
    const report = await repairRollup({ ...t, ...base, client: clients.ddb, now: () => late });
    expect(report).toMatchObject({ version: 2, registered: true, previous: undefined, promoted: true });
    const control = await readControl(clients.ddb, t.table, 'store');
    expect(control?.serving).toBe(2);
    // left building, version 1 would be written by the stream side (rows and claims) on every batch for good
    expect(control?.versions.find((v) => v.version === 1)).toMatchObject({
      state: 'retired',
      retiredAt: late,
    });
    // a new item, written to the source and then applied by the stream side: counted by the rebuild only
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: storeItem(ITEMS) }));
    await streamInserts(t, late + 60_000, ITEMS);
    expect(await storeCount(t.table)).toBe('1');
    expect(await storeCount(t.table, 'store.v2')).toBe(String(ITEMS + 1));
    expect(await verify(check)).toMatchObject({ version: 2, drift: [] });
    // the retired version never served: its rows are deleted like a replaced version's, the rebuild's kept
    const deletion = await deleteRetiredVersion({
      client: clients.ddb,
      table: t.table,
      rollup: 'store',
      version: 1,
      graceMs: 0,
      now: () => late + 120_000,
    });
    expect(deletion).toMatchObject({ complete: true, deleted: 1 });
    const rows = await scanTable(clients.ddb, t.table);
    expect(rows.filter((r) => r.pk?.S?.startsWith('store#'))).toEqual([]);
    expect(await storeCount(t.table, 'store.v2')).toBe(String(ITEMS + 1));
  });

  it("a repair retires a changed definition's own version past its 28 days; the rebuild replaces the old definition", async () => {
    const t0 = Date.now();
    const old = defineRollup({ ...storeCountConfig, granularities: ['all', 'month'] });
    const t = await backfillTables(
      clients.ddb,
      'bf-claim-changed',
      Array.from({ length: ITEMS }, (_, i) => storeItem(i)),
    );
    // version 1 (the old definition) serves; version 2 (this one) is deployed, building, and never completes
    await registerVersions(clients.ddb, t.table, [old.compiled, rollup.compiled], { now: t0 });
    const late = t0 + 29 * DAY;
    const report = await repairRollup({ ...t, ...base, client: clients.ddb, now: () => late });
    expect(report).toMatchObject({ version: 3, registered: true, previous: 1, promoted: true });
    const control = await readControl(clients.ddb, t.table, 'store');
    expect(control?.serving).toBe(3);
    expect(control?.versions.map((v) => v.state)).toEqual(['retired', 'retired', 'serving']);
    const check = { client: clients.ddb, source: t.source, table: t.table, rollup, passes: 1 };
    expect(await verify(check)).toMatchObject({ version: 3, drift: [] });
  });
});
