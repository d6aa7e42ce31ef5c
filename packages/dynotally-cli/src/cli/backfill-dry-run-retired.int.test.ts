// `dynotally backfill <rollup> --dry-run` for a configured definition whose version is retired (a changed definition
// was promoted over it): the dry run printed "backfill scans version 1" and an estimate as if it would build it,
// while the real run refuses (BACKFILL_REFUSED: only a building version is backfilled). It now says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynotally } from '../../../../test/support/cli.ts';
import { cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { count, defineRollup, sum } from '../../../dynotally/src/definition/index.ts';
import { promoteVersion, registerVersions } from '../../../dynotally/src/versions/index.ts';
import { scansPerProject } from '../scenarios/rollups.ts';

/** A later definition of the CLI's `scans` (one measure more), promoted over it as version 2. */
const scansAfter = defineRollup({
  name: 'scans',
  match: { type: 'scan' },
  groupBy: 'projectId',
  time: { attribute: 'scannedAt', format: 'iso8601' },
  timeZone: 'America/New_York',
  granularities: ['day', 'month'],
  measures: { scans: count(), bytes: sum('bytes'), also: count() },
});

describe('dynotally backfill --dry-run of a retired definition', () => {
  const clients = testClients();
  let endpoint = '';
  afterAll(() => clients.destroy());
  beforeAll(async () => {
    endpoint = await ddbReady();
  });

  it('says the real run refuses, as the real run does', { timeout: 300_000 }, async () => {
    const { tables, work } = await cliSourceStack(clients.ddb, endpoint, 'bdr', []);
    // version 1 serves; version 2, of the changed definition, is promoted over it, retiring it
    await registerVersions(clients.ddb, tables.aggregate, [scansPerProject.compiled], {
      firstVersion: 'serving',
    });
    await registerVersions(clients.ddb, tables.aggregate, [scansAfter.compiled]);
    await promoteVersion(clients.ddb, tables.aggregate, 'scans', 2, { force: true });

    const refusal = "version 1 of rollup 'scans' is retired: only a building version is backfilled";
    const real = await runDynotally(['backfill', 'scans', ...work, '--segments', '1']);
    expect(real.code, real.stderr).toBe(1);
    expect(real.stderr).toContain(`[BACKFILL_REFUSED] ${refusal}`);

    const dry = await runDynotally(['backfill', 'scans', ...work, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`  refused    a real run refuses it: [BACKFILL_REFUSED] ${refusal}`);
    const json = await runDynotally(['backfill', 'scans', ...work, '--dry-run', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      rollup: 'scans',
      version: 1,
      dryRun: true,
      refused: `[BACKFILL_REFUSED] ${refusal}`,
    });
  });
});
