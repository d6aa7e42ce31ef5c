// The Redis buffer and its flusher behind faulty networks: the buffered applier and the flusher talk to
// redis-server through the Redis fault proxy (replies lost after a script ran, delays, resets) and to DynamoDB
// Local through the HTTP fault proxy (also throttling), on random schedules. Failed batches are delivered again
// (as Lambda or the worker would), failed flushes are run again later; once the faults stop and every bucket is
// flushed, DynamoDB alone equals the oracle.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { oracle } from '../oracle/oracle.ts';
import {
  type BufferEnv,
  canonicalOf,
  longOpsArb,
  MINUTE,
  scanItems,
  startBufferEnv,
} from '../redis/harness.ts';
import { ddbReady } from '../support/ddb.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { FaultSchedule, faultStepsArb } from '../support/fault-schedule.ts';
import { diffCells } from '../support/pipeline.ts';
import { type RedisFaultProxy, startRedisFaultProxy } from '../support/redis-fault-proxy.ts';
import { simulate } from '../support/stream-sim.ts';
import { testRollups } from '../support/test-rollups.ts';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 480_000 });
const ZONE = 'Europe/London';
let env: BufferEnv;
let ddbProxy: FaultProxy;
let redisProxy: RedisFaultProxy;
let ddb: DynamoDBClient;
let redis: Redis;

beforeAll(async () => {
  env = await startBufferEnv();
  ddbProxy = await startFaultProxy({ target: await ddbReady() });
  redisProxy = await startRedisFaultProxy(env.server.url);
  ddb = new DynamoDBClient(localClientConfig(ddbProxy.endpoint));
  redis = new Redis(redisProxy.url);
  redis.on('error', () => {}); // resets are the point; ioredis reconnects
});
afterAll(async () => {
  redis?.disconnect();
  ddb?.destroy();
  await redisProxy?.close();
  await ddbProxy?.close();
  await env?.close();
});

const scenarioArb = longOpsArb(8, 1, 3).chain((ops) => {
  const sim = simulate(ops);
  return fc.record({
    sim: fc.constant(sim),
    sizes: fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 4 }),
    ddbSteps: faultStepsArb({ maxAfter: 20, maxRequests: 6 }),
    redisSteps: faultStepsArb({ kinds: ['drop', 'delay', 'reset'], maxAfter: 15, maxRequests: 3 }),
  });
});

describe('fault tier: Redis buffer and flusher behind faulty Redis and DynamoDB connections', () => {
  it('once the faults stop and every bucket is flushed, DynamoDB equals the oracle', async () => {
    const { rollups, compiled, oracleRollups } = testRollups(ZONE);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ sim, sizes, ddbSteps, redisSteps }) => {
        const { keyPrefix, table, clock, common } = await env.fixture(
          'fault-rb',
          rollups,
          Date.UTC(2026, 0, 10, 12, 0, 7),
        );
        const faulty = { ...common, redis, client: ddb };
        // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
        const applier = createBufferedApplier({ ...faulty, lateRecords: 'apply' });
        const flusher = createFlusher({ ...faulty, graceMs: 0, lockMs: 400, redisTimeoutMs: 2_000 });
        const at = `ddb=${new FaultSchedule(ddbSteps).describe()} redis=${new FaultSchedule(redisSteps).describe()} sizes=${sizes}`;
        ddbProxy.setSchedule(ddbSteps);
        redisProxy.setSchedule(redisSteps);
        const records = sim.records;
        let pos = 0;
        for (let i = 0, tries = 0; pos < records.length; i++) {
          const to = Math.min(records.length, pos + (sizes[i % sizes.length] ?? 10));
          try {
            const { poison } = await applier.apply({
              records: records.slice(pos, to),
              shardId: 'shardId-0001',
            });
            expect(poison, at).toEqual([]);
            pos = to;
          } catch {
            if (++tries > 200) throw new Error(`the batch at ${pos} never applied: ${at}`);
          }
          clock.advance(MINUTE);
          await flusher.flushClosed().catch(() => undefined); // a failed flush is run again later
        }
        ddbProxy.heal();
        redisProxy.heal();
        clock.advance(4 * MINUTE);
        for (let i = 0; (await env.redis.zcard(`${keyPrefix}open`)) > 0; i++) {
          if (i > 100) throw new Error(`buckets still open after the faults stopped: ${at}`);
          const report = await flusher.flushClosed().catch(() => undefined);
          if (report === undefined || report.skipped !== undefined)
            await new Promise((r) => setTimeout(r, 150));
        }
        const expected = oracle(oracleRollups, sim.finals, sim.retained, sim.history);
        expect(diffCells(canonicalOf(compiled, await scanItems(env.ddb, table)), expected), at).toEqual([]);
      }),
      {
        numRuns: Number(process.env.DYNOTALLY_FAULT_RUNS ?? 5),
        seed:
          process.env.DYNOTALLY_FAULT_SEED === undefined
            ? undefined
            : Number(process.env.DYNOTALLY_FAULT_SEED),
        endOnFailure: true,
      },
    );
    expect(Object.values(redisProxy.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
