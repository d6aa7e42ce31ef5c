// Review s40v (of s40u): the stream worker now waits REDIS_UNAVAILABLE out, because "a batch in doubt may be in Redis
// already (a script Redis ran although its reply was lost), so a letter of it would count its records twice when
// replayed". But worker.md and redis-buffer.md keep `maxRecordAgeMs` applying during that wait, and the worker's
// letters of a buffered batch list every row as pending (`all-or-nothing`: the BufferedApplier has no probe of what
// Redis holds). So a Redis outage longer than `maxRecordAgeMs` dead-letters the batch in doubt as RECORD_TOO_OLD,
// and its replay counts it twice: the very harm s40u removed for RETRIES_EXHAUSTED.
// Observed (main 67e39939): the first batch's write script ran, its reply was lost, Redis went down for longer than
// maxRecordAgeMs (20 s); the worker dead-lettered the batch as RECORD_TOO_OLD; after Redis came back, a flush and a
// replay of the letters, the aggregates held the batch's records twice (cells over the oracle).
// Expected: a batch the write side failed for Redis (REDIS_UNAVAILABLE, REDIS_NOT_REPLICATED) is never
// dead-lettered, not even past maxRecordAgeMs; it waits until Redis answers (the buffered applier's own late-record
// check, which asks Redis, still dead-letters records past 24 h 30 min safely).
// Fixed: `worker/batch-processor.ts` stops dropping a segment's records for maxRecordAgeMs once an attempt of it failed
// for Redis (`inDoubt`); a deployment refusal (nothing written) is still bounded by it. Break-check: with that check
// removed the test fails as observed (cells over the oracle, e.g. g0 all-time n 9 where the oracle says 6).
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
import { createStreamWorker, runWorkerUntilIdle } from '../../packages/dynotally/src/worker/index.ts';
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

interface Line {
  level: string;
  message: string;
}

function recordingLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** `client`, whose first batch write script Redis runs and whose reply is then lost as the connection drops. */
function loseReplyThenDown(client: Redis, down: () => void): Redis {
  let armed = true;
  return new Proxy(client, {
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
}

describe('stream worker, Redis buffer down past maxRecordAgeMs (review s40v)', { timeout: 240_000 }, () => {
  it('a batch in doubt in Redis is not dead-lettered as RECORD_TOO_OLD (its replay would count it twice)', async () => {
    const source = uniqueTableName('s40v-age-src');
    const table = uniqueTableName('s40v-age-agg');
    const leases = uniqueTableName('s40v-age-lease');
    const deadLetters = uniqueTableName('s40v-age-dlq');
    await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, table),
      createLeaseTable(clients.ddb, leases),
      createDeadLetterTable(clients.ddb, deadLetters),
    ]);
    const ops = makeOps(43, 57, 20);
    const keyPrefix = `s40v-age${process.pid}:{b}:`;
    const common = { client: clients.ddb, table, rollups: [tallies], keyPrefix };
    const logger = recordingLogger();
    const flaky = await flakyClient(server.url);
    try {
      const worker = createStreamWorker({
        client: clients.ddb,
        streamsClient: clients.streams,
        sourceTable: source,
        leaseTable: leases,
        table,
        rollups: [tallies],
        applier: createBufferedApplier({
          ...common,
          redis: loseReplyThenDown(flaky.client, () => flaky.down()),
        }),
        deadLetter: { table: deadLetters },
        logger,
        leaseDurationMs: 3_000,
        heartbeatMs: 300,
        pollIntervalMs: 100,
        batchSize: 25,
        maxRetries: 3,
        retryBaseMs: 20,
        retryMaxMs: 200,
        maxRecordAgeMs: 20_000,
      });
      await worker.start();
      // DynamoDB Local stamps ApproximateCreationDateTime to the minute: write just after a minute starts, so the
      // records are young (a few seconds) when the worker first reads them
      await pause(60_500 - (Date.now() % 60_000));
      await writeOps(clients.ddb, source, ops);
      const end = Date.now() + 60_000;
      while (worker.stats().failedAttempts < 1 && Date.now() < end) await pause(50);
      expect(worker.stats().failingShards).toBe(1);
      // Redis stays down well past maxRecordAgeMs
      await pause(25_000);
      await flaky.up();
      await runWorkerUntilIdle(worker, { quietMs: 600 });
      await runFlushOnce({ ...common, redis, all: true });
      await replayDeadLetters({
        client: clients.ddb,
        deadLetterTable: deadLetters,
        table,
        rollups: [tallies],
        all: true,
      });
      expect(await actualCells(clients.ddb, table)).toEqual(expectedCells(ops));
    } finally {
      flaky.client.disconnect();
    }
  });
});
