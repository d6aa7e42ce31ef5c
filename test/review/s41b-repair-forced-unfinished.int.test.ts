// Review s41b: a repair (`repairRollup`, `dynotally verify --repair`) of a rollup whose serving version was promoted by
// force before its backfill ended. Since s40b `runBackfill` (`backfill --resume`) finishes such a version in place
// (its state stays serving, its end recorded); the repair left it out of its choice (it serves) and registered a
// rebuild beside it: a full scan of the source, the forced version retired with its claims never settled.
// Observed (main): `{ version: 2, registered: true }`, versions [[1, 'retired'], [2, 'serving']]: the counts were
// right (the rebuild is a build of its own), at the cost of a second scan of the whole table, and unlike what the
// docs of promote --force say (finish it with backfill --resume).
// Expected: within its 28 days the serving version of the definition, unfinished, is finished in place by the repair
// (its backfill resumed with the segment count it started with, its end recorded), nothing registered; the report
// says so (`finishedInPlace`). Nothing counted twice (the stream's change during the gap), nothing lost.
// Fixed: repairRollup picks the serving version when `isUnfinished` and its claims cannot have expired
// (verify/repair.ts); the CLI says it finished the version instead of "rebuilt as" (commands/verify.ts).
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repairRollup, verify } from '../../packages/dynotally/src/verify/index.ts';
import { promoteVersion, readControl } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { stopAfterFirstChunk } from '../backfill/stopped-backfill.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import {
  sourceCount as sourceCountOf,
  storeCount,
  storeItem,
  streamInsert,
  versionStates,
} from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const DAY = 86_400_000;
const rollup = storeCountRollup;
const ITEMS = 40;
const items = Array.from({ length: ITEMS }, (_, i) => storeItem(i));
const base = { rollup, segments: 2, chunkItems: 10, settleMs: 0 };
const sourceCount = (source: string) => sourceCountOf(clients.ddb, source);
const states = (table: string) => versionStates(clients.ddb, table);

describe('a repair of a version promoted by force before its backfill ended', () => {
  it('finishes it in place, as backfill --resume does, rather than rebuilding', async () => {
    const t0 = Date.now();
    const t = await buildingTables(clients.ddb, 's41b-rp-forced', items, rollup.compiled, t0);
    await stopAfterFirstChunk({ ...t, ...base, client: clients.ddb, now: () => t0 + DAY });
    await promoteVersion(clients.ddb, t.table, 'store', 1, { force: true });
    // an order placed since, counted by the stream side through its claim
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: storeItem(ITEMS) }));
    await streamInsert(clients.ddb, t, t0 + DAY + 60_000, ITEMS);
    // the repair is given 1 segment: the version's backfill resumes over the 2 it started with
    const report = await repairRollup({
      ...t,
      ...base,
      segments: 1,
      client: clients.ddb,
      now: () => t0 + 2 * DAY,
    });
    expect(report).toMatchObject({ version: 1, registered: false, previous: 1, promoted: true });
    expect(report.finishedInPlace).toBe(true);
    expect(report.backfill?.complete).toBe(true);
    expect(await states(t.table)).toEqual([[1, 'serving']]);
    const v1 = (await readControl(clients.ddb, t.table, 'store'))?.versions[0];
    expect(v1?.backfill?.endedAt).toBeTypeOf('number');
    expect(v1?.backfill?.segments).toBe(2);
    expect(await storeCount(clients.ddb, t.table)).toBe(await sourceCount(t.source));
    const check = { client: clients.ddb, source: t.source, table: t.table, rollup, passes: 1 };
    expect(await verify(check)).toMatchObject({ version: 1, drift: [] });
  });

  it('rebuilds one promoted by force more than 28 days after its registration (its claims may have expired)', async () => {
    const t0 = Date.now() - 40 * DAY;
    const t = await buildingTables(clients.ddb, 's41b-rp-forced-old', items, rollup.compiled, t0);
    await stopAfterFirstChunk({ ...t, ...base, client: clients.ddb, now: () => t0 + DAY });
    await promoteVersion(clients.ddb, t.table, 'store', 1, { force: true });
    const report = await repairRollup({ ...t, ...base, client: clients.ddb });
    expect(report).toMatchObject({ version: 2, registered: true, previous: 1, promoted: true });
    expect(report.finishedInPlace).toBe(false);
    expect(await states(t.table)).toEqual([
      [1, 'retired'],
      [2, 'serving'],
    ]);
    expect(await storeCount(clients.ddb, t.table, 'store.v2')).toBe(await sourceCount(t.source));
  });
});
