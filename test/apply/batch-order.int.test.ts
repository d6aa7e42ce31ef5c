// Exactly-once does not trust the order or uniqueness of a batch's records: [seq 200, seq 100] and the same
// record twice in one batch count exactly once, on the real Applier (both strategies) and the Lambda handler
// on DynamoDB Local. Before the fix: 4 (row-watermark) / 3 (transaction) after a redelivery, and 2 for a
// record delivered twice in one batch.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createStreamHandler, REPORT_FAILURES_ENV } from '../../packages/dynotally/src/handler/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { canonicalCells, scanTable } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = defineRollup({
  name: 'orders',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
});
const T = Date.UTC(2026, 2, 1, 12);
const ARN = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-03-01T00:00:00.000';

const insert = (seq: string, id: string, amount = '1.5'): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: ARN,
  dynamodb: {
    SequenceNumber: seq,
    ApproximateCreationDateTime: T / 1000,
    Keys: { id: { S: id } },
    NewImage: { id: { S: id }, g: { S: 'x' }, ts: { N: String(T) }, amount: { N: amount } },
  },
});

async function cells(table: string): Promise<Record<string, string>> {
  return Object.fromEntries(canonicalCells([rollup.compiled], await scanTable(clients.ddb, table)));
}
const dayCell = (m: string) => `orders|[["string","x"]]|day|D2026-03-01|${m}`;

describe.each<ExactlyOnceStrategy>(['row-watermark', 'transaction'])('batch order (%s)', (strategy) => {
  const fresh = async () => {
    const table = uniqueTableName(`order-${strategy}`);
    await createAggregateTable(clients.ddb, table);
    return {
      table,
      applier: new Applier({ lateRecords: 'apply', client: clients.ddb, table, rollups: [rollup], strategy }),
    };
  };

  it('a batch of two streams given to an Applier directly is refused before anything is written (review s39h)', async () => {
    const { table, applier } = await fresh();
    const other = { ...insert('150', 'o'), eventSourceARN: ARN.replace('table/src', 'table/other') };
    const batch = [insert('100', 'a'), other, insert('200', 'b')];
    for (const attempt of [
      () => applier.apply({ records: batch, shardId: 'shard-1' }),
      async () => applier.plan({ records: batch, shardId: 'shard-1' }),
    ])
      await expect(attempt()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await scanTable(clients.ddb, table)).toEqual([]);
    // the same stream's next batch counts from nothing: no watermark was moved by the other stream's 150
    await applier.apply({ records: [insert('100', 'a'), insert('200', 'b')], shardId: 'shard-1' });
    expect((await cells(table))[dayCell('n')]).toBe('2');
  });

  it('[seq 200, seq 100] redelivered counts each record once', async () => {
    const { table, applier } = await fresh();
    const batch = [insert('200', 'b'), insert('100', 'a')];
    await applier.apply({ records: batch, shardId: 'shard-1' });
    await applier.apply({ records: batch, shardId: 'shard-1' });
    await applier.apply({ records: [...batch].reverse(), shardId: 'shard-1' });
    await applier.apply({ records: [batch[1] as DynamoDBRecord], shardId: 'shard-1' });
    const c = await cells(table);
    expect(c[dayCell('n')]).toBe('2');
    expect(c[dayCell('amt')]).toBe('3');
  });

  it('the same record twice in one batch counts once; 40-digit sequence numbers compare numerically', async () => {
    const { table, applier } = await fresh();
    const big = `1${'0'.repeat(39)}`; // longer than the others: as text it would sort before '9…'
    const nines = '9'.repeat(39);
    const batch = [insert(big, 'c', '4'), insert('100', 'a'), insert(nines, 'b', '2'), insert('100', 'a')];
    const { report } = await applier.apply({ records: batch, shardId: 'shard-1' });
    expect(report.poison).toBe(0);
    await applier.apply({ records: batch, shardId: 'shard-1' });
    await applier.apply({ records: [insert(nines, 'b', '2')], shardId: 'shard-1' });
    const c = await cells(table);
    expect(c[dayCell('n')]).toBe('3');
    expect(c[dayCell('amt')]).toBe('7.5');
  });
});

describe('batch order through the Lambda handler', () => {
  it('reports the lowest sequence number of an unordered batch when it fails, and applies it in order', async () => {
    const table = uniqueTableName('order-handler');
    await createAggregateTable(clients.ddb, table);
    const handler = createStreamHandler({
      rollups: [rollup],
      client: clients.ddb,
      table,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      // the handler's clock at the records' time: its late-record guard is on by default
      now: () => T,
    });
    const batch = [insert('300', 'c'), insert('200', 'b'), insert('100', 'a'), insert('200', 'b')];
    expect((await handler({ Records: batch, shardId: 'shard-9' })).batchItemFailures).toEqual([]);
    expect((await handler({ Records: batch, shardId: 'shard-9' })).batchItemFailures).toEqual([]);
    expect((await cells(table))[dayCell('n')]).toBe('3');
    const brokenHandler = () =>
      createStreamHandler({
        rollups: [rollup],
        client: clients.ddb,
        table: uniqueTableName('no-such-table'),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        retry: { maxAttempts: 1 },
      });
    // by default (a mapping made by hand) the failed batch is thrown: Lambda retries it from its first record
    await expect(brokenHandler()({ Records: batch, shardId: 'shard-9' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // deployed with ReportBatchItemFailures (as the CDK construct says), it names the batch's lowest sequence number
    vi.stubEnv(REPORT_FAILURES_ENV, 'true');
    try {
      const res = await brokenHandler()({ Records: batch, shardId: 'shard-9' });
      expect(res.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
