// Review s40u (found by s40y): docs/redis-buffer.md "Redis down" says that with `onRedisDown: 'fail'` (the default)
// "nothing is counted until Redis takes it; the shard waits". The stream worker treated REDIS_UNAVAILABLE as any
// failing batch: 3 retries, bisection, then the records dead-lettered as RETRIES_EXHAUSTED. On main (8fca9740) the
// first two tests failed within about 2 s of Redis going down, with the worker's "records skipped to the dead-letter
// sink" (RETRIES_EXHAUSTED). With that check left out, the second test showed the harm: the batch Redis had taken
// (its reply lost, then Redis down) was dead-lettered, and its letter, replayed after the flush, counted its record
// twice (group g3, all time: n 3 where the oracle says 2). REDIS_UNAVAILABLE says nothing of the records, and a batch
// in doubt may be in Redis already: the same reasoning as for REDIS_NOT_REPLICATED.
// Fixed: `worker/batch-processor.ts` waits REDIS_UNAVAILABLE out (retried with backoff for as long as Redis is down,
// never split or dead-lettered: `WAITED_OUT`), the shard's `failing.waiting` says `'redis'` (and `dynotally worker`'s
// progress line "waiting for Redis"), and the worker logs the wait once (`stream-worker.ts`). The third test guards
// that `stop()` still ends the wait at once (it passed on main; it fails when the retry sleep ignores the abort).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import type { Logger } from '../../packages/dynotally/src/logging/index.ts';
import { createBufferedApplier, runFlushOnce } from '../../packages/dynotally/src/redis/index.ts';
import { WRITE_SCRIPT } from '../../packages/dynotally/src/redis/scripts.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import {
  createStreamWorker,
  runWorkerUntilIdle,
  type StreamWorker,
} from '../../packages/dynotally/src/worker/index.ts';
import { flakyClient } from '../redis/fail-fast-redis.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';
import { actualCells, expectedCells, makeOps, tallies, writeOps } from '../worker/support.ts';

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

/** Polls until `done` holds, or fails after `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await pause(50);
  }
}

/** The worker logged that it sent records to the dead-letter sink (its stats count them only once a batch ends). */
const skipped = (logger: { lines: Line[] }): boolean =>
  logger.lines.some((l) => l.message.startsWith('records skipped to the dead-letter sink'));

interface Line {
  level: string;
  message: string;
  fields: Record<string, unknown> | undefined;
}

function recordingLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * `client`, whose next batch write script is run by Redis and then "loses" its reply as the connection drops
 * (`down`): the batch is in Redis, and the caller sees REDIS_UNAVAILABLE until Redis is reachable again.
 */
function loseReplyThenDown(client: Redis, down: () => void): { client: Redis; arm(): void } {
  let armed = false;
  const proxy = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'evalsha' || prop === 'eval') {
        const run = Reflect.get(target, prop, receiver) as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          const out = await run.apply(target, args);
          const write = args[0] === WRITE_SCRIPT.sha || args[0] === WRITE_SCRIPT.source;
          if (armed && write && !(Array.isArray(out) && (out[0] === 'stored' || out[0] === 'unknown'))) {
            armed = false;
            down();
            throw new Error('Connection is closed.');
          }
          return out;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    client: proxy,
    arm: () => {
      armed = true;
    },
  };
}

