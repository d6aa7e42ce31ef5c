// Review s40w (of s40v's documented limitation): with the Redis buffer, a batch's script can succeed in Redis and a
// later step of the same apply fail: the min / max / last writes to DynamoDB after the script (`writeExtrema`), or
// the sink's send of the batch's own refused records. The stream worker took that for an ordinary failure: it
// retried, split and dead-lettered the batch as RETRIES_EXHAUSTED with every row pending, although Redis held its
// counts, so a replay of those letters counted them twice.
// Observed (main 1b9ce6bb): DynamoDB refusing the aggregate rows' extrema UpdateItems for a few seconds, the worker
// dead-lettered the batches as RETRIES_EXHAUSTED (the letters assertion below listed them).
// Expected: such a failure is waited out like a Redis one (never split or dead-lettered); once DynamoDB takes the
// writes again, the retry finds Redis' watermark moved (adds nothing) and writes the extrema again, so after a flush
// counts, sums and the max equal the oracle.
// Fixed: `redis/buffered-applier.ts` rethrows a failure after the script took the batch as
// `BUFFERED_BATCH_UNFINISHED` (cause kept), which `worker/batch-processor.ts` waits out (`WAITED_OUT`, reason 'redis',
// `inDoubt`).
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, defineRollup, max, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, runFlushOnce } from '../../packages/dynotally/src/redis/index.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker, runWorkerUntilIdle } from '../../packages/dynotally/src/worker/index.ts';
import { Decimal } from '../oracle/decimal.ts';
import { MemoryStore } from '../oracle/memory-store.ts';
import { type Img, type OracleRollup, oracle } from '../oracle/oracle.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';
import { type Op, quietLogger, writeOps } from '../worker/support.ts';

const clients = testClients();
let server: LocalRedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  clients.destroy();
  await server?.stop();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 3_600_000;

const peaks = defineRollup({
  name: 'peaks',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'all'],
  measures: { n: count(), amt: sum('amount'), hi: max('amount') },
});
const peaksOracle: OracleRollup = {
  name: 'peaks',
  groupBy: ['g'],
  timeAttr: 't',
  zone: 'UTC',
  granularities: ['hour', 'all'],
  measures: [
    { name: 'n', kind: 'count' },
    { name: 'amt', kind: 'sum', attribute: 'amount' },
    { name: 'hi', kind: 'max', attribute: 'amount' },
  ],
  ttlDeletes: 'subtract',
};

/** `client`, whose UpdateItems of aggregate rows (not system items, `~…`) throw while `refusing()`. */
function refusingRowUpdates(client: DynamoDBClient, refusing: () => boolean): DynamoDBClient {
  const send = (...args: Parameters<DynamoDBClient['send']>) => {
    const command = args[0];
    if (refusing() && command instanceof UpdateItemCommand && !command.input.Key?.pk?.S?.startsWith('~'))
      return Promise.reject(new Error('injected: DynamoDB refuses the aggregate row update'));
    return Reflect.apply(client.send, client, args) as ReturnType<DynamoDBClient['send']>;
  };
  return new Proxy(client, {
    get: (target, key, receiver) => (key === 'send' ? send : Reflect.get(target, key, receiver)),
  });
}

async function cells(client: DynamoDBClient, table: string): Promise<Map<string, string>> {
  const store = new MemoryStore();
  for (const item of await scanTable(client, table)) {
    if (item.pk?.S?.startsWith('~')) continue;
    const row: Record<string, Decimal | string | boolean> = {};
    for (const [name, v] of Object.entries(item)) {
      if (name === 'ttl' || name === 'updatedAt' || name.startsWith('w_') || name.startsWith('~')) continue;
      if (v.N !== undefined) row[name] = new Decimal(v.N);
      else if (v.S !== undefined) row[name] = v.S;
    }
    store.rows.set(`${item.pk?.S}\u0000${item.sk?.S}`, row);
  }
  return store.canonical([peaks.compiled]);
}

describe('stream worker, a failure after the Redis buffer took the batch (review s40w)', {
  timeout: 120_000,
}, () => {
  it('is waited out, never dead-lettered; the retry writes the max, counts stay once', async () => {
    const source = uniqueTableName('s40w-src');
    const table = uniqueTableName('s40w-agg');
    const leases = uniqueTableName('s40w-lease');
    const deadLetters = uniqueTableName('s40w-dlq');
    await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, table),
      createLeaseTable(clients.ddb, leases),
      createDeadLetterTable(clients.ddb, deadLetters),
    ]);
    const base = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const items: Img[] = Array.from({ length: 12 }, (_, i) => ({
      id: { S: `item-${i}` },
      g: { S: `g${i % 3}` },
      t: { N: String(base + (i % 4) * HOUR + i) },
      amount: { N: String((i * 37) % 50) },
    }));
    const ops: Op[] = items.map((item) => ({ kind: 'put', item }));
    const keyPrefix = `s40w${process.pid}:{b}:`;
    let refusing = true;
    const worker = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table,
      rollups: [peaks],
      applier: createBufferedApplier({
        client: refusingRowUpdates(clients.ddb, () => refusing),
        table,
        rollups: [peaks],
        keyPrefix,
        redis,
        retry: { maxAttempts: 1 },
      }),
      deadLetter: { table: deadLetters },
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 300,
      pollIntervalMs: 100,
      batchSize: 4,
      maxRetries: 1,
      retryBaseMs: 20,
      retryMaxMs: 100,
    });
    await worker.start();
    await writeOps(clients.ddb, source, ops);
    const end = Date.now() + 30_000;
    while (worker.stats().failedAttempts < 1 && Date.now() < end) await pause(50);
    expect(worker.stats().failedAttempts).toBeGreaterThan(0);
    // long enough for the worker to exhaust its retries and bisections of every batch (main dead-letters them)
    await pause(6_000);
    refusing = false;
    await runWorkerUntilIdle(worker, { quietMs: 600 });
    const letters = await scanTable(clients.ddb, deadLetters);
    expect(
      letters.map(
        (l) =>
          JSON.stringify(l).match(
            /RETRIES_EXHAUSTED|RECORD_TOO_OLD|BUFFERED_BATCH_UNFINISHED|APPLY_FAILED/,
          )?.[0] ?? 'letter',
      ),
    ).toEqual([]);
    await runFlushOnce({ client: clients.ddb, table, rollups: [peaks], keyPrefix, redis, all: true });
    expect(await cells(clients.ddb, table)).toEqual(oracle([peaksOracle], items, [], items));
  });
});
