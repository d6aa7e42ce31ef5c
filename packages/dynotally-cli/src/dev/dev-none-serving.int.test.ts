// The dev stack of `dev --scenarios none`, in process, over rollup `orders` whose serving version is not version 1:
// a changed definition (version 2) was promoted, version 1 retired. `stack.query` reads what `dynotally query` reads
// with the same configuration, the serving version's rows (before: version 1's, which no worker writes any more).
import { afterAll, describe, expect, it } from 'vitest';
import { orderPlacer, ordersConfigFile } from '../../../../test/review/s17-orders-config.ts';
import { runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, stackTables, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { count, defineRollup, sum } from '../../../dynotally/src/definition/index.ts';
import { ensureTables } from '../../../dynotally/src/tables/index.ts';
import { promoteVersion, registerVersions } from '../../../dynotally/src/versions/index.ts';
import { type DevStack, startDevStack } from './dev-stack.ts';

const DAY = Date.UTC(2026, 10, 20);
const orders = (withAmount: boolean) =>
  defineRollup({
    name: 'orders',
    groupBy: 'storeId',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['day', 'all'],
    measures: withAmount ? { n: count(), amount: sum('amount') } : { n: count() },
  });

describe('dev --scenarios none: stack.query', () => {
  const clients = testClients();
  let stack: DevStack | undefined;
  afterAll(async () => {
    await stack?.stop();
    clients.destroy();
  });

  it('reads the serving version, as dynotally query does', { timeout: 300_000 }, async () => {
    const endpoint = await ddbReady();
    const tables = { ...stackTables('dnsv'), claims: uniqueTableName('dnsv-claims') };
    await ensureTables(clients.ddb, tables);
    // version 1 served; the changed definition, version 2, was promoted (forced: nothing to backfill here). Its
    // backfill never ended, so the stream still counts it through the claims: dev's start creates the claim table
    // (prepareDirectSide), as a worker's does
    const extended = orders(true);
    await registerVersions(clients.ddb, tables.aggregate, [orders(false).compiled]);
    await registerVersions(clients.ddb, tables.aggregate, [extended.compiled]);
    await promoteVersion(clients.ddb, tables.aggregate, 'orders', 2, { force: true });

    stack = await startDevStack({ endpoint, tables, scenarios: [], rollups: [extended], port: 0 });
    const order = orderPlacer(clients.ddb, tables.source, DAY);
    await order(2);
    await order(3);
    // The orders are written beside the stack, not by its generators, so quiesce cannot know they are due (it
    // counts what the generators wrote): on a loaded machine DynamoDB Local's stream hands them over after the
    // worker's quiet moment (CI run A of session 34 read zeros at load 12). Wait for the counts instead.
    const group = { storeId: 's-0' };
    const total = async () => (await stack?.query.total('orders', group, 'all'))?.values;
    await expect.poll(total, { timeout: 240_000, interval: 250 }).toEqual({ n: 2, amount: 5 });
    await stack.quiesce(300);
    const byName = await stack.query.total('orders', group, 'all');
    expect(byName.values).toEqual({ n: 2, amount: 5 });
    expect((await stack.query.total(extended, group, 'all')).values).toEqual(byName.values);

    const config = ordersConfigFile(tempDir('dynotally-dnsv-'), true);
    const q = await runDynotally([
      ...['query', 'total', 'orders', '--group', 'storeId=s-0', '--all', '--json', '-c', config],
      ...['--endpoint', endpoint, '--table', tables.aggregate],
    ]);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout).values).toEqual(byName.values);
  });
});
