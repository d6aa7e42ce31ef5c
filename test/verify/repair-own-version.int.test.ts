// A repair of a definition whose own version is unfinished (building within its 28 days, or ready and never
// promoted): that version is a build of this very definition, so the repair finishes it (resumes its backfill,
// promotes it) instead of registering a rebuild beside it. A rebuild beside it would serve, and the own version
// would stay building or ready for good: never retired, never serving, its rows and claims written by every batch
// of the stream side. Whatever it finds, a repair leaves no version of the definition but the one it serves
// being written. The oracle: the items of the source table, counted by a scan.
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { repairRollup, verify } from '../../packages/dynotally/src/verify/index.ts';
import { registerVersionParams } from '../../packages/dynotally/src/versions/control-params.ts';
import { readControl, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { rebuildFingerprint } from '../../packages/dynotally/src/versions/rebuild.ts';
import { backfillTables, buildingTables } from '../backfill/backfill-tables.ts';
import { stopAfterFirstChunk } from '../backfill/stopped-backfill.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../support/store-count-rollup.ts';
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
const base = { rollup, segments: 1, chunkItems: 10, settleMs: 0 };
/** The rollup `store` before it changed: months too. */
const old = defineRollup({ ...storeCountConfig, granularities: ['all', 'month'] });

const sourceCount = (source: string) => sourceCountOf(clients.ddb, source);
const states = (table: string) => versionStates(clients.ddb, table);

describe('a repair of a definition whose own version is unfinished', () => {
  it('resumes the own version of a first deployment still within its 28 days, and promotes it', async () => {
    const t0 = Date.now();
    const t = await buildingTables(clients.ddb, 'rp-own-building', items, rollup.compiled, t0);
    await streamInsert(clients.ddb, t, t0 + 60_000);
    // the first deployment's backfill stops after its first chunk
    await stopAfterFirstChunk({ ...t, ...base, client: clients.ddb, now: () => t0 + DAY });
    // an order placed since, counted by the stream side
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: storeItem(ITEMS) }));
    await streamInsert(clients.ddb, t, t0 + DAY + 60_000, ITEMS);
    const report = await repairRollup({ ...t, ...base, client: clients.ddb, now: () => t0 + 2 * DAY });
    expect(report).toMatchObject({ version: 1, registered: false, previous: undefined, promoted: true });
    expect(report.backfill?.complete).toBe(true);
    // no rebuild beside it: version 1 is the only version, and serves
    expect(await states(t.table)).toEqual([[1, 'serving']]);
    expect(await storeCount(clients.ddb, t.table)).toBe(await sourceCount(t.source));
    const check = { client: clients.ddb, source: t.source, table: t.table, rollup, passes: 1 };
    expect(await verify(check)).toMatchObject({ version: 1, drift: [] });
  });

  it('resumes the own version with the segment count its backfill started with, whatever the repair is given', async () => {
    const t0 = Date.now();
    const t = await buildingTables(clients.ddb, 'rp-own-segments', items, rollup.compiled, t0);
    // the deployment's backfill runs 2 segments and stops after a chunk: its progress is kept per segment count
    await stopAfterFirstChunk({ ...t, ...base, segments: 2, client: clients.ddb, now: () => t0 + DAY });
    // the repair is given 1 segment (the CLI's --segments, or its default of 4): a scan over other segments would
    // count the chunks the first one applied again, and skip the items it claimed but did not apply
    const report = await repairRollup({ ...t, ...base, client: clients.ddb, now: () => t0 + 2 * DAY });
    expect(report).toMatchObject({ version: 1, registered: false, promoted: true });
    expect(await storeCount(clients.ddb, t.table)).toBe(await sourceCount(t.source));
    expect(report.backfill?.progress.segments).toBe(2);
  });

  it("promotes a changed definition's own version that is ready, which retires the old definition's", async () => {
    const t0 = Date.now();
    const t = await backfillTables(clients.ddb, 'rp-own-ready', items);
    // version 1 (the old definition) serves; version 2 (this one) is built, and never promoted
    await registerVersions(clients.ddb, t.table, [old.compiled, rollup.compiled], { now: t0 });
    const built = await runBackfill({ ...t, ...base, client: clients.ddb, now: () => t0 });
    expect(built).toMatchObject({ version: 2, complete: true });
    expect(await states(t.table)).toEqual([
      [1, 'serving'],
      [2, 'ready'],
    ]);
    const report = await repairRollup({ ...t, ...base, client: clients.ddb, now: () => t0 + DAY });
    expect(report).toMatchObject({
      version: 2,
      registered: false,
      previous: 1,
      promoted: true,
      backfill: undefined,
    });
    expect(await states(t.table)).toEqual([
      [1, 'retired'],
      [2, 'serving'],
    ]);
    expect(await storeCount(clients.ddb, t.table, 'store.v2')).toBe(await sourceCount(t.source));
    const check = { client: clients.ddb, source: t.source, table: t.table, rollup, passes: 1 };
    expect(await verify(check)).toMatchObject({ version: 2, drift: [] });
  });

  it('finishes one of two unfinished versions of the definition (the newest) and retires the other', async () => {
    const t0 = Date.now();
    const t = await backfillTables(clients.ddb, 'rp-own-two', items);
    // version 2 (this definition) building beside version 1 (the old one), and a rebuild of it (version 3)
    // building too, as an earlier dynotally's repair left them when it stopped before its end
    await registerVersions(clients.ddb, t.table, [old.compiled, rollup.compiled], { now: t0 });
    await clients.ddb.send(
      new UpdateItemCommand(
        registerVersionParams(t.table, 'store', {
          fingerprint: rebuildFingerprint(rollup.compiled.fingerprint, 3),
          version: 3,
          expectedNext: 3,
          state: 'building',
          needsBackfill: true,
          now: t0,
        }),
      ),
    );
    const at = t0 + DAY;
    const report = await repairRollup({ ...t, ...base, client: clients.ddb, now: () => at });
    expect(report).toMatchObject({ version: 3, registered: false, previous: 1, promoted: true });
    const control = await readControl(clients.ddb, t.table, 'store');
    // left building, version 2 would be written by the stream side (rows and claims) on every batch for good
    expect(control?.versions.find((v) => v.version === 2)).toMatchObject({ state: 'retired', retiredAt: at });
    expect(control?.versions.map((v) => v.state)).toEqual(['retired', 'retired', 'serving']);
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: storeItem(ITEMS) }));
    await streamInsert(clients.ddb, t, at + 60_000, ITEMS);
    expect(await storeCount(clients.ddb, t.table, 'store.v2')).toBeUndefined();
    expect(await storeCount(clients.ddb, t.table, 'store.v3')).toBe(await sourceCount(t.source));
    const check = { client: clients.ddb, source: t.source, table: t.table, rollup, passes: 1 };
    expect(await verify(check)).toMatchObject({ version: 3, drift: [] });
  });
});
