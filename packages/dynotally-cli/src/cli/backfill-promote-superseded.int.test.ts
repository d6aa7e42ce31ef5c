// `dynotally backfill <rollup> --promote` from a configuration with an earlier definition of the rollup than the
// serving one (a stale checkout): the config's `scans` is version 1, a changed definition registered after it serves
// as version 2. The build completes and is left ready, not promoted (promoting it would retire version 2 for good
// and halt every stream side deploying only the changed definition), and the command exits 1 with PROMOTE_REFUSED.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynotally } from '../../../../test/support/cli.ts';
import { cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { count, defineRollup, sum } from '../../../dynotally/src/definition/index.ts';
import { promoteVersion, readControl, registerVersions } from '../../../dynotally/src/versions/index.ts';
import { scansPerProject } from '../scenarios/rollups.ts';

/** A later definition of the CLI's `scans` (one measure more), serving as version 2. */
const scansAfter = defineRollup({
  name: 'scans',
  match: { type: 'scan' },
  groupBy: 'projectId',
  time: { attribute: 'scannedAt', format: 'iso8601' },
  timeZone: 'America/New_York',
  granularities: ['day', 'month'],
  measures: { scans: count(), bytes: sum('bytes'), also: count() },
});

describe('dynotally backfill --promote of a definition older than the serving one', () => {
  const clients = testClients();
  let endpoint = '';
  afterAll(() => clients.destroy());
  beforeAll(async () => {
    endpoint = await ddbReady();
  });

  it('builds it, keeps the serving version and exits 1 (PROMOTE_REFUSED)', { timeout: 300_000 }, async () => {
    const { tables, work } = await cliSourceStack(clients.ddb, endpoint, 'bps', []);
    await registerVersions(clients.ddb, tables.aggregate, [scansPerProject.compiled], {
      firstVersion: 'building',
    });
    await registerVersions(clients.ddb, tables.aggregate, [scansAfter.compiled]);
    await promoteVersion(clients.ddb, tables.aggregate, 'scans', 2, { force: true });

    const run = await runDynotally(['backfill', 'scans', ...work, '--segments', '1', '--promote']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(
      "[PROMOTE_REFUSED] version 1 of rollup 'scans' is of an older definition than the serving version 2",
    );
    expect(run.stderr).toContain('dynotally rollups retire scans 1');
    expect(run.stdout).toMatch(/version 1 NOT promoted: version 2 of a newer definition serves/);
    const control = await readControl(clients.ddb, tables.aggregate, 'scans');
    expect(control?.serving).toBe(2);
    expect(control?.versions.map((v) => v.state)).toEqual(['ready', 'serving']);
  });
});
