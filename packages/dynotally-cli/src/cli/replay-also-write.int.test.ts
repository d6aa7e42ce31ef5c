// `dead-letters replay` with an `alsoWrite` definition of a rollup that has no versions yet (a fresh aggregate table):
// nothing serves that the alsoWrite definition would keep written, so replay leaves it out, as the worker does, with
// the same note; the configured definition registers as version 1 and counts the letter. Here the letter is one only
// the alsoWrite definition cannot fold (`sum('amount')` over a string amount): written with it too, the record would
// be poison again (all-or-nothing across a rollup's definitions) and stay a letter.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orderPlacer, ordersConfigFile } from '../../../../test/review/s17-orders-config.ts';
import { CONFIG_LIB, cliTables, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('dead-letters replay with alsoWrite, for a rollup with no versions', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('leaves the alsoWrite definition out, says so, and counts the letter in the configured definition', {
    timeout: 600_000,
  }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('rpaw');
    const flags = made.flags(endpoint);
    const claims = ['--claim-table', uniqueTableName('rpaw-claims')];
    expect((await runDynotally(['tables', 'create', ...flags])).code).toBe(0);
    const dir = tempDir('dynotally-rpaw-');
    // the worker counts orders with amounts: an order whose amount is a string is dead-lettered (VALUE_INVALID)
    const extended = ordersConfigFile(dir, true);
    await orderPlacer(clients.ddb, made.tables.source, DAY)('12.5 EUR');
    const worker = await runDynotally(['worker', '--until-idle', '-c', extended, ...flags, ...claims]);
    expect(worker.code, worker.stderr).toBe(0);
    const listed = await runDynotally(['dead-letters', 'list', '--json', ...flags]);
    expect(JSON.parse(listed.stdout)).toMatchObject({ deadLetters: [{ code: 'VALUE_INVALID' }] });

    // replayed into a fresh aggregate table (no control item for orders) with the count-only definition configured
    // and the amount-summing one in alsoWrite
    const fresh = uniqueTableName('rpaw-aggregate');
    const freshFlags = [...flags, '--table', fresh];
    expect((await runDynotally(['tables', 'create', ...freshFlags])).code).toBe(0);
    const config = join(dir, 'count-also-amount.config.mts');
    writeFileSync(
      config,
      `import { count, defineRollup, sum } from ${JSON.stringify(CONFIG_LIB)};
const base = { name: 'orders', groupBy: 'storeId', time: { attribute: 't', format: 'epoch-millis' }, granularities: ['day', 'all'] };
export default {
  rollups: [defineRollup({ ...base, measures: { n: count() } })],
  alsoWrite: [defineRollup({ ...base, measures: { n: count(), amount: sum('amount') } })],
};
`,
    );
    const replay = await runDynotally([
      'dead-letters',
      'replay',
      '--all',
      '-c',
      config,
      ...freshFlags,
      ...claims,
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toContain("alsoWrite: rollup 'orders' has no versions yet");
    expect(replay.stdout).toMatch(/replayed/);
    const total = await runDynotally([
      'query',
      'total',
      'orders',
      '--group',
      'storeId=s-0',
      '--all',
      '--json',
      '-c',
      config,
      ...freshFlags,
    ]);
    expect(total.code, total.stderr).toBe(0);
    expect(JSON.parse(total.stdout).values).toEqual({ n: 1 });
    const status = await runDynotally(['rollups', 'status', 'orders', '--json', '-c', config, ...freshFlags]);
    expect(status.code, status.stderr).toBe(0);
    // one version: the alsoWrite definition was not registered
    const { versions } = JSON.parse(status.stdout) as { versions: { version: number; state: string }[] };
    expect(versions.map((v) => [v.version, v.state])).toEqual([[1, 'serving']]);
  });
});
