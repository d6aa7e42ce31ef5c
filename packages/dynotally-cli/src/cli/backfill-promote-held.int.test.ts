// `dynotally backfill <rollup> --register --promote` through the bin when the build's scan meets amounts whose sum
// passes 38 digits in its order only (the fixture of verify-repair-held): version 1 (another definition of the rollup)
// serves and counts them, the build of version 2 lacks the 1e-19 (NUMBER_UNREPRESENTABLE). The build is held, not
// promoted, and the command exits 1 with PROMOTE_REFUSED: a script that asked for the switch must not go on as if it
// had happened (before, it exited 0 with the warning on stderr only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynotally } from '../../../../test/support/cli.ts';
import { cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { seedOrderDependentScans } from '../../../../test/support/order-dependent-scans.ts';
import { count, defineRollup, sum } from '../../../dynotally/src/definition/index.ts';
import { readControl, registerVersions } from '../../../dynotally/src/versions/index.ts';

/** The rollup's earlier definition (one measure more than the CLI's `scans`), serving as version 1. */
const scansBefore = defineRollup({
  name: 'scans',
  match: { type: 'scan' },
  groupBy: 'projectId',
  time: { attribute: 'scannedAt', format: 'iso8601' },
  timeZone: 'America/New_York',
  granularities: ['day', 'month'],
  measures: { scans: count(), bytes: sum('bytes'), also: count() },
});

describe('dynotally backfill --promote of a build short of an item the store refused', () => {
  const clients = testClients();
  let endpoint = '';
  afterAll(() => clients.destroy());
  beforeAll(async () => {
    endpoint = await ddbReady();
  });

  it('holds the build, keeps the serving version and exits 1 (PROMOTE_REFUSED)', {
    timeout: 300_000,
  }, async () => {
    const { tables, work } = await cliSourceStack(clients.ddb, endpoint, 'bph', []);
    await registerVersions(clients.ddb, tables.aggregate, [scansBefore.compiled]);
    await seedOrderDependentScans(clients.ddb, tables.source, tables.aggregate, scansBefore);

    const run = await runDynotally([
      'backfill',
      'scans',
      ...work,
      '--segments',
      '1',
      '--register',
      '--promote',
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('backfill: NOT PROMOTED: the store refused 1 item of');
    expect(run.stderr).toContain(
      "[PROMOTE_REFUSED] version 2 of rollup 'scans' was built but not promoted: it lacks 1 item the store refused",
    );
    expect(run.stderr).toContain('dynotally rollups promote scans 2 --force');
    // the report is printed all the same
    expect(run.stdout).toMatch(/version 2 NOT promoted: held, it lacks 1 item /);
    const control = await readControl(clients.ddb, tables.aggregate, 'scans');
    expect(control?.serving).toBe(1);
    expect(control?.versions.find((v) => v.version === 2)).toMatchObject({
      state: 'ready',
      hold: { storeRefused: 1 },
    });
  });
});
