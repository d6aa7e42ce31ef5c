// `dynotally verify <rollup> --repair` through the bin, on DynamoDB Local, when verify finds drift: the built-in
// S2 rollup (favourites per restaurant) built from the source, two of its all-time rows corrupted. verify names
// the drifted cells and exits 1 (DRIFT_FOUND); verify --repair shows the same cells, the rebuild's progress and
// what it rebuilt, and still exits 1 (the drift is reported) saying the rebuild serves; a verify after it finds
// no drift. The oracle: the live favourites per restaurant of the generator's changes, counted from the changes
// themselves.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTimeCounts } from '../../../../test/support/all-time-counts.ts';
import { liveCountsBy, runDynotally } from '../../../../test/support/cli.ts';
import { cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { runBackfill } from '../../../dynotally/src/backfill/run-backfill.ts';
import { readControl, registerVersions } from '../../../dynotally/src/versions/index.ts';
import { scenario } from '../scenarios/generators/index.ts';
import { favouritesPerRestaurant } from '../scenarios/index.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const gen = scenario('s2').create({ seed: 31 });
const changes = [
  ...gen.history(NOW, 200),
  ...Array.from({ length: 100 }, (_, i) => gen.next(NOW + i * 1_000)),
];
/** The oracle: live favourites per restaurant. */
const expected = liveCountsBy(changes, 'restaurantId', (item) => item.type === 'favourite');

describe('dynotally verify --repair when verify finds drift', () => {
  const clients = testClients();
  let endpoint = '';
  afterAll(() => clients.destroy());
  beforeAll(async () => {
    endpoint = await ddbReady();
  });

  /** The all-time favourites per restaurant in a version's rows (`prefix`: `favourites` is version 1's). */
  const counted = (table: string, prefix: string) => allTimeCounts(clients.ddb, table, prefix, 'favourites');

  it('verify names the drifted cells (exit 1); verify --repair rebuilds version 2, which serves; verify finds none', {
    timeout: 560_000,
  }, async () => {
    const { tables, claims, work } = await cliSourceStack(clients.ddb, endpoint, 'vrd', changes);
    // version 1 built from the source and serving
    await registerVersions(clients.ddb, tables.aggregate, [favouritesPerRestaurant.compiled], {
      firstVersion: 'building',
    });
    const built = await runBackfill({
      client: clients.ddb,
      source: tables.source,
      table: tables.aggregate,
      claimTable: claims,
      rollup: favouritesPerRestaurant,
      settleMs: 0,
      promote: true,
    });
    expect(built).toMatchObject({ version: 1, complete: true });
    expect(await counted(tables.aggregate, 'favourites')).toEqual(expected);

    // two restaurants' all-time rows drift: one counts a favourite too many, the other two too few
    const [up, down] = [...expected.keys()].sort();
    if (up === undefined || down === undefined) throw new Error('the scenario has fewer than 2 restaurants');
    for (const [id, by] of [
      [up, 1],
      [down, -2],
    ] as const)
      await clients.ddb.send(
        new UpdateItemCommand({
          TableName: tables.aggregate,
          Key: { pk: { S: `favourites#s${id}` }, sk: { S: 'ALL' } },
          UpdateExpression: 'ADD favourites :by',
          ExpressionAttributeValues: { ':by': { N: String(by) } },
        }),
      );
    const cell = (id: string, by: number) =>
      new RegExp(
        `^restaurantId=${id}\\s+ALL\\s+favourites\\s+${expected.get(id)}\\s+${(expected.get(id) ?? 0) + by}$`,
      );
    const driftTable = [
      expect.stringMatching(/^GROUP\s+BUCKET\s+MEASURE\s+EXPECTED\s+ACTUAL$/),
      expect.stringMatching(/^-/),
      expect.stringMatching(cell(up, 1)),
      expect.stringMatching(cell(down, -2)),
    ];

    const plain = await runDynotally(['verify', 'favourites', ...work]);
    expect({ code: plain.code, stderr: plain.stderr }).toMatchObject({ code: 1 });
    expect(plain.stderr).toContain('pass 2 of 2: 2 cells differ in every pass\n');
    expect(plain.stderr).toContain('[DRIFT_FOUND]');
    expect(plain.stderr).toContain('dynotally verify favourites --repair');
    const found = plain.stdout.trim().split('\n');
    expect(found[0]).toMatch(/^verify favourites version 1: .*; 2 drifted/);
    expect(found.slice(1)).toEqual(driftTable);

    // --repair: the same report, the rebuild's progress and what it rebuilt. It still exits 1 with DRIFT_FOUND
    // (docs/cli.md: drift found is reported also after a repair), its message saying that the rebuild serves
    const run = await runDynotally(['verify', 'favourites', ...work, '--repair']);
    expect(run.code, run.stderr).toBe(1);
    // verify's own progress lines (the first at once, then one every 5 s: no TTY) come first, then the passes'
    const lines = run.stderr.trim().split('\n');
    const progress = (l: string) => /^verify: pass [12] of 2, /.test(l);
    expect(lines[0]).toMatch(/^verify: pass 1 of 2, source: /);
    const said = lines.filter((l) => !progress(l));
    expect(said.slice(0, 3)).toEqual([
      'pass 1 of 2: 2 cells differ; checking again after 0 s',
      'pass 2 of 2: 2 cells differ in every pass',
      'verify favourites: 2 cells of version 1 differ from the source; --repair rebuilds the rollup from the source as a new version and promotes it',
    ]);
    // progress lines, the last one the scan's end
    expect(said.slice(3, -1).every((l) => /^backfill: [\d,]+\/[\d,?]+ items scanned/.test(l))).toBe(true);
    expect(said.at(-2)).toMatch(/^backfill: ([\d,]+)\/\1 items scanned, .*, segments (\d+)\/\2,/);
    expect(said.at(-1)).toBe(
      "dynotally: [DRIFT_FOUND] 2 cells of rollup 'favourites' version 1 differed from the source; rebuilt as version 2, which now serves",
    );
    const repaired = run.stdout.trim().split('\n');
    expect(repaired[0]).toMatch(/^verify favourites version 1: .*; 2 drifted/);
    expect(repaired.slice(1, -1)).toEqual(driftTable);
    expect(repaired.at(-1)).toMatch(
      /^repair: rebuilt from the source as version 2 \([\d,]+ items folded\), which now serves; version 1 is retired$/,
    );
    const control = await readControl(clients.ddb, tables.aggregate, 'favourites');
    expect(control?.versions.map((v) => [v.version, v.state])).toEqual([
      [1, 'retired'],
      [2, 'serving'],
    ]);
    expect(await counted(tables.aggregate, 'favourites.v2')).toEqual(expected);

    const ok = await runDynotally(['verify', 'favourites', ...work, '--json']);
    expect({ code: ok.code, stderr: ok.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(ok.stdout)).toMatchObject({ version: 2, drift: [] });
  });
});
