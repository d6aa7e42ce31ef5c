// Review s40y (`dynotally flush --watch --all`, review s40r's change to it): `--all` now flushes the open buckets on
// the first run that gets the lock, not only on the first run. But a `--watch --all` that never got the lock —
// another flusher's lease held until `--duration` or Ctrl-C (a dead flusher's, or one busy on a long bucket) —
// stopped as any watch does: "duration reached: stopped", exit 0, the open buckets still in Redis. The one-shot
// `flush --all` fails with FLUSH_LOCKED in that case since review s40r, for the same reason: a flush of
// everything must never succeed with the open buckets left behind (`flush --all … && buffer forget`).
// Observed (before the fix): exit 0, stderr "duration reached: stopped", the open bucket still in Redis.
// Expected: exit 1 with FLUSH_LOCKED when the watch ends before any run flushed the open buckets.
// Fixed (session 40, packages/dynotally-cli/src/cli/commands/flush.ts): the watch, once stopped, fails with
// FLUSH_LOCKED if `--all` was given and no run got the lock (the totals are still printed first).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { sampleRecords, scenario } from '../../packages/dynotally-cli/src/scenarios/generators/index.ts';
import { storeMetrics } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { runDynotally } from '../support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';

describe('review s40y: flush --watch --all that never gets the lock', () => {
  const clients = testClients();
  const table = uniqueTableName('s40y-wal');
  const keyPrefix = `s40ywal${process.pid}:{b}:`;
  let endpoint = '';
  let server: LocalRedisServer;
  let redis: Redis;
  beforeAll(async () => {
    endpoint = await ddbReady();
    server = await startRedisServer();
    redis = new Redis(server.url);
    await createAggregateTable(clients.ddb, table);
  });
  afterAll(async () => {
    redis?.disconnect();
    clients.destroy();
    await server?.stop();
  });

  it('fails with FLUSH_LOCKED, never "stopped" with the open buckets left in Redis', {
    timeout: 120_000,
  }, async () => {
    const now = Date.now();
    const gen = scenario('s4').create({ seed: 7 });
    const changes = Array.from({ length: 20 }, (_, i) => gen.next(now + i));
    const applier = createBufferedApplier({
      redis,
      client: clients.ddb,
      table,
      rollups: [storeMetrics],
      keyPrefix,
    });
    await applier.apply({ records: sampleRecords(changes), shardId: 'shardId-s40y' });
    const open = await redis.zcard(`${keyPrefix}open`);
    // another flusher's lease, held past the watch
    await redis.set(`${keyPrefix}lock`, 'other-flusher', 'PX', 60_000);
    const run = await runDynotally([
      'flush',
      '--redis',
      server.url,
      '--endpoint',
      endpoint,
      '--table',
      table,
      '--key-prefix',
      keyPrefix,
      '--watch',
      '--all',
      '--every',
      '1s',
      '--duration',
      '3s',
    ]);
    await redis.del(`${keyPrefix}lock`);
    // observed: { code: 0, locked: false, open: 1 } with "duration reached: stopped"
    expect({ code: run.code, locked: /\[FLUSH_LOCKED\]/.test(run.stderr), open }).toEqual({
      code: 1,
      locked: true,
      open: 1,
    });
  });
});
