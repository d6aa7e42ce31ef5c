// `dynotally worker --redis` as a user runs it, against DynamoDB Local's stream and a real redis-server: the
// worker counts into the Redis buffer (DynamoDB untouched), `dynotally flush --all` moves the counts, and the
// totals equal the source's live items.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkedReplica } from '../../../../test/redis/linked-replica.ts';
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
    // --key-ttl 8d: the buffer's keys expire 8 days after their last write instead of the default 7
    const redisFlags = ['--redis', server.url, '--key-prefix', keyPrefix, '--key-ttl', '8d'];

    // --wait-replicas 1, with a replica: a batch is done once the replica holds it (`rw`, the small write before each
    // WAIT, shows it ran)
    const replica = await linkedReplica(server.port);
    try {
      const waiting = ['--wait-replicas', '1'];
      const run = await runDynotally([
        'worker',
        '--until-idle',
        ...redisFlags,
        ...waiting,
        ...tableFlags(),
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ deadLettered: 0, errors: 0 });
      expect(await redis.exists(`${keyPrefix}rw`)).toBe(1);
    } finally {
      await replica.stop();
    }
    expect(await redis.zcard(`${keyPrefix}open`)).toBeGreaterThan(0);
    expect(await redis.pttl(`${keyPrefix}open`)).toBeGreaterThan(7 * 86_400_000);

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

      // a second buffer (another --key-prefix) on the same table is refused at start, naming both, before it reads
      // the stream or writes anything: its flushes and this buffer's would drop each other's counts
      const other = `wb2${process.pid}:{b}:`;
      const second = await runDynotally([
        'worker',
        '--until-idle',
        '--redis',
        server.url,
        '--key-prefix',
        other,
        ...tableFlags(),
      ]);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(
        `dynotally: [CONFIG_INVALID] the aggregate table '${tables.aggregate}' is written by the Redis buffer with key prefix '${keyPrefix}', and this part uses key prefix '${other}'`,
      );
      expect(await redis.keys(`${other}*`)).toEqual([]);
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

    const ttlAlone = await runDynotally(['worker', '--until-idle', '--key-ttl', '9d', ...tableFlags()]);
    expect(ttlAlone.code).toBe(2);
    expect(ttlAlone.stderr).toMatch(
      /CONFIG_INVALID.*--key-ttl only applies to buffered mode: .*or drop it$/m,
    );

    // a bucket of a week needs keys kept longer than the default 7 days: said before connecting (no Redis there)
    const week = [
      'worker',
      '--until-idle',
      '--redis',
      'redis://127.0.0.1:1',
      '--bucket',
      '7d',
      ...tableFlags(),
    ];
    const longBucket = await runDynotally(week);
    expect(longBucket.code).toBe(2);
    expect(longBucket.stderr).toMatch(
      /^dynotally: \[CONFIG_INVALID\] worker: --bucket 7d needs a longer key expiry than the default --key-ttl 7d: .* at least --bucket 7d \+ 24h = 691200000 ms: give --key-ttl 8d or more$/m,
    );
    expect(longBucket.stderr.trim().split('\n')).toHaveLength(1);
    const short = await runDynotally([...week, '--key-ttl', '7d', '--flush-every', '1m']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(
      /worker: --key-ttl 7d is too short for --bucket 7d \+ the flusher's grace 10s \+ --flush-every 1m: .*give --key-ttl 9d or more$/m,
    );
    const badTtl = await runDynotally([...week, '--key-ttl', 'a week']);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toMatch(/--key-ttl.*'a week' is not a duration: write e\.g\. 90s, 15m, 2h/);
    // long enough: past the check, to the connection
    const enough = await runDynotally([...week, '--key-ttl', '8d']);
    expect(enough.code).toBe(1);
    expect(enough.stderr).toMatch(/REDIS_UNAVAILABLE/);

    // --wait-replicas: buffered only; --wait-timeout needs it; both whole numbers of at least 1
    const waitAlone = await runDynotally(['worker', '--until-idle', '--wait-replicas', '1', ...tableFlags()]);
    expect(waitAlone.code).toBe(2);
    expect(waitAlone.stderr).toMatch(/CONFIG_INVALID.*--wait-replicas only applies to buffered mode/);
    const nowhere = ['worker', '--until-idle', '--redis', 'redis://127.0.0.1:1', ...tableFlags()];
    const timeoutAlone = await runDynotally([...nowhere, '--wait-timeout', '500']);
    expect(timeoutAlone.code).toBe(2);
    expect(timeoutAlone.stderr).toMatch(
      /^dynotally: \[CONFIG_INVALID\] worker: --wait-timeout only applies with --wait-replicas <n> .*add --wait-replicas, or drop --wait-timeout$/m,
    );
    const noReplicas = await runDynotally([...nowhere, '--wait-replicas', '0']);
    expect(noReplicas.code).toBe(2);
    expect(noReplicas.stderr).toMatch(/--wait-replicas.*expected 1 or more/);
    const waiting = await runDynotally([...nowhere, '--wait-replicas', '1', '--wait-timeout', '500']);
    expect(waiting.code).toBe(1); // past the checks, to the connection
    expect(waiting.stderr).toMatch(/REDIS_UNAVAILABLE/);

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

  it('a Redis whose maxmemory-policy may evict buffer keys is refused at start, run with --accept-eviction (review s40r)', {
    timeout: 240_000,
  }, async () => {
    // its own Redis (the policy is the server's) and its own tables (the first test's belong to its buffer)
    const own = cliTables('wbev');
    const evicting = await startRedisServer();
    const admin = new Redis(evicting.url);
    try {
      await admin.config('SET', 'maxmemory', '100mb');
      await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
      expect((await runDynotally(['tables', 'create', ...own.flags(endpoint)])).code).toBe(0);
      const run = await runDynotally([
        'worker',
        '--until-idle',
        '--redis',
        evicting.url,
        ...own.flags(endpoint),
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^dynotally: \[CONFIG_INVALID\] Redis has maxmemory 104857600 with maxmemory-policy volatile-lru: .*Set maxmemory-policy noeviction.*--accept-eviction/m,
      );
      expect(await admin.exists('dynotally:{buffer}:open')).toBe(0); // refused before anything was buffered

      // --accept-eviction (a policy the user cannot change): the worker starts, buffers the stream and says the
      // risk once, as a warning line naming the policy and maxmemory
      const now = Date.now();
      const gen = scenario('s4').create({ seed: 7 });
      await writeChanges(clients.ddb, own.tables.source, gen.history(now, 20));
      const accepted = await runDynotally([
        'worker',
        '--until-idle',
        '--redis',
        evicting.url,
        '--accept-eviction',
        ...own.flags(endpoint),
        '--json',
      ]);
      expect(accepted.code, accepted.stderr).toBe(0);
      expect(JSON.parse(accepted.stdout)).toMatchObject({ deadLettered: 0, errors: 0 });
      expect((JSON.parse(accepted.stdout) as { records: number }).records).toBeGreaterThan(0);
      const warned = accepted.stderr
        .split('\n')
        .filter((l) => l.includes('acceptEviction'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(warned).toEqual([
        expect.objectContaining({
          level: 'warn',
          message: expect.stringMatching(
            /^Redis has maxmemory 104857600 with maxmemory-policy volatile-lru, accepted \(acceptEviction: true\): /,
          ),
          policy: 'volatile-lru',
          maxmemory: 104857600,
        }),
      ]);
      expect(await admin.zcard('dynotally:{buffer}:open')).toBeGreaterThan(0);

      // the flag is buffered mode's only
      const stray = await runDynotally([
        'worker',
        '--until-idle',
        '--accept-eviction',
        ...own.flags(endpoint),
      ]);
      expect(stray.code).toBe(2);
      expect(stray.stderr).toMatch(
        /CONFIG_INVALID.*--accept-eviction only applies to buffered mode: add --redis/,
      );
    } finally {
      admin.disconnect();
      await evicting.stop();
    }
  });
});
