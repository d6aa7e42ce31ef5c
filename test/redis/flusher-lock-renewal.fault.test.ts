// The flusher's lease while a bucket is flushed. A bucket that takes longer to flush than the flusher's lease (a slow or throttled DynamoDB, a big bucket) keeps
// the lease: it renews itself on a timer while the flush runs (flush-lock.ts). Before session 27 it was renewed only
// between buckets, so after lockMs any second flusher took the lock in the middle of the bucket and flushed it
// again (the rows' markers kept the counts right; the work was done and billed twice). DynamoDB Local is slowed by
// the HTTP fault proxy (every UpdateItem held back 250 ms, one row at a time); Redis is real. A timed renewal that
// fails (Redis out of reach past redisTimeoutMs) fails the flush, as any other failed Redis call of it would.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  type FlushReport,
  type FlushStep,
} from '../../packages/dynotally/src/redis/index.ts';
import { oracleTotals, readTotals } from '../review/s26r-totals.ts';
import { ddbReady } from '../support/ddb.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { freezableRedis } from './freezable-redis.ts';
import { quietLogger } from './harness.ts';
import { orderRecords, storeOrders } from './store-orders.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();
let proxy: FaultProxy;
let slow: DynamoDBClient;
beforeAll(async () => {
  proxy = await startFaultProxy({ target: await ddbReady(), counts: (op) => op === 'UpdateItem' });
  slow = new DynamoDBClient(localClientConfig(proxy.endpoint));
});
afterAll(async () => {
  slow?.destroy();
  await proxy?.close();
});

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const QUARTER = 15 * 60_000;
const LOCK_MS = 1_000;
const STORES = ['s-1', 's-2', 's-3', 's-4', 's-5', 's-6'];

describe('Redis buffer: a bucket that takes longer than lockMs', () => {
  it('keeps its lock: no second flusher starts while it is flushed', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('longbucket', [orders], START);
    const options = { ...common, bucketMs: QUARTER };
    const rec = orderRecords(1000);
    const records = STORES.map((s) => rec(s, START));
    await createBufferedApplier(options).apply({ records, shardId: 'shard-1' }); // bucket 12:15: 12 rows
    clock.set(START + QUARTER);
    proxy.setSchedule([{ after: 0, fault: { kind: 'delay', ms: 250 }, requests: 1_000 }]);
    const logger = quietLogger();
    const others: Promise<FlushReport>[] = [];
    let sealedAt = 0;
    let lastTry = 0;
    const a = createFlusher({
      ...options,
      client: slow,
      logger,
      lockMs: LOCK_MS,
      concurrency: 1,
      onStep: (s: FlushStep) => {
        if (s.step === 'sealed') sealedAt = Date.now();
        if (s.step !== 'row-written') return;
        // past the lease A took before sealing, another flusher (on the fast client) tries, at most every 300 ms
        const t = Date.now();
        if (t - sealedAt <= LOCK_MS || t - lastTry < 300) return;
        lastTry = t;
        others.push(createFlusher(options).flushClosed());
      },
    });
    const started = Date.now();
    const report = await a.flushClosed();
    const took = Date.now() - started;
    proxy.heal();
    const tried = await Promise.all(others);
    // the bucket took well over the lease, and every other flusher found the lock held
    expect(took).toBeGreaterThan(2 * LOCK_MS);
    expect(tried.length).toBeGreaterThanOrEqual(2);
    // every other flusher found the lock held; one started on the last rows may run only once A has finished and
    // released it, and then finds nothing left to flush (a flush of the bucket again would plan or write its rows)
    const late = (r: FlushReport) => r.skipped === undefined && r.buckets === 0 && r.rows === 0;
    expect(tried.filter((r) => r.skipped === 'locked').length).toBeGreaterThanOrEqual(2);
    expect(tried.filter((r) => r.skipped !== 'locked' && !late(r))).toEqual([]);
    expect({
      buckets: report.buckets,
      written: report.rowsWritten,
      applied: report.rowsAlreadyApplied,
    }).toEqual({
      buckets: 1,
      written: 12,
      applied: 0,
    });
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals(records, STORES));
  });

  it('a renewal that fails stops the flush with REDIS_UNAVAILABLE; the next flush finishes the bucket', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('renewfail', [orders], START);
    const options = { ...common, bucketMs: QUARTER };
    const rec = orderRecords(1000);
    const records = STORES.map((s) => rec(s, START));
    await createBufferedApplier(options).apply({ records, shardId: 'shard-1' });
    clock.set(START + QUARTER);
    const cut = freezableRedis(env.redis);
    let first = true;
    const a = createFlusher({
      ...options,
      redis: cut.client,
      lockMs: 600, // renewed every 200 ms
      redisTimeoutMs: 300,
      concurrency: 1,
      onStep: async (s: FlushStep) => {
        if (s.step !== 'row-written' || !first) return;
        first = false;
        cut.freeze(); // the next renewal waits past its 300 ms timeout
        await new Promise((r) => setTimeout(r, 1_000));
        await cut.thaw();
      },
    });
    const failure = await a.flushClosed().then(
      (r) => r,
      (e: unknown) => e,
    );
    expect(isDynotallyError(failure) && failure.code).toBe('REDIS_UNAVAILABLE');
    const again = await createFlusher(options).flushClosed();
    expect({ skipped: again.skipped, buckets: again.buckets, applied: again.rowsAlreadyApplied }).toEqual({
      skipped: undefined,
      buckets: 1,
      applied: 1,
    });
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals(records, STORES));
  });
});
