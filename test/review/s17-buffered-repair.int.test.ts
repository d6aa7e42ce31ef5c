// Fixed: the buffered applier checks the control items before every batch (checkBufferedVersions, the library's
// rule, so a Lambda on it refuses too) and refuses the batch, before writing it, once version 1 is no longer all there
// is to write; the CLI's guardedBufferedSide then stops the worker, and a direct worker counts the rest. The finding,
// the review's it.fails:
// Review s17 (versions in the CLI): `dynotally worker --redis` checks the rollups' control items once, when it starts
// (buffered-versions.ts), and then writes version 1 into the buffer for as long as it runs. A repair while it runs
// (`dynotally verify <rollup> --repair`, the command verify's DRIFT_FOUND message tells the user to run) registers a
// rebuild, builds it from the source and promotes it: the buffered worker goes on counting every later change into
// version 1's buffer (now retired), the serving version is written by nobody, and `query` (which follows the serving
// version, and stops merging the buffer once version 1 no longer serves) stays where the scan left it — silently,
// until the worker is restarted (it then refuses). The same holds for `backfill --register` or a direct worker
// registering a changed definition beside a running buffered one.
// Observed: the worker exits 0, and the serving version reads n 4 for the 7 orders (the 3 later ones are in the
// retired version 1's buffer only).
// Expected: a change made after the promotion is counted in the serving version (by a worker that knows it), not
// only in the retired version 1's buffer.
// Suggested fix: the buffered write side reads the control items of its rollups with every batch (one
// `BatchGetItem`, as the versioned side does) and fails the batch (retried, the shard waits; the worker's FAILING line
// says why) once `bufferedVersionProblem` finds one, so the records stay in the stream for a direct worker; and/or
// `verify --repair` / `backfill` say in their docs that a buffered worker must be stopped first.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createClaimTable,
  createServingQueryClient,
  repairRollup,
} from '../../packages/dynotally/src/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { CONFIG_LIB, cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('dynotally worker --redis running while the rollup is repaired', () => {
  const clients = testClients();
  let server: LocalRedisServer | undefined;
  let redis: Redis | undefined;
  afterAll(async () => {
    redis?.disconnect();
    clients.destroy();
    await server?.stop();
  });

  it('stops at the first batch after the repair, and a direct worker counts it in the serving version', {
    timeout: 600_000,
  }, async () => {
    const endpoint = await ddbReady();
    server = await startRedisServer();
    redis = new Redis(server.url);
    const keyPrefix = `s17b${process.pid}:{b}:`;
    const made = cliTables('s17b');
    const { aggregate, source } = made.tables;
    const flags = made.flags(endpoint);
    const claimTable = uniqueTableName('s17b-claims');
    const created = await runDynotally(['tables', 'create', ...flags]);
    expect(created.code, created.stderr).toBe(0);
    await createClaimTable(clients.ddb, claimTable);
    const dir = tempDir('dynotally-s17b-');
    const config = join(dir, 'orders.config.mts');
    writeFileSync(
      config,
      `import { count, defineRollup } from ${JSON.stringify(CONFIG_LIB)};
export const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});
`,
    );
    const orders = (await import(config)).orders;
    await registerVersions(clients.ddb, aggregate, [orders.compiled]); // version 1 serving, as a worker left it
    const put = async (from: number, n: number) => {
      const items = Array.from({ length: n }, (_, i) => ({
        pk: 'order',
        sk: `o-${from + i}`,
        storeId: 's-1',
        t: DAY + (from + i) * 60_000,
      }));
      await clients.ddb.send(
        new BatchWriteItemCommand({
          RequestItems: { [source]: items.map((o) => ({ PutRequest: { Item: marshall(o) } })) },
        }),
      );
    };
    await put(0, 4);

    // the buffered worker runs (flushing itself)
    const worker = runDynotally([
      'worker',
      '-c',
      config,
      ...flags,
      '--redis',
      server.url,
      '--key-prefix',
      keyPrefix,
      '--flush-every',
      '1s',
      '--bucket',
      '1s',
      '--duration',
      '60s',
    ]);
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; i < 240 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 250));
      expect(await ok(), what).toBe(true);
    };
    await until(
      'the buffered worker took the first orders',
      async () => (await redis?.keys(`${keyPrefix}*`))?.length !== 0,
    );

    // verify --repair while it runs: version 2 (a rebuild) built from the source and promoted
    const repair = await repairRollup({
      client: clients.ddb,
      source,
      table: aggregate,
      claimTable,
      rollup: orders,
      settleMs: 0,
      segments: 1,
    });
    expect(repair.promoted).toBe(true);
    await put(4, 3); // three orders after the promotion, while the worker runs
    // the buffered worker stops at its next batch, before writing it, and says why (CONFIG_INVALID: exit 2): that
    // version 2 serves, or, when the stream delivered the first orders in more than one batch and a later one came
    // while the repair built version 2 (a loaded machine), that version 2 is being built
    const w = await worker;
    expect(w.code, w.stderr).toBe(2);
    expect(w.stderr).toMatch(
      /\[CONFIG_INVALID\] worker --redis: (rollup 'orders' serves version 2|version 2 of rollup 'orders' is being built)/,
    );
    // a direct worker takes the records up where the buffered one stopped, through the versions
    const direct = await runDynotally([
      'worker',
      '-c',
      config,
      ...flags,
      '--claim-table',
      claimTable,
      '--until-idle',
    ]);
    expect(direct.code, direct.stderr).toBe(0);

    // what `dynotally query total orders --group storeId=s-1 --all` reads: the serving version
    const query = createServingQueryClient({ client: clients.ddb, table: aggregate, rollups: [orders] });
    try {
      const got = await query.total(orders, { storeId: 's-1' }, 'all');
      expect(got.values.n).toBe(7);
    } finally {
      query.close();
    }
  });
});
