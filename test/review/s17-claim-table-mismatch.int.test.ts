// Fixed (bindClaimTable, versions/claim-table-binding.ts): the backfill is now refused with CONFIG_INVALID, as
// expected below; this test was the review's it.fails. The finding:
// Review s17 (versions in the CLI): the claim table is a flag only (`--claim-table`, no configuration key or
// environment variable, unlike every other table), given separately to `dynotally worker` and to `dynotally
// backfill`. A worker started with `--claim-table orders-claims` and a backfill run without it (or with another name)
// claim in two different tables: the worker claims each item it sees live in its table, the scan finds no claim in
// its own and counts the item too, so every item changed while version 2 is building is counted twice — after
// `--promote`, queries serve the double counts, exit 0 everywhere. Before this merge the backfill failed on the
// missing table (ResourceNotFoundException); it now creates it ("made here if it was not"), which turns the mistake
// into silent double counting (`verify --repair` creates it too).
// Observed: the backfill exits 0 (scanned 4, folded 4, counted live 0) and version 2 serves n 8, amount 40 for four
// orders of 5.
// Expected: the backfill refuses (CONFIG_INVALID) instead of building through another claim table than the stream
// side's.
// Suggested fix: record the claim table in the version's entry of the control item when the stream side registers
// a version under backfill (or when it first claims), and have `runBackfill` / `repairRollup` (and the worker at
// start) refuse another one; at least, `dynotally backfill` without `--register` should not create a missing claim
// table for a version a stream side registered as building (that side made its claim table when it started, so a
// missing one is another table), and a DYNOTALLY_CLAIM_TABLE / config key would make the two agree by default.
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tempDir } from '../support/temp-dir.ts';
import { ordersConfigFile } from './s17-orders-config.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('dynotally worker and dynotally backfill given different claim tables', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('does not count an item twice (the backfill refuses the other claim table)', {
    timeout: 600_000,
  }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('s17c');
    const { aggregate, source } = made.tables;
    const flags = made.flags(endpoint);
    const created = await runDynotally(['tables', 'create', ...flags]);
    expect(created.code, created.stderr).toBe(0);
    const dir = tempDir('dynotally-s17c-');
    const first = ordersConfigFile(dir, false);
    const extended = ordersConfigFile(dir, true);
    // version 1 (the first definition) has been serving
    await registerVersions(clients.ddb, aggregate, [(await import(first)).orders.compiled]);
    const orders = Array.from({ length: 4 }, (_, i) => ({
      pk: 'order',
      sk: `o-${i}`,
      storeId: 's-1',
      amount: 5,
      t: DAY + i * 60_000,
    }));
    await clients.ddb.send(
      new BatchWriteItemCommand({
        RequestItems: { [source]: orders.map((o) => ({ PutRequest: { Item: marshall(o) } })) },
      }),
    );

    // the worker, deployed with the new definition and its own claim table, sees the four orders
    const worker = await runDynotally([
      'worker',
      '--until-idle',
      '-c',
      extended,
      ...flags,
      '--claim-table',
      uniqueTableName('s17c-orders-claims'),
    ]);
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stderr).toContain(
      'building: orders version 2 (building: dynotally backfill orders --promote)',
    );
    // a one-off backfill run from a shell, without the worker's --claim-table
    const fill = await runDynotally([
      'backfill',
      'orders',
      '-c',
      extended,
      ...flags,
      '--claim-table',
      uniqueTableName('s17c-dynotally-claims'),
      '--settle',
      '0s',
      '--promote',
    ]);
    // version 2 holds each of the four orders once (the worker's): the backfill added them again
    const all = (await scanTable(clients.ddb, aggregate)).find(
      (r) => r.pk?.S?.startsWith('orders.v2#') && r.sk?.S === 'ALL',
    );
    expect({ n: all?.n?.N, amount: all?.amount?.N }).toEqual({ n: '4', amount: '20' });
    expect(fill.code, `${fill.stdout}\n${fill.stderr}`).not.toBe(0);
    expect(fill.stderr).toContain('[CONFIG_INVALID]');
  });
});
