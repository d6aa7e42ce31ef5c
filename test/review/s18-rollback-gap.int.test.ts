// Review s18 (rolling deploy, rollback): the documented rollback (cli.md, "Changing a rollup with several workers",
// step 3; backfill.md, "Retiring") leaves the serving version short of every change the new configuration's workers
// applied before the rollback, for good and silently. A configuration holds one definition per rollup, so a worker
// restarted with the changed definition writes version 2 only (cli.md: "from the restart to the promotion version 1
// is no longer written"); today's VERSION_NOT_DEPLOYED makes the old-config workers stop, so from the first restart
// on, every change goes to version 2 alone. Rolled back (`dynotally rollups retire orders 2`, the old configuration
// everywhere), version 1 serves again and the old workers resume from the stream's next record: the changes the
// new-config workers checkpointed in between are in no version that is read. Nothing says so: retire exits 0, the
// docs' step 3 ends with the old workers "go on", `dynotally query` answers from version 1.
// Observed: the source holds 3 orders of s-0; version 1 (serving after the rollback) counts 2 (the order applied by
// the new-config worker is missing) — exit 0 everywhere.
// Expected: after a rollback the serving version counts every change, or the rollback says it does not and what
// repairs it.
// Suggested fix: make the rollback repair the serving version (`dynotally rollups retire` could print, and cli.md
// step 3 / backfill.md say, that the serving version missed the changes applied while the new configuration ran
// and must be rebuilt: `dynotally verify <rollup> --repair` with the old configuration), or keep the serving
// version written during a rollout (let the CLI config carry the previous definition of a rollup, as the library's
// `createVersionedWriteSide({ rollups: [old, changed] })` does), or record in the control item that a version was
// written while the serving one was not (e.g. a `gapSince` on the serving entry, set by a side that does not
// write it) so `retire`/`status` can warn.
// Session 18 left this as it.fails: the gap stayed, and was said (`rollups retire` prints that the serving version
// lacks those changes and names `dynotally verify <rollup> --repair`).
// Fixed (session 21): a configuration may keep the serving definition in `alsoWrite` (the library's
// `createVersionedWriteSide({ rollups: [old, changed] })`); the direct worker and `dead-letters replay` write it too, and
// cli.md's rollout (step 1) puts it there, so the serving version counts every change and a rollback loses nothing.
// The first test follows that procedure (it fails without the fix: the config is refused, or version 1 counts 2); the
// second pins what a rollout without it still leaves, and that retire says so.
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tempDir } from '../support/temp-dir.ts';
import { ordersConfigFile, retireOrders } from './s17-orders-config.ts';

const DAY = Date.UTC(2026, 10, 20);

interface Order {
  pk: string;
  sk: string;
  storeId: string;
  amount: number;
  t: number;
}

describe('a changed definition rolled out to a dynotally worker, then rolled back with rollups retire', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  /** Runs the rollout and the rollback; returns version 1's all-time rows. */
  const rolledBack = async (alsoWrite: boolean) => {
    const endpoint = await ddbReady();
    const made = cliTables('s18r');
    const { aggregate, source } = made.tables;
    const flags = [...made.flags(endpoint), '--claim-table', uniqueTableName('s18r-claims')];
    const created = await runDynotally(['tables', 'create', ...made.flags(endpoint)]);
    expect(created.code, created.stderr).toBe(0);
    const dir = tempDir('dynotally-s18r-');
    const first = ordersConfigFile(dir, false);
    const extended = ordersConfigFile(dir, true, alsoWrite);
    const put = (o: Order) =>
      clients.ddb.send(
        new BatchWriteItemCommand({ RequestItems: { [source]: [{ PutRequest: { Item: marshall(o) } }] } }),
      );
    const worker = (config: string) => runDynotally(['worker', '--until-idle', '-c', config, ...flags]);
    const v1 = async () =>
      (await scanTable(clients.ddb, aggregate))
        .filter((r) => r.pk?.S?.startsWith('orders#') && r.sk?.S === 'ALL')
        .map((r) => [r.pk?.S, r.n?.N]);

    await put({ pk: 'order', sk: 'o-0', storeId: 's-0', amount: 1, t: DAY });
    expect((await worker(first)).code).toBe(0);
    // the new configuration reaches a worker (cli.md step 1): it registers version 2 and applies the next order
    await put({ pk: 'order', sk: 'o-1', storeId: 's-0', amount: 2, t: DAY });
    const rolledOut = await worker(extended);
    expect(rolledOut.code, rolledOut.stderr).toBe(0);
    // rolled back (step 3): version 2 retired, the old configuration everywhere again
    const retire = await retireOrders(2, first, made.flags(endpoint));
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stdout).toContain(`dynotally verify orders --repair`);
    // a worker still on the rollout configuration starts after the rollback: it writes version 1 alone
    if (alsoWrite) {
      const stillRollout = await worker(extended);
      expect(stillRollout.code, stillRollout.stderr).toBe(0);
    }
    await put({ pk: 'order', sk: 'o-2', storeId: 's-0', amount: 3, t: DAY });
    const goes = await worker(first);
    expect(goes.code, goes.stderr).toBe(0);
    // the source holds 3 orders of s-0; version 1 serves
    return v1();
  };

  it('keeps version 1 counting every order when the rollout kept its definition in alsoWrite', {
    timeout: 900_000,
  }, async () => {
    expect(await rolledBack(true)).toEqual([['orders#ss-0', '3']]);
  });

  it('leaves version 1 short by what the rollout applied without it, as retire says', {
    timeout: 900_000,
  }, async () => {
    expect(await rolledBack(false)).toEqual([['orders#ss-0', '2']]);
  });
});
