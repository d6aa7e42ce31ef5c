// Review s40z: the Redis buffer and a version 1 promoted by force before its backfill ended. The buffer writes
// version-1 rows with no claims, so it refuses every batch while version 1 is under backfill (`building` or `ready`,
// checkBufferedVersions before every batch). Review s40b made a serving version whose backfill has not ended one a
// backfill builds in place (`isUnfinished`), and `rollups promote --force` now names `dynotally backfill <rollup>
// --resume` as the way out; the buffer's rule still read `serving` as "built". A rollup counted in Redis, deployed
// over existing items with version 1 `building` (the buffer refusing meanwhile), promoted by force to get the buffer
// going, then completed by the backfill the note names: the buffer counts each change's delta with no claim while the
// scan counts the item's image, so an item changed before the scan reached it is counted with its change twice.
// Observed (main): checkBufferedVersions (the buffered applier's gate before every batch) accepts version 1 serving
// with its backfill not ended, with either otherVersions policy.
// Expected: refused as version 1 under backfill is (CONFIG_INVALID, the buffered-versions refusal), until its
// backfill records its end; accepted once it has, and, as before, once no backfill may build it any more (28 days
// after its registration: its backfill is refused, `checkClaimLifetime`).
// Fixed: bufferedVersionProblem (redis/buffered-versions.ts) refuses version 1 serving while `isUnfinished` and within
// its claims' lifetime (`claimsMayHaveExpired`), with either policy; `dynotally worker --redis` applies the same rule.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { checkBufferedVersions, isBufferedVersionRefusal } from '../../packages/dynotally/src/redis/index.ts';
import { promoteVersion, readControl } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);
const items = Array.from({ length: 6 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: 's-0' },
  t: { N: String(T0 + i) },
}));

const refusedBy = (p: Promise<unknown>): Promise<boolean> =>
  p.then(
    () => false,
    (e: unknown) => (isBufferedVersionRefusal(e) ? true : Promise.reject(e)),
  );

describe('the Redis buffer and a version 1 promoted before its backfill ended', () => {
  it('is refused until the backfill records its end', async () => {
    const t = await buildingTables(clients.ddb, 's40z-buf-forced', items, storeCountRollup.compiled);
    const target = { client: clients.ddb, table: t.table, rollups: [storeCountRollup] };
    expect(await refusedBy(checkBufferedVersions(target))).toBe(true); // building: refused, as before
    await promoteVersion(clients.ddb, t.table, 'store', 1, { force: true });
    expect(await refusedBy(checkBufferedVersions(target))).toBe(true);
    expect(await refusedBy(checkBufferedVersions({ ...target, otherVersions: 'written-elsewhere' }))).toBe(
      true,
    );
    // the backfill completes it in place and records its end: the buffer may write it
    const base = { client: clients.ddb, source: t.source, table: t.table, claimTable: t.claimTable };
    await runBackfill({ ...base, rollup: storeCountRollup, segments: 1, settleMs: 0 });
    expect((await readControl(clients.ddb, t.table, 'store'))?.versions[0]?.backfill?.endedAt).toBeTypeOf(
      'number',
    );
    expect(await refusedBy(checkBufferedVersions(target))).toBe(false);
  });

  it('is buffered as before once no backfill may build it (registered over 28 days ago)', async () => {
    const registeredAt = Date.now() - 29 * 86_400_000;
    const t = await buildingTables(
      clients.ddb,
      's40z-buf-old',
      items,
      storeCountRollup.compiled,
      registeredAt,
    );
    await promoteVersion(clients.ddb, t.table, 'store', 1, { force: true });
    expect(
      await refusedBy(
        checkBufferedVersions({ client: clients.ddb, table: t.table, rollups: [storeCountRollup] }),
      ),
    ).toBe(false);
  });
});
