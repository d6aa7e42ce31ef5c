// verify and repair on DynamoDB Local: a rollup counted by the stream (through the versioned write side) is
// recomputed from the source; 0 drift when it is right, exactly the corrupted cells after one row is
// corrupted (a lowered max among them), the sampled or named groups only, a change still in flight is not drift once the consumer has
// passed it, and a repair (a rebuild through a new version, under a concurrent writer) leaves 0 drift.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup, last, max, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { groupPartitionKey } from '../../packages/dynotally/src/layout/group-key.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { inSample, repairRollup, verify } from '../../packages/dynotally/src/verify/index.ts';
import {
  createServingQueryClient,
  createVersionedWriteSide,
  readControl,
} from '../../packages/dynotally/src/versions/index.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { memoryLogger, Pipeline } from '../support/pipeline.ts';

// minutes of DynamoDB Local work: at load average 40 the repair case took 251 s (78 s for the file when idle)
vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 1_800_000 });

const BASE = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
const STORES = 30;

const shop = defineRollup({
  name: 'shop',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'month', 'all'],
  measures: { orders: count(), amount: sum('amount'), biggest: max('amount'), latest: last('amount') },
});

let seed = 7;
const rand = (n: number) => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % n;
};
const item = (id: number): Record<string, AttributeValue> => ({
  id: { S: `o-${id}` },
  storeId: { S: `s-${rand(STORES)}` },
  t: { N: String(BASE + rand(20) * DAY + rand(DAY)) },
  amount: { N: `${rand(500)}.${rand(100)}` },
});

