// Review s17 (versions in the CLI): `dynotally worker` started with a definition whose versions are all retired —
// the configuration of before a change, after `backfill --promote` served the new definition (a deploy rolled back,
// an old host or container restarted with the old config). Every version of the configured definition is retired,
// so the versioned write side writes nothing for the rollup, and the worker still consumed the stream and
// checkpointed past the records: they were lost for the serving version for good, with no message and exit 0
// (`dynotally query` with the same config says VERSION_UNKNOWN, retired, but the worker said nothing).
// Expected: the worker refuses to start (VERSION_UNKNOWN, exit 1) naming the serving version and what to do, and
// reads nothing, so a worker with the serving definition later counts those records. Fixed in
// packages/dynotally-cli/src/cli/commands/worker-direct.ts (prepareDirectSide).
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createClaimTable, promoteVersion, runBackfill } from '../../packages/dynotally/src/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tempDir } from '../support/temp-dir.ts';
import { ordersConfigFile } from './s17-orders-config.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('dynotally worker with a retired definition', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('refuses to start instead of consuming the stream and writing nothing', {
    timeout: 600_000,
  }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('s17r');
    const { aggregate, source } = made.tables;
    const flags = made.flags(endpoint);
    const claimTable = uniqueTableName('s17r-claims');
    const created = await runDynotally(['tables', 'create', ...flags]);
    expect(created.code, created.stderr).toBe(0);
    await createClaimTable(clients.ddb, claimTable);
    const dir = tempDir('dynotally-s17r-');
    const first = ordersConfigFile(dir, false);
    const extended = ordersConfigFile(dir, true);
    const oldDef = (await import(first)).orders;
    const newDef = (await import(extended)).orders;
    const put = async (from: number, n: number) => {
      const items = Array.from({ length: n }, (_, i) => ({
        pk: 'order',
        sk: `o-${from + i}`,
        storeId: 's-1',
        amount: 2,
        t: DAY + (from + i) * 60_000,
      }));
      await clients.ddb.send(
        new BatchWriteItemCommand({
          RequestItems: { [source]: items.map((o) => ({ PutRequest: { Item: marshall(o) } })) },
        }),
      );
    };

    // the change went through: version 1 (first definition) retired, version 2 built and serving
    await put(0, 3);
    await registerVersions(clients.ddb, aggregate, [oldDef.compiled]);
    await registerVersions(clients.ddb, aggregate, [newDef.compiled]);
    await runBackfill({
      client: clients.ddb,
      source,
      table: aggregate,
      claimTable,
      rollup: newDef,
      settleMs: 0,
      segments: 1,
    });
    await promoteVersion(clients.ddb, aggregate, 'orders', 2);
    await put(3, 3); // three orders after the promotion

    // a worker restarted with the old configuration
    const old = await runDynotally([
      'worker',
      '--until-idle',
      '-c',
      first,
      ...flags,
      '--claim-table',
      claimTable,
      '--json',
    ]);
    expect(old.code, old.stderr).toBe(1);
    expect(old.stderr).toContain('[VERSION_UNKNOWN]');
    expect(old.stderr).toContain("rollup 'orders' serves version 2");

    // the serving definition's worker counts the three later orders: nothing was consumed for nothing
    const ok = await runDynotally([
      'worker',
      '--until-idle',
      '-c',
      extended,
      ...flags,
      '--claim-table',
      claimTable,
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const all = (await scanTable(clients.ddb, aggregate)).find(
      (r) => r.pk?.S?.startsWith('orders.v2#') && r.sk?.S === 'ALL',
    );
    expect({ n: all?.n?.N, amount: all?.amount?.N }).toEqual({ n: '6', amount: '12' });
  });
});
