// Two processes building one version of a rollup at the same time: two repairs (`dynotally verify --repair` run
// twice), or a repair while a backfill of the rollup runs. Both target the same version (the second repair finds
// the first one's rebuild unfinished and finishes it rather than register another). A backfill's progress is kept
// per segment count, and a claim names only its segment and chunk: two scans of one version over different counts
// take each other's claims as their own and count those items twice. Each process reads the version's recorded
// count before its settle wait, so the count must be decided by the write that records the start: the first start
// wins, and a process given another count is refused before it claims anything. The races run for real against
// DynamoDB Local, in the same order every time: a client holds one process's chosen control-item write until the
// other one got somewhere. The oracle: the items of the source table, counted by a scan.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { repairRollup } from '../../packages/dynotally/src/verify/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { backfillTables, buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import {
  backfillRecordOf,
  heldClient,
  isPromotion,
  isRegistration,
  meeting,
  signal,
} from '../support/held-client.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import {
  sourceCount as sourceCountOf,
  storeCount,
  storeItem,
  versionStates,
} from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const items = Array.from({ length: 40 }, (_, i) => storeItem(i));
const base = { rollup, chunkItems: 10, settleMs: 0 };

const sourceCount = (source: string) => sourceCountOf(clients.ddb, source);
const states = (table: string) => versionStates(clients.ddb, table);

/**
 * Two clients for processes `first` and `second` of one version's build, in this order: both read the version
 * before either records its backfill's start; `first` records its start, scans and holds its end; `second` then
 * records its start, and `first`'s end goes once `second` has settled (`settled`, resolved by the test).
 */
function startRace() {
  const firstAtStart = signal();
  const secondAtStart = signal();
  const firstAtEnd = signal();
  const secondSettled = signal();
  const first = heldClient(clients.ddb, async (c) => {
    const record = backfillRecordOf(c);
    if (record === 'start') {
      firstAtStart.resolve();
      await secondAtStart.promise;
    } else if (record === 'end') {
      firstAtEnd.resolve();
      await secondSettled.promise;
    }
  });
  const second = heldClient(clients.ddb, async (c) => {
    if (backfillRecordOf(c) !== 'start') return;
    secondAtStart.resolve();
    await firstAtEnd.promise;
  });
  return { first, second, firstAtStart, settled: secondSettled.resolve };
}

describe('two processes building one version over different segment counts', () => {
  it('two repairs: the second one given another count is refused, and the rebuild counts every item once', async () => {
    const t = await backfillTables(clients.ddb, 'rp-race-two', items);
    await registerVersions(clients.ddb, t.table, [rollup.compiled]); // version 1 serves
    const race = startRace();
    const first = repairRollup({ ...t, ...base, segments: 1, client: race.first });
    // the second repair starts once the first registered its rebuild and is about to record its start
    await race.firstAtStart.promise;
    const second = codeOf(repairRollup({ ...t, ...base, segments: 2, client: race.second })).finally(
      race.settled,
    );
    const [report, refused] = await Promise.allSettled([first, second]);
    expect(await storeCount(clients.ddb, t.table, 'store.v2')).toBe(await sourceCount(t.source));
    expect(refused).toEqual({ status: 'fulfilled', value: 'BACKFILL_REFUSED' });
    expect(report).toMatchObject({
      status: 'fulfilled',
      value: { version: 2, registered: true, promoted: true },
    });
    expect(await states(t.table)).toEqual([
      [1, 'retired'],
      [2, 'serving'],
    ]);
  });

  it('a repair while a backfill of the rollup runs: the repair given another count is refused', async () => {
    const t = await buildingTables(clients.ddb, 'rp-race-backfill', items, rollup.compiled);
    const race = startRace();
    // `dynotally backfill store --segments 2` of the new rollup's own version (building), not promoting
    const backfill = runBackfill({ ...t, ...base, segments: 2, client: race.first });
    await race.firstAtStart.promise;
    // `dynotally verify store --repair --segments 1` finds the version unfinished and finishes it
    const repair = codeOf(repairRollup({ ...t, ...base, segments: 1, client: race.second })).finally(
      race.settled,
    );
    const [built, refused] = await Promise.allSettled([backfill, repair]);
    expect(await storeCount(clients.ddb, t.table, 'store')).toBe(await sourceCount(t.source));
    expect(refused).toEqual({ status: 'fulfilled', value: 'BACKFILL_REFUSED' });
    expect(built).toMatchObject({ status: 'fulfilled', value: { version: 1, complete: true } });
    expect(await states(t.table)).toEqual([[1, 'ready']]);
  });
});

