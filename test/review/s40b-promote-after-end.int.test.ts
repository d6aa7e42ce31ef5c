// Review s40b: a backfill with `promote: true` (`dynotally backfill <rollup> --promote`) that stopped between
// recording its end (the version `ready`) and its promotion — a crash, a killed process, a promotion throttled past
// its retries — is run again, as every other stop of a backfill is.
// Observed (main): the run again is refused, BACKFILL_REFUSED "version 1 of rollup 'store' is ready: only a building
// version is backfilled", and nothing says how to go on (the CLI exits 1): the version stays ready, reads stay on
// the previous version (or on none, for a first build), until an operator finds `dynotally rollups promote`.
// Expected: asked to promote, a run that finds the version ready (its backfill ended) promotes it, as a repair does
// for a ready rebuild: held (it lacks items the store refused) it is not, and the report says held, as the end
// would have; without `promote` the refusal names `dynotally rollups promote`.
// Fixed: the run's state refusal lets a ready version through when `promote` is asked (`state` in
// backfill/run-refusals.ts, so a dry run agrees), and runBackfill then promotes it without scanning, as its end would
// have (`promoteUnlessSuperseded`, shared with the end; a held one is reported held, a superseded one
// `promoteRefused`); the refusal of a ready version without `promote` names `dynotally rollups promote`.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { DynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import {
  promoteVersion,
  readControl,
  recordBackfill,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const rejection = (p: Promise<unknown>): Promise<DynotallyError | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (e instanceof DynotallyError ? e : Promise.reject(e)),
  );
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const T0 = Date.UTC(2026, 11, 1);
const items = Array.from({ length: 10 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: 's-0' },
  t: { N: String(T0 + i) },
}));

describe('a backfill run again after its end was recorded and before its promotion', () => {
  it('promotes the ready version when asked to, and names the promotion otherwise', async () => {
    const t = await buildingTables(clients.ddb, 's40b-end', items, rollup.compiled);
    const base = { client: clients.ddb, source: t.source, table: t.table, claimTable: t.claimTable, rollup };
    // what the stop leaves: the end recorded, the version ready, no promotion
    const first = await runBackfill({ ...base, segments: 1, settleMs: 0 });
    expect(first.complete).toBe(true);
    expect((await readControl(clients.ddb, t.table, 'store'))?.versions[0]?.state).toBe('ready');
    const plain = await rejection(runBackfill({ ...base, settleMs: 0 }));
    expect(plain?.code).toBe('BACKFILL_REFUSED');
    expect(plain?.message).toContain('dynotally rollups promote store 1');
    const again = await runBackfill({ ...base, settleMs: 0, promote: true });
    expect(again).toMatchObject({ version: 1, complete: true, held: false });
    const control = await readControl(clients.ddb, t.table, 'store');
    expect(control?.serving).toBe(1);
    expect(control?.versions[0]?.state).toBe('serving');
  });

  it('leaves a held ready version ready and says so', async () => {
    const t = await buildingTables(clients.ddb, 's40b-end-held', items, rollup.compiled);
    const changed = defineRollup({ ...storeCountConfig, measures: { n: count(), m: count() } });
    await recordBackfill(clients.ddb, t.table, 'store', 1, { startedAt: T0, segments: 1, endedAt: T0 + 1 });
    await registerVersions(clients.ddb, t.table, [changed.compiled]);
    await promoteVersion(clients.ddb, t.table, 'store', 1);
    // version 2 ended short of 2 items the store refused, held by its end
    await recordBackfill(clients.ddb, t.table, 'store', 2, {
      startedAt: T0,
      segments: 1,
      endedAt: T0 + 1,
      storeRefused: 2,
      hold: { storeRefused: 2, at: T0 + 1 },
    });
    const again = await runBackfill({
      client: clients.ddb,
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup: changed,
      settleMs: 0,
      promote: true,
    });
    expect(again).toMatchObject({ version: 2, complete: true, held: true, storeRefused: 2 });
    const control = await readControl(clients.ddb, t.table, 'store');
    expect(control?.serving).toBe(1);
    expect(control?.versions.find((v) => v.version === 2)?.state).toBe('ready');
  });
});
