// `dynotally verify <rollup> --repair` through the bin, on DynamoDB Local, when no version of the definition serves:
// a first deployment over existing data whose backfill never ran, and a changed definition not yet promoted. verify
// has nothing to compare then (VERSION_UNKNOWN); with --repair it goes straight to the repair, which builds the
// definition's own version and promotes it. The oracle: the live favourites per restaurant of the generator's
// changes, counted from the changes themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTimeCounts } from '../../../../test/support/all-time-counts.ts';
import { liveCountsBy, runDynotally } from '../../../../test/support/cli.ts';
import { cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { count, defineRollup } from '../../../dynotally/src/definition/index.ts';
import { readControl, registerVersions } from '../../../dynotally/src/versions/index.ts';
import { scenario } from '../scenarios/generators/index.ts';
import { favouritesPerRestaurant } from '../scenarios/index.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const gen = scenario('s2').create({ seed: 23 });
const changes = [
  ...gen.history(NOW, 200),
  ...Array.from({ length: 100 }, (_, i) => gen.next(NOW + i * 1_000)),
];
/** The oracle: live favourites per restaurant. */
const expected = liveCountsBy(changes, 'restaurantId', (item) => item.type === 'favourite');
/** The built-in `favourites` rollup before it changed: all time only. */
const before = defineRollup({
  name: 'favourites',
  match: { type: 'favourite' },
  groupBy: 'restaurantId',
  time: { attribute: 'createdAt', format: 'epoch-seconds' },
  timeZone: 'Asia/Kolkata',
  granularities: ['all'],
  measures: { favourites: count() },
});

describe('dynotally verify --repair when no version of the definition serves', () => {
  const clients = testClients();
  let endpoint = '';
  afterAll(() => clients.destroy());
  beforeAll(async () => {
    endpoint = await ddbReady();
  });

  /** Tables named after `prefix` (the source holding the generator's live items, a claim table), and flags. */
  const setUp = (prefix: string) => cliSourceStack(clients.ddb, endpoint, prefix, changes);

  /** The all-time favourites per restaurant in a version's rows (`prefix`: `favourites` is version 1's). */
  const counted = (table: string, prefix: string) => allTimeCounts(clients.ddb, table, prefix, 'favourites');

  it('a first deployment: verify says --repair builds it; verify --repair builds version 1 and promotes it', {
    timeout: 560_000,
  }, async () => {
    const { tables, work } = await setUp('vr-first');
    // a new rollup over an existing table, its backfill never run: version 1 building, nothing serves
    await registerVersions(clients.ddb, tables.aggregate, [favouritesPerRestaurant.compiled], {
      firstVersion: 'building',
    });
    const plain = await runDynotally(['verify', 'favourites', ...work]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('[VERSION_UNKNOWN]');
    expect(plain.stderr).toContain('dynotally verify favourites --repair');

    const run = await runDynotally(['verify', 'favourites', ...work, '--repair']);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(run.stderr).toContain('no version of this definition of rollup');
    expect(run.stderr).toMatch(/^backfill: [\d,]+\/[\d,?]+ items scanned/m); // progress, as a repair prints it
    expect(run.stdout).toContain('repair: version 1 built and serving');
    const control = await readControl(clients.ddb, tables.aggregate, 'favourites');
    expect(control?.versions.map((v) => [v.version, v.state])).toEqual([[1, 'serving']]);
    expect(await counted(tables.aggregate, 'favourites')).toEqual(expected);

    const ok = await runDynotally(['verify', 'favourites', ...work, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ version: 1, drift: [] });
  });

  it('a changed definition not yet promoted: verify --repair --json builds it and it replaces the old one', {
    timeout: 560_000,
  }, async () => {
    const { tables, work } = await setUp('vr-changed');
    // version 1 (the old definition) serves; version 2 (the config's) is deployed, building
    await registerVersions(clients.ddb, tables.aggregate, [
      before.compiled,
      favouritesPerRestaurant.compiled,
    ]);
    const run = await runDynotally(['verify', 'favourites', ...work, '--repair', '--json']);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    // with --json the notice is in the output; stderr has only the progress lines
    expect(run.stderr).not.toContain('nothing to compare');
    expect(JSON.parse(run.stdout)).toMatchObject({
      rollup: 'favourites',
      serving: 1,
      versions: [2],
      compared: false,
      repair: { version: 2, registered: false, previous: 1, promoted: true },
    });
    const control = await readControl(clients.ddb, tables.aggregate, 'favourites');
    expect(control?.versions.map((v) => [v.version, v.state])).toEqual([
      [1, 'retired'],
      [2, 'serving'],
    ]);
    expect(await counted(tables.aggregate, 'favourites.v2')).toEqual(expected);
  });
});