describe('verify and repair on DynamoDB Local', () => {
  const clients = testClients();
  const ddb = clients.ddb;
  let pipe: Pipeline;
  let claims = '';
  const delivered = new Map<string, number>();
  let handler: ReturnType<typeof createStreamHandler>;
  const consume = async () => {
    for (const shard of await pipe.readStream()) {
      const from = delivered.get(shard.shardId) ?? 0;
      for (let i = from; i < shard.records.length; i += 100) {
        const Records: DynamoDBRecord[] = shard.records.slice(i, i + 100);
        const res = await handler({ Records, shardId: shard.shardId });
        expect(res.batchItemFailures).toEqual([]);
        delivered.set(shard.shardId, i + Records.length);
      }
    }
  };
  const stores = async () =>
    [...new Set((await scanTable(ddb, pipe.source)).map((i) => i.storeId?.S as string))].sort();
  const base = () => ({
    client: ddb,
    source: pipe.source,
    table: pipe.aggregates,
    rollup: shop,
    segments: 3,
  });

  beforeAll(async () => {
    pipe = await Pipeline.create(clients, [], 'vf');
    claims = `${pipe.aggregates}-claims`;
    await createClaimTable(ddb, claims);
    handler = createStreamHandler({
      applier: createVersionedWriteSide({
        client: ddb,
        table: pipe.aggregates,
        claimTable: claims,
        rollups: [shop],
        claimMarginMs: 1_000,
      }),
      logger: memoryLogger(),
    });
    // 600 items, then modifications and deletes (so max and last hold values of items since changed)
    for (let i = 0; i < 600; i += 25) {
      const puts = Array.from({ length: 25 }, (_, k) => ({ PutRequest: { Item: item(i + k) } }));
      let req: Record<string, typeof puts> | undefined = { [pipe.source]: puts };
      while (req && Object.keys(req).length > 0)
        req = (await ddb.send(new BatchWriteItemCommand({ RequestItems: req })))
          .UnprocessedItems as typeof req;
    }
    for (let k = 0; k < 120; k++) {
      const id = rand(600);
      if (k % 3 === 0)
        await ddb.send(new DeleteItemCommand({ TableName: pipe.source, Key: { id: { S: `o-${id}` } } }));
      else await ddb.send(new PutItemCommand({ TableName: pipe.source, Item: item(id) }));
    }
    await consume();
  });
  afterAll(() => clients.destroy());

  it('reports 0 drift on a rollup the stream counted', async () => {
    const report = await verify({ ...base(), settleMs: 0 });
    expect(report.drift).toEqual([]);
    expect(report.version).toBe(1);
    expect(report.groups).toBe((await stores()).length);
    expect(report.cells).toBeGreaterThan(report.groups * 4 * 3);
    expect(report.passes).toBe(1);
  });

  it('after one row is corrupted, reports exactly its drifted cells (expected, actual), in the sample and named groups only', async () => {
    const key = { pk: { S: groupPartitionKey('shop', ['s-3']) }, sk: { S: 'M2026-11' } };
    const before = (await ddb.send(new GetItemCommand({ TableName: pipe.aggregates, Key: key }))).Item ?? {};
    const day = Object.keys(before)
      .filter((a) => /^orders_\d+$/.test(a))
      .sort()[0] as string;
    const dayNo = day.slice('orders_'.length);
    const orders = before[day]?.N as string;
    const amount = before.amount?.N as string;
    await ddb.send(
      new UpdateItemCommand({
        TableName: pipe.aggregates,
        Key: key,
        UpdateExpression: 'ADD #d :two REMOVE #a',
        ExpressionAttributeNames: { '#d': day, '#a': 'amount' },
        ExpressionAttributeValues: { ':two': { N: '2' } },
      }),
    );
    const expected = [
      {
        group: { storeId: 's-3' },
        groupValues: ['s-3'],
        granularity: 'day',
        bucket: `D2026-11-${dayNo.padStart(2, '0')}`,
        measure: 'orders',
        kind: 'count',
        expected: orders,
        actual: String(Number(orders) + 2),
        row: { pk: 'shop#ss-3', sk: 'M2026-11' },
        attr: day,
      },
      {
        group: { storeId: 's-3' },
        groupValues: ['s-3'],
        granularity: 'month',
        bucket: 'M2026-11',
        measure: 'amount',
        kind: 'sum',
        expected: amount,
        actual: null,
        row: { pk: 'shop#ss-3', sk: 'M2026-11' },
        attr: 'amount',
      },
    ];
    const all = await verify({ ...base(), settleMs: 0 });
    expect(all.drift).toEqual(expected);
    expect(all.passes).toBe(2);
    expect(all.settled).toBe(0);

    // a sample checks the groups whose key hashes into it, the corrupted one among them or not
    const existing = await stores();
    const sampled = existing.filter((s) => inSample(groupPartitionKey('shop', [s]), 0.3));
    expect(sampled.length).toBeGreaterThan(0);
    expect(sampled.length).toBeLessThan(existing.length);
    const part = await verify({ ...base(), sample: 0.3, settleMs: 0 });
    expect(part.groups).toBe(sampled.length);
    expect(part.drift).toEqual(sampled.includes('s-3') ? expected : []);

    const named = await verify({ ...base(), groups: [{ storeId: 's-3' }, { storeId: 's-4' }], settleMs: 0 });
    expect(named.groups).toBe(2);
    expect(named.drift).toEqual(expected);
    const other = await verify({ ...base(), groups: [{ storeId: 's-4' }], settleMs: 0 });
    expect(other.groups).toBe(1);
    expect(other.drift).toEqual([]);
  });

  it('a max lowered below a current item is drift: the recomputed max is compared, not skipped', async () => {
    const key = { pk: { S: groupPartitionKey('shop', ['s-6']) }, sk: { S: 'M2026-11' } };
    const before = (await ddb.send(new GetItemCommand({ TableName: pipe.aggregates, Key: key }))).Item ?? {};
    const stored = before.biggest;
    expect(stored?.N).toBeDefined();
    const set = (value: AttributeValue) =>
      ddb.send(
        new UpdateItemCommand({
          TableName: pipe.aggregates,
          Key: key,
          UpdateExpression: 'SET #b = :v',
          ExpressionAttributeNames: { '#b': 'biggest' },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
    await set({ N: '-1' });
    try {
      const report = await verify({ ...base(), groups: [{ storeId: 's-6' }], settleMs: 0 });
      expect(report.drift).toEqual([
        expect.objectContaining({ measure: 'biggest', kind: 'max', bucket: 'M2026-11', actual: '-1' }),
      ]);
      expect(Number(report.drift[0]?.expected)).toBeGreaterThan(-1);
    } finally {
      await set(stored as AttributeValue);
    }
  });

  it('a change still in flight is not drift once the consumer has passed the scan (and is with one pass)', async () => {
    await ddb.send(
      new PutItemCommand({
        TableName: pipe.source,
        Item: { id: { S: 'o-new' }, storeId: { S: 's-4' }, t: { N: String(BASE + DAY) }, amount: { N: '5' } },
      }),
    );
    const groups = [{ storeId: 's-4' }];
    const once = await verify({ ...base(), groups, passes: 1 });
    expect(once.drift.length).toBeGreaterThan(0); // the stream has not applied it yet
    const twice = await verify({ ...base(), groups, waitForStream: consume });
    expect(twice.drift).toEqual([]);
    expect(twice.settled).toBe(once.drift.length);
  });

  it('repair rebuilds through a new version under a concurrent writer, promotes it, and leaves 0 drift', async () => {
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const id = rand(700);
        if (rand(10) < 3)
          await ddb.send(new DeleteItemCommand({ TableName: pipe.source, Key: { id: { S: `o-${id}` } } }));
        else await ddb.send(new PutItemCommand({ TableName: pipe.source, Item: item(id) }));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let consuming = true;
    const consumer = (async () => {
      while (consuming) {
        await consume();
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const repaired = await repairRollup({
      ...base(),
      claimTable: claims,
      chunkItems: 100,
      settleMs: 1_000,
    });
    writing = false;
    await writer;
    await new Promise((r) => setTimeout(r, 1_500)); // past the claim window
    consuming = false;
    await consumer;
    await consume();
    expect(repaired).toMatchObject({ version: 2, registered: true, previous: 1, promoted: true });
    const control = await readControl(ddb, pipe.aggregates, 'shop');
    expect(control?.serving).toBe(2);
    expect(control?.versions.map((v) => [v.version, v.state])).toEqual([
      [1, 'retired'],
      [2, 'serving'],
    ]);
    const report = await verify({ ...base(), settleMs: 0 });
    expect(report.version).toBe(2);
    expect(report.prefix).toBe('shop.v2');
    expect(report.drift).toEqual([]);
    // every group with items, and those whose items were all deleted (their rows hold zeros)
    expect(report.groups).toBeGreaterThanOrEqual((await stores()).length);
    // reads follow the rebuild
    const query = createServingQueryClient({ client: ddb, table: pipe.aggregates, rollups: [shop] });
    const total = await query.total(shop, { storeId: 's-3' }, { from: BASE, to: BASE + 40 * DAY });
    expect(total.values.orders).toBeGreaterThan(0);
  });
});
