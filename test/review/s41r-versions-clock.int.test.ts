// Review s41r (Redis buffer, `checkBufferedVersions` and the applier's clock): the rule for a version 1 promoted by
// force before its backfill ended depends on the time (refused while its claims may still be read: 28 days after its
// registration, `claimsMayHaveExpired`), and `checkBufferedVersions` applied it at the real clock (`Date.now()`)
// although the buffered applier runs on its `now` option (tests, benchmarks, replays of recorded streams), as every
// other time rule of the applier does (late records, send deadlines, bucket ids).
// Observed (before the fix): an applier whose clock is 29 days past the registration is refused, one whose clock is
// a day past it is buffered (the rule read the real clock: inverted for these clocks).
// Expected: the applier's `now` decides; `checkBufferedVersions({ now })` takes it.
// Fixed (session 41, redis/buffered-versions.ts `BufferedVersionsTarget.now`, redis/buffered-applier.ts).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, isBufferedVersionRefusal } from '../../packages/dynotally/src/redis/index.ts';
import { promoteVersion } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { quietLogger } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { useRedis } from '../support/use-redis.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());
const redis = useRedis();
const DAY = 86_400_000;

describe('the buffered applier applies the version rules at its own clock (review s41r)', () => {
  it('refuses or buffers a force-promoted unfinished version 1 by its now option', async () => {
    const registeredAt = Date.UTC(2026, 0, 1);
    const t = await buildingTables(clients.ddb, 's41r-vclock', [], storeCountRollup.compiled, registeredAt);
    await promoteVersion(clients.ddb, t.table, 'store', 1, { force: true });
    const outcome = async (now: number, prefix: string) => {
      const insert = streamInserts({ from: 1000 });
      return createBufferedApplier({
        redis: redis(),
        client: clients.ddb,
        table: t.table,
        rollups: [storeCountRollup],
        keyPrefix: `s41rv${process.pid}${prefix}:{b}:`,
        now: () => now,
        lateRecords: 'apply',
        logger: quietLogger(),
      })
        .apply({ records: [insert({ storeId: { S: 's-0' } }, now)], shardId: 'shard-1' })
        .then(
          () => 'buffered',
          (e: unknown) =>
            isBufferedVersionRefusal(e) ? 'refused' : isDynotallyError(e) ? e.code : String(e),
        );
    };
    // observed: { dayAfter: 'buffered', monthAfter: 'refused' } (the real clock is far past 2026-01-29)
    expect({
      dayAfter: await outcome(registeredAt + DAY, 'a'),
      monthAfter: await outcome(registeredAt + 29 * DAY, 'b'),
    }).toEqual({ dayAfter: 'refused', monthAfter: 'buffered' });
  });
});
