// Rollups over existing data on DynamoDB Local: a source table with existing items counted by version 1; a
// changed definition deployed beside it (version 2, building); a backfill of version 2 while a writer inserts,
// modifies and deletes those same items and the stream consumer lags; the backfill stopped mid-way and
// restarted; then promotion and catch-up, and every aggregate of version 2 equals the oracle recomputed from
// the final source items. BACKFILL_ITEMS=50000 runs it at the size.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  asVersion,
  createServingQueryClient,
  createVersionedWriteSide,
  promoteVersion,
  readControl,
} from '../../packages/dynotally/src/versions/index.ts';
import { type Img, type OracleRollup, oracle } from '../oracle/oracle.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { canonicalCells, memoryLogger, Pipeline } from '../support/pipeline.ts';

const ITEMS = Number(process.env.BACKFILL_ITEMS ?? 2000);
const BASE = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

const v1 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { orders: count() },
});
// version 2: a new measure and a new granularity
const v2 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'month', 'all'],
  measures: { orders: count(), amount: sum('amount') },
});
const oracleV2: OracleRollup = {
  name: 'store.v2',
  groupBy: ['storeId'],
  timeAttr: 't',
  zone: 'UTC',
  granularities: ['day', 'month', 'all'],
  measures: [
    { name: 'orders', kind: 'count' },
    { name: 'amount', kind: 'sum', attribute: 'amount' },
  ],
  ttlDeletes: 'subtract',
};

let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % n;
};
const item = (id: number): Record<string, AttributeValue> => ({
  id: { S: `o-${id}` },
  storeId: { S: `s-${rand(25)}` },
  t: { N: String(BASE + rand(40) * DAY + rand(DAY)) },
  amount: { N: `${rand(500)}.${rand(100)}` },
});

describe('backfill on DynamoDB Local', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it(`rebuilds a changed rollup over ${ITEMS} existing items under a concurrent writer, stopped and resumed, exactly`, async () => {
    const pipe = await Pipeline.create(clients, [], 'bf');
    const claims = uniqueTableName('bf-claims');
    await createClaimTable(clients.ddb, claims);
    const ddb = clients.ddb;
    // existing items
    for (let i = 0; i < ITEMS; i += 25 * 8) {
      await Promise.all(
        Array.from({ length: 8 }, async (_, b) => {
          const from = i + b * 25;
          const puts = Array.from({ length: Math.max(0, Math.min(25, ITEMS - from)) }, (_, k) => ({
            PutRequest: { Item: item(from + k) },
          }));
          if (puts.length === 0) return;
          let req: Record<string, typeof puts> | undefined = { [pipe.source]: puts };
          while (req && Object.keys(req).length > 0) {
            const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: req }));
            req = out.UnprocessedItems as typeof req;
          }
        }),
      );
    }

    // the consumer: reads the stream and delivers what is new to the current handler, in batches of 100
    const delivered = new Map<string, number>();
    let handler = createStreamHandler({
      applier: createVersionedWriteSide({ client: ddb, table: pipe.aggregates, rollups: [v1] }),
      logger: memoryLogger(),
    });
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
    await consume(); // version 1 counts the existing items (and becomes the serving version)
    expect((await readControl(ddb, pipe.aggregates, 'store'))?.serving).toBe(1);

    // deploy version 2 beside version 1
    handler = createStreamHandler({
      applier: createVersionedWriteSide({
        client: ddb,
        table: pipe.aggregates,
        claimTable: claims,
        rollups: [v1, v2],
        claimMarginMs: 1_000,
      }),
      logger: memoryLogger(),
    });
    // the writer: inserts, modifies and deletes existing items (and new ones) during the backfill
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        const id = rand(ITEMS + ITEMS / 10);
        const op = rand(10);
        if (op < 3)
          await ddb.send(new DeleteItemCommand({ TableName: pipe.source, Key: { id: { S: `o-${id}` } } }));
        else await ddb.send(new PutItemCommand({ TableName: pipe.source, Item: item(id) }));
        writes++;
      }
    })();
    let consuming = true;
    const consumer = (async () => {
      while (consuming) {
        await consume();
        await new Promise((r) => setTimeout(r, 300)); // a lagging consumer
      }
    })();
    // the first delivery registers version 2 as building
    for (let i = 0; i < 100 && (await readControl(ddb, pipe.aggregates, 'store'))?.versions.length !== 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    const query = createServingQueryClient({ client: ddb, table: pipe.aggregates, rollups: [v1, v2] });
    await expect(query.total(v2, { storeId: 's-1' }, { last: '90d' })).rejects.toMatchObject({
      code: 'VERSION_BUILDING',
    });

    // a backfill stopped after three chunks, then resumed to the end
    const stop = new AbortController();
    const options = {
      client: ddb,
      source: pipe.source,
      table: pipe.aggregates,
      claimTable: claims,
      rollup: v2,
      segments: 3,
      chunkItems: 250,
      settleMs: 0,
    };
    const first = await runBackfill({
      ...options,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.chunks >= 3) stop.abort();
      },
    }).catch((e: unknown) => e);
    expect(isDynotallyError(first) && first.code).toBe('BACKFILL_REFUSED');
    const t0 = Date.now();
    const done = await runBackfill(options);
    const secs = (Date.now() - t0) / 1000;
    expect(done.complete).toBe(true);
    writing = false;
    await writer;
    await new Promise((r) => setTimeout(r, 1_500)); // past the claim window
    consuming = false;
    await consumer;
    await consume();

    await promoteVersion(ddb, pipe.aggregates, 'store', 2);
    const rows = await scanTable(ddb, pipe.aggregates);
    const mine = rows.filter((r) => r.pk?.S?.startsWith('store.v2#'));
    const finals = (await scanTable(ddb, pipe.source)) as unknown as Img[];
    const expected = oracle([oracleV2], finals, [], []);
    expect(canonicalCells([asVersion(v2.compiled, 2)], mine)).toEqual(expected);

    // reads now come from version 2
    await query.refresh();
    const g = { storeId: 's-1' };
    const total = await query.total('store', g, {
      from: new Date(BASE - DAY),
      to: new Date(BASE + 60 * DAY),
    });
    const want = finals.filter((i) => i.storeId?.S === 's-1');
    expect(total.values.orders).toBe(want.length);
    console.log(
      JSON.stringify({
        items: ITEMS,
        writesDuringBackfill: writes,
        resumedRun: { seconds: secs, ...done.progress },
      }),
    );
  }, 900_000);
});
