// `dynotally dev --scenarios none` with the rollout configuration (the changed definition in `rollups`, the serving
// one in `alsoWrite`: docs/cli.md, "Changing a rollup with several workers") over an aggregate table where version 1
// serves: its worker writes version 1 too, as `dynotally worker` does, so the serving version misses nothing while
// version 2 is registered and written.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orderPlacer, ordersConfigFile } from '../../../../test/review/s17-orders-config.ts';
import { cliTables, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, scanTable, testClients } from '../../../../test/support/ddb.ts';
import { startDevNone } from '../../../../test/support/dev-none.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('dynotally dev --scenarios none with the serving definition in alsoWrite', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('writes the serving version and the changed one', { timeout: 600_000 }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('dnaw');
    const { aggregate, source } = made.tables;
    const flags = made.flags(endpoint);
    expect((await runDynotally(['tables', 'create', ...flags])).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'dynotally-dnaw-'));
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
      // once version 2 holds the order, version 1 (serving) must hold it too
      await expect.poll(async () => (await allTime()).length, { timeout: 240_000, interval: 500 }).toBe(2);
      expect(await allTime()).toEqual([
        ['orders#ss-0', '2'],
        [expect.stringMatching(/^orders\.v2#/), '1'],
      ]);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