describe('stream worker with the Redis buffer while Redis is down (review s40u)', {
  timeout: 240_000,
}, () => {
  async function setup(prefix: string, seed: number) {
    const source = uniqueTableName(`${prefix}-src`);
    const table = uniqueTableName(`${prefix}-agg`);
    const leases = uniqueTableName(`${prefix}-lease`);
    const deadLetters = uniqueTableName(`${prefix}-dlq`);
    await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, table),
      createLeaseTable(clients.ddb, leases),
      createDeadLetterTable(clients.ddb, deadLetters),
    ]);
    const ops = makeOps(seed, 57, 20);
    await writeOps(clients.ddb, source, ops);
    const keyPrefix = `${prefix}${process.pid}:{b}:`;
    const common = { client: clients.ddb, table, rollups: [tallies], keyPrefix };
    const logger = recordingLogger();
    const worker = (applierRedis: Redis, policy: { retryBaseMs: number; retryMaxMs: number }): StreamWorker =>
      createStreamWorker({
        client: clients.ddb,
        streamsClient: clients.streams,
        sourceTable: source,
        leaseTable: leases,
        table,
        rollups: [tallies],
        applier: createBufferedApplier({ ...common, redis: applierRedis }),
        deadLetter: { table: deadLetters },
        logger,
        leaseDurationMs: 3_000,
        heartbeatMs: 300,
        pollIntervalMs: 100,
        batchSize: 25,
        maxRetries: 3,
        ...policy,
      });
    // once Redis is back and the worker idle: flush everything, replay every letter, compare with the oracle
    const settle = async () => {
      await runFlushOnce({ ...common, redis, all: true });
      await replayDeadLetters({
        client: clients.ddb,
        deadLetterTable: deadLetters,
        table,
        rollups: [tallies],
        all: true,
      });
      expect(await actualCells(clients.ddb, table)).toEqual(expectedCells(ops));
    };
    return { ops, logger, worker, settle };
  }

  it('the shard waits while Redis is down (no dead letters, the wait shown and logged), then counts every record once', async () => {
    const { ops, logger, worker: make, settle } = await setup('s40u-down', 40);
    const flaky = await flakyClient(server.url);
    try {
      flaky.down();
      const worker = make(flaky.client, { retryBaseMs: 20, retryMaxMs: 100 });
      await worker.start();
      // well past what 3 retries and bisection down to single records take
      await until(() => worker.stats().failedAttempts >= 40 || skipped(logger), 60_000, 'failed attempts');
      expect(skipped(logger)).toBe(false);
      const waiting = worker.stats();
      expect(waiting.failingShards).toBe(1);
      const failing = waiting.shards.find((s) => s.failing !== undefined)?.failing;
      expect(failing).toMatchObject({ stage: 'handler', waiting: 'redis' });
      expect(failing?.records).toBeGreaterThan(1); // the whole batch: never split
      expect(waiting.lastError).toContain('REDIS_UNAVAILABLE');
      const told = logger.lines.filter((l) => l.level === 'warn' && /waiting for Redis/.test(l.message));
      expect(told).toHaveLength(1);
      await flaky.up();
      const stats = await runWorkerUntilIdle(worker, { quietMs: 600 });
      expect(stats.records).toBe(ops.length);
      expect(stats.deadLettered).toBe(0);
      expect(stats.failingShards).toBe(0);
      await settle();
    } finally {
      flaky.client.disconnect();
    }
  });

  it('a batch Redis took although its reply was lost (then Redis down) is neither dead-lettered nor counted twice', async () => {
    const { ops, logger, worker: make, settle } = await setup('s40u-lost', 41);
    const flaky = await flakyClient(server.url);
    try {
      const lossy = loseReplyThenDown(flaky.client, () => flaky.down());
      lossy.arm();
      const worker = make(lossy.client, { retryBaseMs: 20, retryMaxMs: 100 });
      await worker.start();
      await until(() => worker.stats().failedAttempts >= 40 || skipped(logger), 60_000, 'failed attempts');
      expect(skipped(logger)).toBe(false);
      await flaky.up();
      const stats = await runWorkerUntilIdle(worker, { quietMs: 600 });
      expect(stats.records).toBe(ops.length);
      expect(stats.deadLettered).toBe(0);
      await settle(); // the retry found the batch buffered already (its watermark moved) and added nothing
    } finally {
      flaky.client.disconnect();
    }
  });

  it('stop() returns promptly while the shard waits for Redis (the backoff sleep honours the abort)', async () => {
    const { logger, worker: make } = await setup('s40u-stop', 42);
    const flaky = await flakyClient(server.url);
    try {
      flaky.down();
      // every wait between attempts is 30 to 60 s: stop() must not sit it out
      const worker = make(flaky.client, { retryBaseMs: 60_000, retryMaxMs: 60_000 });
      await worker.start();
      await until(() => worker.stats().failedAttempts >= 1, 60_000, 'the first failed attempt');
      await pause(300);
      const t0 = Date.now();
      await worker.stop();
      // well under the 30 s left of the shortest wait, with room for a stop's own time at load 15
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(skipped(logger)).toBe(false);
    } finally {
      flaky.client.disconnect();
    }
  });
});
