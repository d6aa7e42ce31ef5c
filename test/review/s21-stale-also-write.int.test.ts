// Review s21 (alsoWrite, commit 620fdaa): a third change started while alsoWrite still holds the first definition.
// docs/cli.md says, once the promotion retired version 1, "drop alsoWrite from the configuration when convenient",
// and the worker keeps starting with it (the commit makes a worker with an all-retired alsoWrite definition start).
// So a configuration can carry a stale alsoWrite into the next change: `rollups: [C], alsoWrite: [A]` while version 2
// (B) serves and version 1 (A) is retired. checkAlsoWrite accepts it (A is another definition of `orders`), the
// worker starts and prints "also writing (alsoWrite): the other definition of orders, in its version, until that
// version is retired" although that version is retired already, and it writes version 3 (C) alone: the serving
// version 2 is not written, which is the very gap alsoWrite exists to close (review s18), now with a configuration
// that says the opposite. A rollback (`rollups retire orders 3`, cli.md step 3: "Version 1 serves again with every
// change: the workers wrote it all along") then leaves version 2 short, and `retire`'s note says nothing is
// missing "unless every worker … also wrote the serving definition (alsoWrite)", which these workers claim to do.
// Observed: the worker with { rollups: [C], alsoWrite: [A] } exits 0; after the rollback version 2 counts 2 of the
// source's 3 orders.
// Expected: the worker refuses to start (CONFIG_INVALID / VERSION_UNKNOWN naming alsoWrite: its definition is retired
// and the serving version belongs to no definition it writes), or version 2 counts all 3 orders.
// Suggested fix: in prepareDirectSide, for a rollup with an alsoWrite definition, refuse when the serving version
// holds neither the configured definition nor the alsoWrite one (nor a rebuild of either): "alsoWrite holds version
// 1, retired; version 2 (another definition) serves: put the serving definition in alsoWrite". A worker restarted
// with the rollout configuration after the promotion (the configured definition serves) still starts.
// Fixed (session 21): liveAlsoWrite (commands/also-write-live.ts) refuses a rollup whose serving version is neither
// the configured definition's nor the alsoWrite one's; this was the review's it.fails.
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tempDir } from '../support/temp-dir.ts';
import { MEASURES, ordersConfig } from './s21-orders-configs.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('a third change of a rollup with the first definition still in alsoWrite', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('keeps the serving version complete, or refuses to start', { timeout: 900_000 }, async () => {
    const endpoint = await ddbReady();
    const made = cliTables('s21s');
    const { aggregate, source } = made.tables;
    const flags = [...made.flags(endpoint), '--claim-table', uniqueTableName('s21s-claims')];
    const created = await runDynotally(['tables', 'create', ...made.flags(endpoint)]);
    expect(created.code, created.stderr).toBe(0);
    const dir = tempDir('dynotally-s21s-');
    const first = ordersConfig(dir, 'first', MEASURES.A);
    const rollout = ordersConfig(dir, 'rollout', MEASURES.B, MEASURES.A);
    const promoted = ordersConfig(dir, 'promoted', MEASURES.B);
    const third = ordersConfig(dir, 'third', MEASURES.C, MEASURES.A); // alsoWrite not updated to B
    let n = 0;
    const put = () =>
      clients.ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [source]: [
              {
                PutRequest: {
                  Item: marshall({ pk: 'order', sk: `o-${n++}`, storeId: 's-0', amount: n, t: DAY }),
                },
              },
            ],
          },
        }),
      );
    const worker = (config: string) => runDynotally(['worker', '--until-idle', '-c', config, ...flags]);
    const v2 = async () =>
      (await scanTable(clients.ddb, aggregate))
        .filter((r) => r.pk?.S?.startsWith('orders.v2#') && r.sk?.S === 'ALL')
        .map((r) => [r.pk?.S, r.n?.N]);

    await put();
    expect((await worker(first)).code).toBe(0);
    // the first change, by the book: B rolled out with A in alsoWrite, then promoted (version 2 serves)
    await put();
    const rolledOut = await worker(rollout);
    expect(rolledOut.code, rolledOut.stderr).toBe(0);
    const promote = await runDynotally([
      'backfill',
      'orders',
      '--promote',
      '--settle',
      '0s',
      '-c',
      rollout,
      ...flags,
    ]);
    expect(promote.code, promote.stderr).toBe(0);
    expect(await v2()).toEqual([['orders.v2#ss-0', '2']]);

    // the third change, alsoWrite left as it was
    await put();
    const started = await worker(third);
    if (started.code !== 0) {
      // the fix that refuses: it says why, naming alsoWrite
      expect(started.stderr).toContain('alsoWrite');
      return;
    }
    // observed: it starts, and says it also writes the other definition
    expect(started.stderr).toContain('also writing (alsoWrite)');
    // rolled back (step 3): version 3 retired, the promoted configuration everywhere again
    const retire = await runDynotally(['rollups', 'retire', 'orders', '3', ...made.flags(endpoint)]);
    expect(retire.code, retire.stderr).toBe(0);
    const back = await worker(promoted);
    expect(back.code, back.stderr).toBe(0);
    // the source holds 3 orders of s-0; version 2 serves (observed: 2)
    expect(await v2()).toEqual([['orders.v2#ss-0', '3']]);
  });
});
