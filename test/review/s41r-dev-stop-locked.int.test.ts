// Review s41r (dev stack, buffered S4, Ctrl-C with a DynamoDB that outlives the stack): the stop flushes every bucket
// (`flushClosed({ all: true })`) and then stops its own redis-server (persistence off). A flush that found another
// flusher holding the lock (`dynotally flush --watch` run beside the stack on its Redis, or one the stack's own
// timer left mid-flush) returned `skipped: 'locked'`, which the stop ignored: the open buckets died with the
// redis-server, without a word.
// Observed (before the fix): after stop, no bucket flushed, the store's count missing from DynamoDB, nothing said.
// Expected: the stop waits for the lock as `flush --all` does (`runFlushOnce({ all: true })`), flushes everything,
// and says what it waits for; if it never gets the lock it says what is lost.
// Fixed (session 41, dynotally-cli dev/buffered-s4.ts `stop`).
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { FlushLock } from '../../packages/dynotally/src/redis/flush-lock.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { bufferedS4 } from '../../packages/dynotally-cli/src/dev/buffered-s4.ts';
import { storeMetrics } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { quietLogger } from '../redis/harness.ts';
import { ddbReady, stackTables, testClients } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const PREFIX = 'dynotally-dev:{s4}:';

describe('dev stack: the stop flush of a buffered S4 while another flusher holds the lock (review s41r)', () => {
  it('waits for the lock and flushes every bucket', async () => {
    const endpoint = await ddbReady();
    const clients = testClients();
    const tables = stackTables('s41rdev');
    await createAggregateTable(clients.ddb, tables.aggregate);
    const wiring = bufferedS4({ flushEveryMs: 600_000 });
    const log: string[] = [];
    const { start, stop } = wiring;
    if (start === undefined || stop === undefined) throw new Error('bufferedS4 starts and stops');
    await start({
      client: clients.ddb,
      endpoint,
      tables,
      log: (l) => log.push(l),
      dynamoDbOutlivesStack: true,
    });
    const redis = new Redis(wiring.stats().redisUrl as string);
    redis.on('error', () => {}); // its server stops with the wiring
    try {
      const now = Date.now();
      const record: DynamoDBRecord = {
        eventID: 'e1',
        eventName: 'INSERT',
        eventSourceARN: 'arn:test:stream',
        dynamodb: {
          Keys: { id: { S: 'o1' } },
          NewImage: { id: { S: 'o1' }, storeId: { S: 'st-1' }, type: { S: 'order' }, ts: { N: String(now) } },
          SequenceNumber: '1001',
          ApproximateCreationDateTime: Math.floor(now / 1000),
        },
      };
      await createBufferedApplier({
        redis,
        client: clients.ddb,
        table: tables.aggregate,
        rollups: [storeMetrics],
        keyPrefix: PREFIX,
        rowBucketMs: { month: 3_600_000, all: 3_600_000 },
        logger: quietLogger(),
      }).apply({ records: [record], shardId: 'shard-1' });
      // another flusher holds the lock for a few seconds
      const lock = await FlushLock.take({ redis, prefix: PREFIX, lockMs: 60_000, timeoutMs: 2_000 });
      expect(lock).toBeDefined();
      const released = new Promise((r) => setTimeout(r, 3_000)).then(() => lock?.release(quietLogger()));
      await stop();
      await released;
      const row = await clients.ddb.send(
        new GetItemCommand({
          TableName: tables.aggregate,
          Key: { pk: { S: 'store#sst-1' }, sk: { S: 'ALL' } },
          ConsistentRead: true,
        }),
      );
      // observed: bucketsFlushed 0, orders undefined, nothing logged about it
      expect({ flushed: wiring.stats().bucketsFlushed > 0, orders: row.Item?.orders?.N }).toEqual({
        flushed: true,
        orders: '1',
      });
      expect(log.join('\n')).toMatch(/another flusher holds the lock: waiting/);
    } finally {
      redis.disconnect();
      clients.destroy();
    }
  });
});
