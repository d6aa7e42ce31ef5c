// Review s40b: numeric options of runBackfill and deleteRetiredVersion that no check bounded (the CLI's flags are
// checked; a library caller's are not).
// Observed (main): `readUnitsPerSecond: 0` (or negative, NaN) let the first Scan go and then waited for tokens that
// never came: the backfill spun for good (here: not settled after 3 s), and its signal did not stop it (the wait
// for tokens never looks at it). `claimConcurrency: 0`
// journaled a chunk and then threw a TypeError (no claim outcome: "Cannot read properties of undefined (reading
// 'written')"), on every resume. `deleteRetiredVersion({ concurrency: 0 })` sent no delete at all, yet recorded the
// deletion as complete (`endedAt`, `deleted` = the rows it found): every row stayed, and deleteRetiredVersions
// skipped the version from then on.
// Expected: each refused with CONFIG_INVALID before anything is scanned, claimed or deleted.
// Fixed: runBackfill checks readUnitsPerSecond (finite, above 0) and claimConcurrency (whole, ≥ 1) with its other
// options (backfill/run-backfill.ts); deleteRetiredVersion checks concurrency (whole, ≥ 1) and deletesPerSecond
// (finite, above 0) before it reads the control item (versions/delete-retired.ts).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { scanRecord } from '../../packages/dynotally/src/backfill/decided-records.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import type { Image } from '../../packages/dynotally/src/decode/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  asVersion,
  deleteRetiredVersion,
  readControl,
  registerVersions,
  retireVersion,
} from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const T0 = Date.UTC(2026, 11, 1);
const items: Record<string, AttributeValue>[] = Array.from({ length: 12 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: `s-${i % 3}` },
  t: { N: String(T0 + i) },
}));

/** The code a promise rejects with within `ms`, or 'unsettled'. */
const codeWithin = (p: Promise<unknown>, ms: number): Promise<string | undefined> =>
  Promise.race([codeOf(p), new Promise<string>((r) => setTimeout(() => r('unsettled'), ms))]);

describe('numeric options no check bounded', () => {
  it('refuses a read rate that is not above 0 before scanning', async () => {
    for (const readUnitsPerSecond of [0, -5, Number.NaN]) {
      const t = await buildingTables(clients.ddb, 's40b-rate', items, rollup.compiled);
      const stop = new AbortController();
      const run = runBackfill({
        client: clients.ddb,
        source: t.source,
        table: t.table,
        claimTable: t.claimTable,
        rollup,
        segments: 1,
        chunkItems: 4,
        settleMs: 0,
        readUnitsPerSecond,
        signal: stop.signal,
      });
      const code = await codeWithin(run, 3_000);
      // (on main the run spins in the rate limiter, which no signal reaches: it is left, never awaited)
      stop.abort();
      expect({ readUnitsPerSecond, code }).toEqual({ readUnitsPerSecond, code: 'CONFIG_INVALID' });
    }
  });

  it('refuses claimConcurrency 0 before journaling anything', async () => {
    const t = await buildingTables(clients.ddb, 's40b-claims', items, rollup.compiled);
    const run = runBackfill({
      client: clients.ddb,
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup,
      segments: 1,
      chunkItems: 4,
      settleMs: 0,
      claimConcurrency: 0,
    });
    expect(await codeOf(run)).toBe('CONFIG_INVALID');
    expect(await scanTable(clients.ddb, t.claimTable)).toEqual([]);
  });

  it('refuses a deletion with concurrency 0 rather than record it complete with every row left', async () => {
    const table = uniqueTableName('s40b-del');
    await createAggregateTable(clients.ddb, table);
    await registerVersions(clients.ddb, table, [rollup.compiled], { firstVersion: 'building' });
    const records = items.map((image, i) =>
      scanRecord(image as Image, { source: 'test', chunk: 0, index: i, timeSeconds: 1 }),
    );
    await new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [asVersion(rollup.compiled, 1)],
    }).apply({ records, shardId: 's' });
    await retireVersion(clients.ddb, table, 'store', 1);
    const rows = async () =>
      (await scanTable(clients.ddb, table)).filter((r) => r.pk?.S?.startsWith('store#'));
    expect(await rows()).toHaveLength(3);
    const base = { client: clients.ddb, table, rollup: 'store', version: 1, graceMs: 0 };
    expect(await codeOf(deleteRetiredVersion({ ...base, concurrency: 0 }))).toBe('CONFIG_INVALID');
    expect(await codeOf(deleteRetiredVersion({ ...base, deletesPerSecond: 0 }))).toBe('CONFIG_INVALID');
    expect((await readControl(clients.ddb, table, 'store'))?.versions[0]?.deletion).toBeUndefined();
    expect(await rows()).toHaveLength(3);
    const done = await deleteRetiredVersion(base);
    expect(done.complete).toBe(true);
    expect(await rows()).toHaveLength(0);
  });
});
