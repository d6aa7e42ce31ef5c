// The stream handler given a ready write side (the Redis buffer) instead of its built-in applier: batches count
// into Redis, redeliveries change nothing, and after a flush DynamoDB alone equals the oracle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import {
  createBufferedApplier,
  createRedisLiveSource,
  runFlushOnce,
} from '../../packages/dynotally/src/redis/index.ts';
import { oracle } from '../oracle/oracle.ts';
import { simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';
import {
  type BufferEnv,
  canonicalOf,
  fakeClock,
  quietLogger,
  sampleWorkload,
  scanItems,
  startBufferEnv,
} from './harness.ts';

const MINUTE = 60_000;

describe('createStreamHandler({ applier: createBufferedApplier(...) })', { timeout: 360_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('counts into Redis, ignores redelivered batches, and after a flush the aggregates equal the oracle', async () => {
    const { rollups, compiled, oracleRollups } = testRollups('Europe/London');
    const { table, keyPrefix } = await env.fresh('rb-handler');
    const clock = fakeClock(Date.UTC(2026, 0, 10, 12, 0, 7));
    const logger = quietLogger();
    const common = {
      redis: env.redis,
      client: env.ddb,
      table,
      rollups,
      bucketMs: 15 * MINUTE,
      keyPrefix,
      now: clock.now,
      logger,
    };
    const handler = createStreamHandler({
      // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
      applier: createBufferedApplier({ ...common, lateRecords: 'apply' }),
      rollups,
      logger,
    });
    const live = createRedisLiveSource(common);
    const sim = simulate(sampleWorkload(7, 80));
    const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);
    const deliver = async (from: number, to: number) => {
      const res = await handler({ Records: sim.records.slice(from, to), shardId: 'shardId-0001' });
      expect(res.batchItemFailures).toEqual([]);
    };
    for (let i = 0; i < sim.records.length; i += 25) await deliver(i, i + 25);

    // the counters are in Redis: DynamoDB alone (min / max / last only) is not the oracle, merged with Redis it is
    const liveCells = await live.readAll();
    expect(liveCells.pks().length).toBeGreaterThan(0);
    expect(canonicalOf(compiled, await scanItems(env.ddb, table))).not.toEqual(expected);
    expect(canonicalOf(compiled, await scanItems(env.ddb, table), liveCells)).toEqual(expected);

    // redelivery — the whole stream again, and a batch straddling the middle — changes nothing
    const before = canonicalOf(compiled, [], liveCells);
    await deliver(0, sim.records.length);
    await deliver(10, 40);
    expect(canonicalOf(compiled, [], await live.readAll())).toEqual(before);
    expect(canonicalOf(compiled, await scanItems(env.ddb, table), await live.readAll())).toEqual(expected);

    // the bucket closes; one flush moves it to DynamoDB, which alone equals the oracle
    clock.advance(20 * MINUTE);
    const report = await runFlushOnce({ ...common, graceMs: 0, keepFlushedMs: 0 });
    expect(report.buckets).toBe(1);
    expect(report.rowsWritten).toBeGreaterThan(0);
    expect(await env.redis.zcard(`${keyPrefix}open`)).toBe(0);
    expect(canonicalOf(compiled, await scanItems(env.ddb, table))).toEqual(expected);
    // and a redelivery after the flush still changes nothing
    await deliver(0, sim.records.length);
    expect((await live.readAll()).pks()).toEqual([]);
    expect(canonicalOf(compiled, await scanItems(env.ddb, table))).toEqual(expected);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