describe('two processes building one version over the same segment count', () => {
  it('two repairs at once both finish: the rebuild counts every item once and serves, and neither fails', async () => {
    const t = await backfillTables(clients.ddb, 'rp-race-same', items);
    await registerVersions(clients.ddb, t.table, [rollup.compiled]); // version 1 serves
    // both register a rebuild at once (each read the control item before), both scan (the CLI's default count),
    // then both record the end at once, then both promote at once
    const registration = meeting();
    const end = meeting();
    const promotion = meeting();
    const repair = (process: 0 | 1) =>
      repairRollup({
        ...t,
        ...base,
        client: heldClient(clients.ddb, async (c) => {
          if (isRegistration(c)) await registration.at(process);
          else if (backfillRecordOf(c) === 'end') await end.at(process);
          else if (isPromotion(c)) await promotion.at(process);
        }),
      }).finally(() => {
        registration.ended(process);
        end.ended(process);
        promotion.ended(process);
      });
    const reports = await Promise.allSettled([repair(0), repair(1)]);
    expect(await storeCount(clients.ddb, t.table, 'store.v2')).toBe(await sourceCount(t.source));
    const fulfilled = { status: 'fulfilled', value: { version: 2, previous: 1, promoted: true } };
    expect(reports).toMatchObject([fulfilled, fulfilled]);
    expect(reports.map((r) => r.status === 'fulfilled' && r.value.registered).sort()).toEqual([false, true]);
    expect(await states(t.table)).toEqual([
      [1, 'retired'],
      [2, 'serving'],
    ]);
  });

  it('a repair without a count while a backfill runs builds with its count, and both finish', async () => {
    const t = await buildingTables(clients.ddb, 'rp-race-join', items, rollup.compiled);
    const race = startRace();
    const backfill = runBackfill({ ...t, ...base, segments: 2, client: race.first });
    await race.firstAtStart.promise;
    // `dynotally verify store --repair` (no --segments: 4 for a backfill of its own) joins the one started
    const repair = repairRollup({ ...t, ...base, client: race.second }).finally(race.settled);
    const [built, repaired] = await Promise.allSettled([backfill, repair]);
    expect(await storeCount(clients.ddb, t.table, 'store')).toBe(await sourceCount(t.source));
    expect(repaired).toMatchObject({
      status: 'fulfilled',
      value: { version: 1, promoted: true, backfill: { complete: true, progress: { segments: 2 } } },
    });
    // the backfill's end was recorded by the repair: it has nothing left to do
    expect(built).toMatchObject({ status: 'fulfilled', value: { version: 1, complete: true } });
    expect(await states(t.table)).toEqual([[1, 'serving']]);
  });
});

describe('a process that finds the version built by another one meanwhile', () => {
  it('a repair whose backfill would start after the other repair built the rebuild reports it serving', async () => {
    const t = await backfillTables(clients.ddb, 'rp-race-late', items);
    await registerVersions(clients.ddb, t.table, [rollup.compiled]); // version 1 serves
    const firstAtStart = signal();
    const secondAtStart = signal();
    const firstSettled = signal();
    const first = repairRollup({
      ...t,
      ...base,
      client: heldClient(clients.ddb, async (c) => {
        if (backfillRecordOf(c) !== 'start') return;
        firstAtStart.resolve();
        await secondAtStart.promise;
      }),
    }).finally(firstSettled.resolve);
    await firstAtStart.promise;
    // both find the rebuild building with no backfill started; the second one's backfill starts (after its settle
    // wait) only once the first repair has built and promoted it
    const second = repairRollup({
      ...t,
      ...base,
      client: heldClient(clients.ddb, async (c) => {
        if (backfillRecordOf(c) !== 'start') return;
        secondAtStart.resolve();
        await firstSettled.promise;
      }),
    });
    const reports = await Promise.allSettled([first, second]);
    expect(reports).toMatchObject([
      { status: 'fulfilled', value: { version: 2, registered: true, promoted: true } },
      { status: 'fulfilled', value: { version: 2, registered: false, promoted: true, backfill: undefined } },
    ]);
    expect(await storeCount(clients.ddb, t.table, 'store.v2')).toBe(await sourceCount(t.source));
    expect(await states(t.table)).toEqual([
      [1, 'retired'],
      [2, 'serving'],
    ]);
  });
});
