// Review s40z: `settleMs`, the wait between a version's registration and its backfill's scan (so every stream side
// folds the version before the scan reads the items: backfill.md, "When the scan may start"), was the one numeric
// option of `runBackfill` review s40b left unbounded. `NaN` (`Number(process.env.SETTLE_MS)` with the variable unset)
// made `now() < registeredAt + NaN` false, and a negative wait ended before it began: the scan started at once, as
// `settleMs: 0` does, which is exact only once every stream side runs a release that refuses an unknown version.
// Observed (main): runBackfill({ settleMs: NaN }) of a version registered just now scanned and completed at once.
// Expected: CONFIG_INVALID before anything is bound, recorded or scanned (a number ≥ 0, finite).
// Fixed: runBackfill checks settleMs with its other numeric options, before it reads the control item
// (backfill/run-backfill.ts); repairRollup passes it through.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { readControl } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);
const items = Array.from({ length: 4 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: 's-0' },
  t: { N: String(T0 + i) },
}));

describe('runBackfill settleMs', () => {
  it('refuses NaN, a negative and an endless wait before anything is recorded', async () => {
    const t = await buildingTables(clients.ddb, 's40z-settle', items, storeCountRollup.compiled);
    const base = {
      client: clients.ddb,
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup: storeCountRollup,
      segments: 1,
    };
    for (const settleMs of [Number.NaN, -1, Number.POSITIVE_INFINITY])
      expect(await codeOf(runBackfill({ ...base, settleMs })), String(settleMs)).toBe('CONFIG_INVALID');
    const v = (await readControl(clients.ddb, t.table, 'store'))?.versions[0];
    expect(v?.state).toBe('building');
    expect(v?.backfill).toBeUndefined();
    expect(v?.claimTable).toBeUndefined();
  });
});
