// Review s40b: a version promoted while still building (`promoteVersion({ force: true })`, `dynotally rollups promote
// --force`) serves without the existing items its backfill had not reached, and its claims are never settled by a
// recorded end: the stream side sends its records through the claims for good (a claim read and write per item
// changed, forever), and a claim that expires (30 days after its last write) makes the item's next change add its
// new image without taking the counted one back: a silent double count in the serving version. The way out the docs
// named was a rebuild (`verify --repair`); the backfill itself, which would complete the version and record its end,
// was refused ("only a building version is backfilled"), also one already running when the promotion came: it
// scanned to the end of the table and then failed to record the end, its work never settling the claims.
// Observed (main): runBackfill of the forced version: BACKFILL_REFUSED before it scans; a backfill running when the
// force came: scanned every chunk, then BACKFILL_REFUSED at its end, `backfill.endedAt` never recorded.
// Expected: a serving version whose backfill has not ended is built like a building one (its state stays serving):
// the run completes it and records the end, after which records past the end + margin count without claims.
// Fixed: `isUnfinished` (versions/control-store.ts: building, or serving with needsBackfill and no end) is what the
// run's refusals accept (backfill/run-refusals.ts: state, segments, claim table, source, claim lifetime), and
// `recordBackfill` records the start and the end of such a serving version in place (`serving` in
// `backfillRecordParams`: conditioned on it serving and no end recorded; no state change, no hold). The stream
// side's claim window then closes at the end + margin as for any ended version (claim-window.ts, unchanged).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { promoteVersion, readControl } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const T0 = Date.UTC(2026, 11, 1);
const items: Record<string, AttributeValue>[] = Array.from({ length: 20 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: `s-${i % 2}` },
  t: { N: String(T0 + i) },
}));

const counts = async (table: string) =>
  Object.fromEntries(
    (await scanTable(clients.ddb, table))
      .filter((i) => i.pk?.S?.startsWith('store#') === true)
      .map((i) => [i.pk?.S, Number(i.n?.N ?? 0)]),
  );
const entry = async (table: string) => (await readControl(clients.ddb, table, 'store'))?.versions[0];

describe('a version promoted before its backfill ended', () => {
  it('is completed by a backfill run afterwards, which records its end', async () => {
    const t = await buildingTables(clients.ddb, 's40b-forced', items, rollup.compiled);
    await promoteVersion(clients.ddb, t.table, 'store', 1, { force: true });
    const base = { client: clients.ddb, source: t.source, table: t.table, claimTable: t.claimTable, rollup };
    const report = await runBackfill({ ...base, segments: 2, chunkItems: 4, settleMs: 0 });
    expect(report.complete).toBe(true);
    expect(await counts(t.table)).toEqual({ 'store#ss-0': 10, 'store#ss-1': 10 });
    const v = await entry(t.table);
    expect(v?.state).toBe('serving');
    expect(v?.backfill?.endedAt).toBeTypeOf('number');
  });

  it('lets a backfill running when the force came record its end', async () => {
    const t = await buildingTables(clients.ddb, 's40b-forced-mid', items, rollup.compiled);
    const base = { client: clients.ddb, source: t.source, table: t.table, claimTable: t.claimTable, rollup };
    let forced = false;
    const report = await runBackfill({
      ...base,
      segments: 1,
      chunkItems: 4,
      settleMs: 0,
      onProgress: (p) => {
        if (p.chunks === 1 && !forced) {
          forced = true;
          void promoteVersion(clients.ddb, t.table, 'store', 1, { force: true });
        }
      },
    });
    expect(forced).toBe(true);
    expect(report.complete).toBe(true);
    expect(await counts(t.table)).toEqual({ 'store#ss-0': 10, 'store#ss-1': 10 });
    const v = await entry(t.table);
    expect(v?.state).toBe('serving');
    expect(v?.backfill?.endedAt).toBeTypeOf('number');
  });
});
