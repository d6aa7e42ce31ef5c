// `dynotally worker --redis` as a user runs it, against DynamoDB Local's stream and a real redis-server: the
// worker counts into the Redis buffer (DynamoDB untouched), `dynotally flush --all` moves the counts, and the
// totals equal the source's live items.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTables, liveCountsBy, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../../../../test/support/redis-server.ts';
import { createQueryClient } from '../../../dynotally/src/query/index.ts';
import { scenario, writeChanges } from '../scenarios/generators/index.ts';
import { storeMetrics } from '../scenarios/index.ts';

describe('dynotally worker --redis (buffered mode)', () => {
  const clients = testClients();
  const { tables, flags: flagsFor } = cliTables('wb');
  const keyPrefix = `wb${process.pid}:{b}:`;
  let endpoint = '';
  let server: LocalRedisServer;
  let redis: Redis;
  const tableFlags = () => flagsFor(endpoint);
  beforeAll(async () => {
    endpoint = await ddbReady();
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    clients.destroy();
    await server?.stop();
  });

  it('counts the stream into Redis exactly once; a flush moves the totals to DynamoDB', {
    timeout: 480_000,
  }, async () => {
    expect((await runDynotally(['tables', 'create', ...tableFlags()])).code).toBe(0);
    const now = Date.now();
    const gen = scenario('s4').create({ seed: 5 });
    const changes = [...gen.history(now, 150), ...Array.from({ length: 100 }, (_, i) => gen.next(now + i))];
    await writeChanges(clients.ddb, tables.source, changes);
    const redisFlags = ['--redis', server.url, '--key-prefix', keyPrefix];

    const run = await runDynotally(['worker', '--until-idle', ...redisFlags, ...tableFlags(), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ deadLettered: 0, errors: 0 });
    expect(await redis.zcard(`${keyPrefix}open`)).toBeGreaterThan(0);

    const expected = liveCountsBy(changes, 'storeId', (item) => item.type === 'order');
    const stores = [...expected.keys()].slice(0, 6).map((storeId) => ({ storeId }));
    const query = createQueryClient({
      client: clients.ddb,
      table: tables.aggregate,
      rollups: [storeMetrics],
    });
    try {
      const before = await query.totalMany(storeMetrics, stores, 'all');
      expect(before.results.map((r) => Number(r.values.orders))).toEqual(stores.map(() => 0));

      // a second run finds every record checkpointed: the buffer does not move
      const again = await runDynotally(['worker', '--until-idle', ...redisFlags, ...tableFlags(), '--json']);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ records: 0 });

      const flush = await runDynotally(['flush', '--all', ...redisFlags, ...tableFlags().slice(0, 4)]);
      expect(flush.code, flush.stderr).toBe(0);
      const after = await query.totalMany(storeMetrics, stores, 'all');
      expect(after.results.map((r) => Number(r.values.orders))).toEqual(
        stores.map((s) => expected.get(s.storeId)),
      );
      expect(await redis.zcard(`${keyPrefix}open`)).toBe(0);
    } finally {
      await query.close();
    }
  });

  it('buffered-only flags without --redis, and an unreachable Redis, fail in one line', {
    timeout: 120_000,
  }, async () => {
    const stray = await runDynotally(['worker', '--until-idle', '--flush-every', '1m', ...tableFlags()]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/CONFIG_INVALID.*--flush-every only applies to buffered mode: add --redis/);

    const policy = await runDynotally(['worker', '--on-redis-down', 'later', ...tableFlags()]);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/--on-redis-down.*expected 'fail' or 'direct'/);

    const down = await runDynotally([
      'worker',
      '--until-idle',
      '--redis',
      'redis://127.0.0.1:1',
      ...tableFlags(),
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /^dynotally: \[REDIS_UNAVAILABLE\] cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
    );
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
  });
});
