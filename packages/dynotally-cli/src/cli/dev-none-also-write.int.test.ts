// `dynotally dev --scenarios none` with the rollout configuration (the changed definition in `rollups`, the serving
// one in `alsoWrite`: docs/cli.md, "Changing a rollup with several workers") over an aggregate table where version 1
// serves: its worker writes version 1 too, as `dynotally worker` does, so the serving version misses nothing while
// version 2 is registered and written. And it stops as `dynotally worker` does: once another configuration registers
// a version 3 it lacks, the next batch is refused and the whole dev stack stops (exit 1, the batch unwritten, the
// reason naming dev); with its definition's versions all retired it refuses to start.
import { afterAll, describe, expect, it } from 'vitest';
import { orderPlacer, ordersConfigFile } from '../../../../test/review/s17-orders-config.ts';
import { cliTables, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, scanTable, testClients } from '../../../../test/support/ddb.ts';
import { startDevNone } from '../../../../test/support/dev-none.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { count, defineRollup, max } from '../../../dynotally/src/definition/index.ts';
import { registerVersions, retireVersion } from '../../../dynotally/src/versions/index.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('dynotally dev --scenarios none with the serving definition in alsoWrite', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('writes the serving version and the changed one; stops on a newer version; refuses a retired definition', {
    timeout: 600_000,
  }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('dnaw');
    const { aggregate, source } = made.tables;
    const flags = made.flags(endpoint);
    expect((await runDynotally(['tables', 'create', ...flags])).code).toBe(0);
    const dir = tempDir('dynotally-dnaw-');
    const first = ordersConfigFile(dir, false);
    const rollout = ordersConfigFile(dir, true, true);
    const order = orderPlacer(clients.ddb, source, DAY);
    // all-time rows of store s-0: version 1 under `orders#`, version 2 under its own prefix
    const allTime = async () =>
      (await scanTable(clients.ddb, aggregate))
        .filter((r) => r.sk?.S === 'ALL' && r.pk?.S?.includes('orders'))
        .map((r) => [r.pk?.S, r.n?.N])
        .sort();

    await order(1);
    expect((await runDynotally(['worker', '--until-idle', '-c', first, ...flags])).code).toBe(0);
    const { child, out, err, exited } = startDevNone(['-c', rollout, ...flags]);
    try {
      await expect
        .poll(() => out().includes('"event":"started"') || child.exitCode !== null, {
          timeout: 480_000,
          interval: 250,
        })
        .toBe(true);
      expect(child.exitCode, err()).toBeNull();
      expect(err()).toContain('also writing (alsoWrite): the other definition of orders');
      await order(2);
      // version 1 (serving) holds the order as well as version 2. Polled whole: one batch writes both versions' rows
      // in statements of one request, which DynamoDB applies one by one, so a scan may see version 2's row first
      const written = [
        ['orders#ss-0', '2'],
        [expect.stringMatching(/^orders\.v2#/), '1'],
      ];
      await expect.poll(allTime, { timeout: 240_000, interval: 500 }).toEqual(written);

      // another configuration (a third definition) registers version 3, as its worker does when it starts
      const third = defineRollup({
        name: 'orders',
        groupBy: 'storeId',
        time: { attribute: 't', format: 'epoch-millis' },
        granularities: ['day', 'all'],
        measures: { n: count(), largest: max('amount') },
      });
      await registerVersions(clients.ddb, aggregate, [third.compiled]);
      await order(3);
      // bounded: a dev that does not stop retries the refused batch for ever
      await expect.poll(() => child.exitCode, { timeout: 120_000, interval: 250 }).not.toBeNull();
      expect(await exited, err()).toBe(1);
      expect(err()).toContain(
        "dynotally: [VERSION_NOT_DEPLOYED] dev stopped, the batch left unwritten for a worker whose configuration has the version: rollup 'orders': a newer definition (version 3, building)",
      );
      expect(out()).toContain('"event":"stopped"');
      expect(await allTime()).toEqual(written);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    // rolled back: versions 2 and 3 retired, the changed definition alone (no alsoWrite) is written by no version
    await retireVersion(clients.ddb, aggregate, 'orders', 3);
    await retireVersion(clients.ddb, aggregate, 'orders', 2);
    const retired = startDevNone(['-c', ordersConfigFile(dir, true), ...flags]);
    try {
      await expect
        .poll(() => retired.child.exitCode !== null || retired.out().includes('"event":"started"'), {
          timeout: 120_000,
          interval: 250,
        })
        .toBe(true);
      expect(retired.out(), retired.err()).not.toContain('"event":"started"');
      expect(await retired.exited).toBe(1);
      expect(retired.err()).toMatch(
        /^dynotally: \[VERSION_UNKNOWN\] dev: the configuration's definition of rollup 'orders' is version 2, retired \(rollup 'orders' serves version 1\), so the worker would read the stream and count its records nowhere: .*\n$/m,
      );
    } finally {
      if (retired.child.exitCode === null) retired.child.kill('SIGKILL');
    }
  });
});
