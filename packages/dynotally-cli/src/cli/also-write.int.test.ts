// A changed rollup rolled out with the serving definition kept in the configuration's `alsoWrite` (docs/cli.md,
// "Changing a rollup with several workers"), end to end through the bin on DynamoDB Local: the worker writes
// version 1 (serving) and version 2 (building) from the first restart; `dead-letters replay` does not refuse
// during the rollout (version 1 still serves); `dynotally query` with the rollout configuration reads version 1
// through the alsoWrite definition; `backfill --promote` serves version 2; a worker restarted with the
// rollout configuration after the promotion still starts (version 1 is retired, version 2 is written); `--redis`
// refuses alsoWrite. alsoWrite's checks against the control items (none yet, unregistered, stale) are
// test/review/s21-also-write-registers and s21-stale-also-write. The rollback path is test/review/s18-rollback-gap.int.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { orderPlacer, ordersConfigFile } from '../../../../test/review/s17-orders-config.ts';
import { cliTables, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('dynotally worker with the serving definition in alsoWrite', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('writes both versions through the rollout, promotes, and restarts after the promotion', {
    timeout: 900_000,
  }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('aw');
    const { aggregate, source } = made.tables;
    const claimFlags = ['--claim-table', uniqueTableName('aw-claims')];
    const flags = [...made.flags(endpoint), ...claimFlags];
    expect((await runDynotally(['tables', 'create', ...made.flags(endpoint)])).code).toBe(0);
    const dir = tempDir('dynotally-aw-');
    const first = ordersConfigFile(dir, false);
    const rollout = ordersConfigFile(dir, true, true);
    const order = orderPlacer(clients.ddb, source, DAY);
    const worker = (config: string, more: string[] = []) =>
      runDynotally(['worker', '--until-idle', '-c', config, ...flags, ...more]);
    // all-time rows by key prefix: version 1 under `orders#`, version 2 under its own prefix
    const allTime = async () =>
      (await scanTable(clients.ddb, aggregate))
        .filter((r) => r.sk?.S === 'ALL' && r.pk?.S?.includes('orders'))
        .map((r) => [r.pk?.S, r.n?.N, r.amount?.N])
        .sort();

    await order(1);
    expect((await worker(first)).code).toBe(0);
    await order(2);
    const rolledOut = await worker(rollout);
    expect(rolledOut.code, rolledOut.stderr).toBe(0);
    expect(rolledOut.stderr).toContain('also writing (alsoWrite): the other definition of orders');
    // version 1 counts both orders; version 2 the one the stream brought since it was registered
    const during = await allTime();
    expect(during.find(([pk]) => pk === 'orders#ss-0')).toEqual(['orders#ss-0', '2', undefined]);
    expect(during.filter(([pk]) => pk !== 'orders#ss-0')).toEqual([[expect.any(String), '1', '2']]);

    // queries with the rollout configuration read the serving version through its alsoWrite definition
    const serving = await runDynotally([
      'query',
      'total',
      'orders',
      '--group',
      'storeId=s-0',
      '--all',
      '--json',
      '-c',
      rollout,
      ...made.flags(endpoint),
    ]);
    expect(serving.code, serving.stderr).toBe(0);
    expect(JSON.parse(serving.stdout).values).toEqual({ n: 2 });

    // nothing dead-lettered: replay has nothing to do, and does not refuse the building definition
    const replay = await runDynotally(['dead-letters', 'replay', '--all', '-c', rollout, ...flags]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('nothing to replay');

    // the Redis buffer writes version 1 only: alsoWrite is refused before anything connects
    const buffered = await runDynotally([
      'worker',
      '--until-idle',
      '-c',
      rollout,
      ...made.flags(endpoint),
      '--redis',
      'redis://127.0.0.1:1',
    ]);
    expect(buffered.code).not.toBe(0);
    expect(buffered.stderr).toContain(
      "[CONFIG_INVALID] worker --redis: the configuration's alsoWrite (orders)",
    );

    const promoted = await runDynotally([
      'backfill',
      'orders',
      '--promote',
      '--settle',
      '0s',
      '-c',
      rollout,
      ...flags,
    ]);
    expect(promoted.code, promoted.stderr).toBe(0);
    // a worker still on the rollout configuration starts (version 1 retired, version 2 written) and counts on
    await order(4);
    const after = await worker(rollout);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).toContain('of its alsoWrite definition is retired');
    expect(after.stderr).not.toContain('also writing (alsoWrite)');
    const total = await runDynotally([
      'query',
      'total',
      'orders',
      '--group',
      'storeId=s-0',
      '--all',
      '--json',
      '-c',
      rollout,
      ...made.flags(endpoint),
    ]);
    expect(total.code, total.stderr).toBe(0);
    expect(JSON.parse(total.stdout).values).toEqual({ n: 3, amount: 7 });
  });
});
