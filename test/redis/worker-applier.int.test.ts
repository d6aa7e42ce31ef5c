// The stream worker given a ready write side (the Redis buffer): it polls DynamoDB Local's stream, counts into
// Redis, and a flush moves the buckets to the aggregate table, which then equals the oracle.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBufferedApplier,
  createRedisLiveSource,
  runFlushOnce,
} from '../../packages/dynotally/src/redis/index.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createStreamWorker, runWorkerUntilIdle } from '../../packages/dynotally/src/worker/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';
import { actualCells, expectedCells, makeOps, quietLogger, tallies, writeOps } from '../worker/support.ts';
import { canonicalOf } from './harness.ts';

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

describe('createStreamWorker({ applier: createBufferedApplier(...) })', { timeout: 240_000 }, () => {
  it('folds the stream into Redis; after a flush the aggregate table equals the oracle', async () => {
    const source = uniqueTableName('wb-src');
    const table = uniqueTableName('wb-agg');
    const leases = uniqueTableName('wb-lease');
    const deadLetters = uniqueTableName('wb-dlq');
    await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, table),
      createLeaseTable(clients.ddb, leases),
      createDeadLetterTable(clients.ddb, deadLetters),
    ]);
    const ops = makeOps(21, 60, 20);
    await writeOps(clients.ddb, source, ops);
    const buffer = {
      redis,
      client: clients.ddb,
      table,
      rollups: [tallies],
      keyPrefix: `wb${process.pid}:{b}:`,
    };
    const worker = createStreamWorker({
      client: clients.ddb,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table,
      rollups: [tallies],
      applier: createBufferedApplier(buffer),
      deadLetter: { table: deadLetters },
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 300,
      pollIntervalMs: 100,
      batchSize: 25,
    });
    const stats = await runWorkerUntilIdle(worker, { quietMs: 600 });
    expect(stats.records).toBe(ops.length);
    expect(stats.deadLettered).toBe(0);

    const expected = expectedCells(ops);
    // nothing in DynamoDB yet (tallies has no min / max / last); DynamoDB merged with Redis is exact
    expect(await actualCells(clients.ddb, table)).toEqual(new Map());
    const live = await createRedisLiveSource(buffer).readAll();
    expect(canonicalOf([tallies.compiled], [], live)).toEqual(expected);

    const report = await runFlushOnce({ ...buffer, all: true });
    expect(report.buckets).toBeGreaterThan(0);
    expect(await actualCells(clients.ddb, table)).toEqual(expected);
    expect(await redis.zcard(`${buffer.keyPrefix}open`)).toBe(0);
  });
});
