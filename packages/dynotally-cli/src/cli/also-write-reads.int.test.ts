// `verify` and `query` run with the rollout configuration (the changed definition in `rollups`, the serving one in
// `alsoWrite`: docs/cli.md, "Changing a rollup with several workers"), end to end through the bin on DynamoDB Local.
// During the rollout, verify checks the serving version through the alsoWrite definition, as query reads it, and
// never advises or runs a `--repair` (which would build and promote the unfinished change); after a rollback
// (version 2 retired), query and verify still read version 1 through alsoWrite.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { orderPlacer, ordersConfigFile, retireOrders } from '../../../../test/review/s17-orders-config.ts';
import { cliTables, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('verify and query with the serving definition in alsoWrite', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('check and read the serving version, during the rollout and after a rollback', {
    timeout: 900_000,
  }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('awr');
    const { aggregate, source } = made.tables;
    const flags = [...made.flags(endpoint), '--claim-table', uniqueTableName('awr-claims')];
    expect((await runDynotally(['tables', 'create', ...made.flags(endpoint)])).code).toBe(0);
    const dir = tempDir('dynotally-awr-');
    const first = ordersConfigFile(dir, false);
    const rollout = ordersConfigFile(dir, true, true);
    const order = orderPlacer(clients.ddb, source, DAY);
    const run = (args: string[]) => runDynotally([...args, '-c', rollout, ...flags]);
    const verify = (more: string[] = []) =>
      run(['verify', 'orders', '--passes', '1', '--settle', '0s', ...more]);
    const status = async () =>
      (await runDynotally(['rollups', 'status', 'orders', ...made.flags(endpoint)])).stdout;
    const total = async () => {
      const r = await runDynotally([
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
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).values;
    };

    await order(1);
    expect((await runDynotally(['worker', '--until-idle', '-c', first, ...flags])).code).toBe(0);
    await order(2);
    const rolledOut = await runDynotally(['worker', '--until-idle', '-c', rollout, ...flags]);
    expect(rolledOut.code, rolledOut.stderr).toBe(0);

    // during the rollout: verify checks version 1 (serving) through the alsoWrite definition
    const checked = await verify();
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('verify orders version 1:');
    expect(checked.stderr).toContain("the configuration's alsoWrite definition");
    const asJson = await verify(['--json']);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ version: 1, through: 'alsoWrite', drift: [] });

    // version 1 drifted (a cell changed behind the stream's back): the advice is no repair that promotes version 2
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: aggregate,
        Key: marshall({ pk: 'orders#ss-0', sk: 'ALL' }),
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: marshall({ ':n': 5 }),
      }),
    );
    const drifted = await verify();
    expect(drifted.code).toBe(1);
    expect(drifted.stderr).toContain("[DRIFT_FOUND] 1 cell of rollup 'orders' version 1");
    expect(drifted.stderr).not.toContain('to rebuild it through a new version');
    expect(drifted.stderr).toContain(
      'finish the rollout (dynotally backfill orders --promote; version 2 is built from the source), or roll it back (dynotally rollups retire orders 2) and repair version 1 with the serving configuration',
    );

    // --repair is refused before anything is registered or built: version 2 still builds, version 1 still serves
    const repair = await verify(['--repair']);
    expect(repair.code).toBe(2);
    expect(repair.stderr).toContain('[CONFIG_INVALID] verify orders --repair:');
    expect(await status()).toMatch(/2\s+building/);
    expect(await total()).toEqual({ n: 5 });

    // rolled back: version 2 retired, version 1 serves; the rollout configuration still reads and checks it
    const retire = await retireOrders(2, first, made.flags(endpoint));
    expect(retire.code, retire.stderr).toBe(0);
    expect(await total()).toEqual({ n: 5 });
    const after = await verify();
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("[DRIFT_FOUND] 1 cell of rollup 'orders' version 1");
    expect(after.stderr).toContain(
      'repair version 1 with the serving configuration (its definition in rollups, no alsoWrite): dynotally verify orders --repair',
    );
    const refused = await verify(['--repair']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'the definition in rollups is a rolled-back change, which a repair with this configuration would rebuild and promote',
    );
  });
});
