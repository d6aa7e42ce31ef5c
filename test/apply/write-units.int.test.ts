// report.writeUnits against DynamoDB's sizing rules (src/cost): the rows a batch changed, scanned before and
// after, priced by writeUnits and indexWriteUnits; and what DynamoDB Local reports for transactions.
import { type AttributeValue, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ApplyReport,
  type ExactlyOnceStrategy,
  transactionUnits,
} from '../../packages/dynotally/src/apply/index.ts';
import { indexWriteUnits, itemSizeBytes, writeUnits } from '../../packages/dynotally/src/cost/index.ts';
import {
  favouritesPerRestaurant,
  jobsPerCustomer,
  storeMetrics,
} from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { testClients } from '../support/ddb.ts';
import {
  deliver,
  diffCells,
  expectedCells,
  isBookkeeping,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';
import { favouritesOps, interleave, jobsOps, ORACLE, run, storeOps } from './workload.ts';

// DynamoDB Local shares two cores with everything else: generous limits, never timing assertions
vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

type Item = Record<string, AttributeValue>;
const LEADERBOARD = { keys: ['lbk', 'lbv'] };
let pipeline: Pipeline;
let shard: ShardStream;

beforeAll(async () => {
  // count-only rollups: every row a batch touches is written exactly once, by one UpdateItem
  pipeline = await Pipeline.create(clients, [jobsPerCustomer, favouritesPerRestaurant, storeMetrics], 'wcu');
  await run(pipeline, interleave([jobsOps(71, undefined, 30), favouritesOps(72, 40), storeOps(73, 30)], 70));
  const shards = await pipeline.readStream();
  shard = shards[0] as ShardStream;
  expect(shard.records.length).toBeGreaterThan(120);
});

/** Delivers [0, 50), then [50, 120) and returns the second batch's report with the table before and after it. */
async function measure(options: {
  strategy?: ExactlyOnceStrategy;
  mode?: 'at-least-once';
  write?: { api: 'partiql' | 'update-item' };
}) {
  const table = await pipeline.newAggregateTable('agg-wcu');
  const reports: ApplyReport[] = [];
  const handler = pipeline.handler({ table, ...options, onReport: (r) => reports.push(r) });
  await deliver(handler, shard, { to: 50, batchSize: 50 });
  const before = new Map((await scanTable(clients.ddb, table)).map((i) => [`${i.pk?.S}|${i.sk?.S}`, i]));
  await deliver(handler, shard, { from: 50, to: 120, batchSize: 70 });
  const after = await scanTable(clients.ddb, table);
  const changed = after
    .map((i) => ({ before: before.get(`${i.pk?.S}|${i.sk?.S}`), after: i }))
    .filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after));
  const report = reports[1] as ApplyReport;
  const priced = (c: { before: Item | undefined; after: Item }, transactional: boolean) =>
    writeUnits(c.before, c.after, { transactional }) +
    indexWriteUnits(c.before, c.after, LEADERBOARD, { transactional });
  const expected = expectedCells(
    [ORACLE.jobs, ORACLE.favourites, ORACLE.store],
    replay([shard], { upTo: 120 }),
  );
  expect(diffCells(await pipeline.canonical(table), expected)).toEqual([]);
  return { report, changed, priced };
}

describe('write units', () => {
  const updateItem = { api: 'update-item' as const };
  const partiql = { api: 'partiql' as const };
  it.each([
    ['row-watermark (UpdateItem)', { strategy: 'row-watermark' as const, write: updateItem }],
    ['at-least-once (UpdateItem)', { mode: 'at-least-once' as const, write: updateItem }],
    ['row-watermark (PartiQL, metered by src/cost)', { strategy: 'row-watermark' as const, write: partiql }],
    ['at-least-once (PartiQL, metered by src/cost)', { mode: 'at-least-once' as const, write: partiql }],
  ])(
    '%s: report.writeUnits equals the changed rows priced by src/cost, index writes included',
    async (_, options) => {
      const { report, changed, priced } = await measure(options);
      // DynamoDB Local reports no capacity for PartiQL: the applier prices what it wrote itself (rows sampled
      // for pruning go through UpdateItem, whose capacity is reported)
      if (options.write === partiql) expect(report.estimatedWriteUnits).toBeGreaterThan(0);
      else expect(report.estimatedWriteUnits).toBe(0);
      expect(report.estimatedWriteUnits).toBeLessThanOrEqual(report.writeUnits);
      const rows = changed.filter((c) => !isBookkeeping(c.after));
      expect(report.rowsWritten).toBe(rows.length);
      expect(report.extremaWritten).toBe(0);
      const units = rows.reduce((sum, c) => sum + priced(c, false), 0);
      expect(report.writeUnits).toBe(units);
      // some rows are priced above the 1-unit minimum: ranked rows pay for the leaderboard index
      expect(rows.some((c) => priced(c, false) > 1)).toBe(true);
      expect(units).toBeGreaterThan(rows.length);
    },
  );

  it('transaction: at least 2 units per item and per leaderboard index write, at most the rows priced transactionally', async () => {
    const { report, changed, priced } = await measure({ strategy: 'transaction' });
    expect(report.transactions).toBe(1); // 70 records of these rollups fit one transaction
    const rows = changed.filter((c) => !isBookkeeping(c.after));
    expect(report.rowsWritten).toBe(rows.length);
    const ranked = rows.filter(
      (c) => c.after.lbk !== undefined && c.after.lbv?.N !== c.before?.lbv?.N,
    ).length;
    expect(ranked).toBeGreaterThan(0);
    const exact = changed.reduce((sum, c) => sum + priced(c, true), 0); // the watermark item included
    expect(report.writeUnits).toBeGreaterThanOrEqual(2 * (rows.length + 1 + ranked));
    expect(report.writeUnits).toBeLessThanOrEqual(exact);
  });

  it('DynamoDB Local doubles a transactional item, and transactionUnits never counts below 2 per item', async () => {
    const table = await pipeline.newAggregateTable('agg-txcap');
    const put = (key: string, bytes: number) => ({
      Update: {
        TableName: table,
        Key: { pk: { S: key }, sk: { S: 'ALL' } },
        UpdateExpression: 'SET #x = :x',
        ExpressionAttributeNames: { '#x': 'x' },
        ExpressionAttributeValues: { ':x': { S: 'a'.repeat(bytes) } },
      },
    });
    const item = (key: string, bytes: number) => ({
      pk: { S: key },
      sk: { S: 'ALL' },
      x: { S: 'a'.repeat(bytes) },
    });
    // one 3 KB item: Local reports 2 × its 3 units, as DynamoDB does
    const one = await clients.ddb.send(
      new TransactWriteItemsCommand({ TransactItems: [put('big', 3000)], ReturnConsumedCapacity: 'TOTAL' }),
    );
    expect(one.ConsumedCapacity?.[0]?.CapacityUnits).toBe(
      writeUnits(undefined, item('big', 3000), { transactional: true }),
    );
    expect(transactionUnits(one.ConsumedCapacity, 1)).toBe(6);
    // ten small items: DynamoDB bills 20; whatever Local sums, the figure used is never below that
    const keys = Array.from({ length: 10 }, (_, i) => `small-${i}`);
    const ten = await clients.ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: keys.map((k) => put(k, 10)),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const billed = keys.reduce((s, k) => s + writeUnits(undefined, item(k, 10), { transactional: true }), 0);
    expect(billed).toBe(20);
    expect(transactionUnits(ten.ConsumedCapacity, 10)).toBe(billed);
    expect(itemSizeBytes(item('small-0', 10))).toBeLessThan(1024);
  });
});
