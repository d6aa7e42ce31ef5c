// `dynotally verify <rollup> --repair` through the bin when the rebuild's scan meets amounts whose sum passes 38
// digits in its order only (review h136): three scans of one project, 1e20, 1e-19 and -1e20 bytes, counted exactly by
// the stream side in an order where every sum fits (version 1), among 597 scans of a project version 1 misses (the
// drift that makes verify repair). The rebuild lacks the 1e-19 (NUMBER_UNREPRESENTABLE): it is left ready, version 1 keeps serving, and
// verify says so loudly (exit 1); --accept-uncountable promotes it, with a warning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynotally } from '../../../../test/support/cli.ts';
import { cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { seedOrderDependentScans } from '../../../../test/support/order-dependent-scans.ts';
import { readControl, registerVersions } from '../../../dynotally/src/versions/index.ts';
import { scansPerProject } from '../scenarios/index.ts';

describe('dynotally verify --repair when the rebuild cannot count an item the serving version counts', () => {
  const clients = testClients();
  let endpoint = '';
  afterAll(() => clients.destroy());
  beforeAll(async () => {
    endpoint = await ddbReady();
  });

  it('leaves the rebuild ready and says so (exit 1); --accept-uncountable promotes it with a warning', {
    timeout: 300_000,
  }, async () => {
    const { tables, work, flags: base } = await cliSourceStack(clients.ddb, endpoint, 'vrh', []);
    // version 1 serving, counted by the stream side in an order where every sum fits; the p-fill items it missed
    // (the drift that makes verify repair)
    await registerVersions(clients.ddb, tables.aggregate, [scansPerProject.compiled]);
    await seedOrderDependentScans(clients.ddb, tables.source, tables.aggregate, scansPerProject);

    const flags = [...work, '--segments', '1'];
    const held = await runDynotally(['verify', 'scans', ...flags, '--repair']);
    expect(held.code, held.stderr).toBe(1);
    expect(held.stderr).toContain('uncountable 1 (NUMBER_UNREPRESENTABLE 1)');
    expect(held.stderr).toContain(
      'repair: NOT PROMOTED: the store refused 1 item of the source when the rebuild',
    );
    expect(held.stderr).toContain('dynotally verify scans --repair --accept-uncountable');
    expect(held.stderr).toContain(
      "[DRIFT_FOUND] 4 cells of rollup 'scans' version 1 differed from the source; rebuilt as version 2 (not promoted: it lacks 1 item the store refused",
    );
    expect(held.stdout).toMatch(
      /which is NOT promoted: it lacks 1 item the store refused .*; version 1 keeps serving/,
    );
    const kept = await readControl(clients.ddb, tables.aggregate, 'scans');
    expect(kept?.versions.map((v) => [v.version, v.state])).toEqual([
      [1, 'serving'],
      [2, 'ready'],
    ]);

    // the hold is on the control item: status shows it, and a plain promote is refused (helper-142)
    expect(kept?.versions.find((v) => v.version === 2)?.hold).toMatchObject({ storeRefused: 1 });
    const status = await runDynotally(['rollups', 'status', 'scans', ...base]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/HOLD/);
    expect(status.stdout).toMatch(/\n\S*scans +2 +ready .*held: lacks 1 refused item(?!s)/);
    const statusJson = await runDynotally(['rollups', 'status', 'scans', '--json', ...base]);
    expect(JSON.parse(statusJson.stdout).versions).toEqual([
      expect.objectContaining({ version: 1, storeRefused: 0 }),
      expect.objectContaining({ version: 2, state: 'ready', storeRefused: 1 }),
    ]);
    const promote = await runDynotally(['rollups', 'promote', 'scans', '2', ...base]);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toContain('[PROMOTE_REFUSED] version 2 of rollup');
    expect(promote.stderr).toContain('dynotally rollups promote scans 2 --force');
    expect((await readControl(clients.ddb, tables.aggregate, 'scans'))?.serving).toBe(1);

    const json = await runDynotally(['verify', 'scans', ...flags, '--repair', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).repair).toMatchObject({
      version: 2,
      held: true,
      storeRefused: 1,
      promoted: false,
    });

    const bad = await runDynotally(['verify', 'scans', ...flags, '--accept-uncountable']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--accept-uncountable goes with --repair');

    const accepted = await runDynotally(['verify', 'scans', ...flags, '--repair', '--accept-uncountable']);
    expect(accepted.code).toBe(1);
    expect(accepted.stderr).toContain('repair: WARNING: version 2 serves without 1 item:');
    expect(accepted.stdout).toMatch(/which now serves; version 1 is retired/);
    expect((await readControl(clients.ddb, tables.aggregate, 'scans'))?.serving).toBe(2);
    const after = await runDynotally(['rollups', 'status', 'scans', ...base]);
    expect(after.stdout).toMatch(/scans +2 +serving +yes .*lacks 1 refused item(?!s)/);
  });
});
