// Deleting a retired version's rows on DynamoDB Local: after a promotion the old version's rows go, page by page,
// while the serving version's rows, a rollup whose name extends the retired prefix, and the control items stay
// exactly as they were; a deletion that crashes in the middle of a page (some batches sent, the page not
// recorded) resumes from the last recorded page and finishes; the control item records the deletion.
import { type AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { scanRecord } from '../../packages/dynotally/src/backfill/decided-records.ts';
import type { Image } from '../../packages/dynotally/src/decode/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  asVersion,
  deleteRetiredVersion,
  deleteRetiredVersions,
  promoteVersion,
  readControl,
  recordBackfill,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

const time = { attribute: 't', format: 'epoch-millis' } as const;
const v1 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time,
  granularities: ['day', 'all'],
  measures: { orders: count() },
});
const v2 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time,
  granularities: ['day', 'month', 'all'],
  measures: { orders: count(), amount: sum('amount') },
});
// another rollup whose name starts with the retired prefix: its rows must survive
const neighbour = defineRollup({
  name: 'storeX',
  groupBy: 'storeId',
  time,
  granularities: ['day'],
  measures: { orders: count() },
});

const BASE = Date.UTC(2026, 9, 1);
const image = (i: number): Image => ({
  id: { S: `o-${i}` },
  storeId: { S: `s-${i % 37}` },
  t: { N: String(BASE + (i % 60) * 86_400_000 + i) },
  amount: { N: String(i % 17) },
});

type Row = Record<string, AttributeValue>;
const key = (r: Row) => `${r.pk?.S}|${r.sk?.S}`;
const byKey = (rows: Row[]) => new Map(rows.map((r) => [key(r), JSON.stringify(r)]));

describe('deleting a retired version on DynamoDB Local', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  /** An aggregate table with v1 (retired), v2 (serving) and the neighbour's rows. */
  const setUp = async () => {
    const table = uniqueTableName('del-agg');
    await createAggregateTable(clients.ddb, table);
    await registerVersions(clients.ddb, table, [v1.compiled, v2.compiled]);
    await registerVersions(clients.ddb, table, [neighbour.compiled]);
    const records = Array.from({ length: 400 }, (_, i) =>
      scanRecord(image(i), { source: 'test', chunk: 0, index: i, timeSeconds: 1 }),
    );
    for (const rollup of [asVersion(v1.compiled, 1), asVersion(v2.compiled, 2), neighbour.compiled])
      await new Applier({ lateRecords: 'apply', client: clients.ddb, table, rollups: [rollup] }).apply({
        records,
        shardId: 's',
      });
    await recordBackfill(clients.ddb, table, 'store', 2, { startedAt: 1, segments: 1, endedAt: 2 });
    await promoteVersion(clients.ddb, table, 'store', 2);
    const before = await scanTable(clients.ddb, table);
    const retired = before.filter((r) => /^store#/.test(r.pk?.S ?? ''));
    const kept = before.filter((r) => !/^store#/.test(r.pk?.S ?? '') && !r.pk?.S?.startsWith('~ctl#store'));
    expect(retired.length).toBeGreaterThan(50);
    expect(kept.filter((r) => r.pk?.S?.startsWith('store.v2#')).length).toBeGreaterThan(50);
    expect(kept.filter((r) => r.pk?.S?.startsWith('storeX#')).length).toBeGreaterThan(30);
    return { table, retired, kept };
  };

  const expectOnlyKept = async (table: string, kept: Row[], deleted: number) => {
    const after = await scanTable(clients.ddb, table);
    const rest = after.filter((r) => !r.pk?.S?.startsWith('~ctl#store'));
    expect(byKey(rest)).toEqual(byKey(kept));
    const control = await readControl(clients.ddb, table, 'store');
    const v = control?.versions.find((x) => x.version === 1);
    expect(v?.state).toBe('retired');
    expect(v?.deletion?.endedAt).toBeTypeOf('number');
    expect(v?.deletion?.cursor).toBeUndefined();
    expect(v?.deletion?.deleted).toBeGreaterThanOrEqual(deleted);
    expect(control?.serving).toBe(2);
    expect(control?.versions.find((x) => x.version === 2)?.state).toBe('serving');
  };

  it('deletes every row of the retired version and nothing else, paced in pages, recorded in the control item', async () => {
    const { table, retired, kept } = await setUp();
    const pages: number[] = [];
    const report = await deleteRetiredVersion({
      client: clients.ddb,
      table,
      rollup: 'store',
      version: 1,
      pageItems: 40,
      graceMs: 0,
      onProgress: (p) => pages.push(p.pages),
    });
    expect(report.complete).toBe(true);
    expect(report.deleted).toBe(retired.length);
    expect(pages.length).toBeGreaterThan(5);
    await expectOnlyKept(table, kept, retired.length);
    // a second run has nothing left to do
    const again = await deleteRetiredVersions({ client: clients.ddb, table, rollup: 'store', graceMs: 0 });
    expect(again).toEqual([]);
  });

  it('resumes from the last recorded page after a crash in the middle of a page, and finishes exactly', async () => {
    const { table, retired, kept } = await setUp();
    // a client that dies on its 4th BatchWriteItem (the second of the second page): some deletes of that page sent, the page not recorded
    const crashing = new DynamoDBClient(localClientConfig(await ddbReady()));
    let batches = 0;
    crashing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchWriteItemCommand' && ++batches === 4)
          throw new Error('process killed');
        return next(args);
      },
      { step: 'initialize', name: 'crashOnFourthBatch' },
    );
    const options = { table, rollup: 'store', version: 1, pageItems: 120, concurrency: 1, graceMs: 0 };
    await expect(deleteRetiredVersion({ ...options, client: crashing })).rejects.toThrow('process killed');
    crashing.destroy();
    const mid = (await readControl(clients.ddb, table, 'store'))?.versions.find((v) => v.version === 1);
    expect(mid?.deletion?.endedAt).toBeUndefined();
    expect(mid?.deletion?.pages).toBeGreaterThan(0);
    expect(mid?.deletion?.cursor).toBeDefined();
    const left = (await scanTable(clients.ddb, table)).filter((r) => /^store#/.test(r.pk?.S ?? ''));
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(retired.length);

    const resumed = await deleteRetiredVersion({ ...options, client: clients.ddb });
    expect(resumed.complete).toBe(true);
    // it went on from the recorded page, not from the start
    expect(resumed.pages).toBeLessThan(resumed.record?.pages ?? 0);
    // the rows of the unrecorded page's first batch were deleted before the crash: the record does not count them
    await expectOnlyKept(table, kept, retired.length - 25);
  });

  it('refuses a version that is not retired, and waits out the grace period (stoppable)', async () => {
    const { table, retired } = await setUp();
    const refused = await deleteRetiredVersion({
      client: clients.ddb,
      table,
      rollup: 'store',
      version: 2,
    }).catch((e: unknown) => e);
    expect(isDynotallyError(refused) && refused.code).toBe('DELETE_REFUSED');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const waited = await deleteRetiredVersion({
      client: clients.ddb,
      table,
      rollup: 'store',
      version: 1,
      graceMs: 3_600_000,
      signal: stop.signal,
    }).catch((e: unknown) => e);
    expect(isDynotallyError(waited) && waited.code).toBe('DELETE_REFUSED');
    const left = (await scanTable(clients.ddb, table)).filter((r) => /^store#/.test(r.pk?.S ?? ''));
    expect(left.length).toBe(retired.length);
  });
});
