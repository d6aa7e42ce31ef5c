import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkedReplica } from '../../../../test/redis/linked-replica.ts';
import { liveCountsBy, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { type LocalRedisServer, startRedisServer } from '../../../../test/support/redis-server.ts';
import { createQueryClient } from '../../../dynotally/src/query/index.ts';
import { claimTableBuffer, createBufferedApplier } from '../../../dynotally/src/redis/index.ts';
import { createAggregateTable } from '../../../dynotally/src/tables/index.ts';
import { sampleRecords, scenario } from '../scenarios/generators/index.ts';
import { storeMetrics } from '../scenarios/index.ts';

describe('dynotally flush', () => {
  const clients = testClients();
  const table = uniqueTableName('flush-agg');
  const keyPrefix = `flush${process.pid}:{b}:`;
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
  const flags = () => [
    '--redis',
    server.url,
    '--endpoint',
    endpoint,
    '--table',
    table,
    '--key-prefix',
    keyPrefix,
  ];

  it('moves a buffered batch to the aggregate table, prints what it flushed, and removes the bucket', {
    timeout: 240_000,
  }, async () => {
    // A batch buffered an hour ago: its 15-minute bucket (and the hourly month / all rows') closed long since.
    const now = Date.now();
    const gen = scenario('s4').create({ seed: 11 });
    const changes = [...gen.history(now, 120), ...Array.from({ length: 80 }, (_, i) => gen.next(now + i))];
    const applier = createBufferedApplier({
      redis,
      client: clients.ddb,
      table,
      rollups: [storeMetrics],
      keyPrefix,
      rowBucketMs: { month: 3_600_000, all: 3_600_000 },
      now: () => now - 2 * 3_600_000,
    });
    const { buffer } = await applier.apply({ records: sampleRecords(changes), shardId: 'shardId-flush' });
    expect(buffer.mode).toBe('redis');
    expect(await redis.zcard(`${keyPrefix}open`)).toBeGreaterThan(0);
    const query = createQueryClient({ client: clients.ddb, table, rollups: [storeMetrics] });
    const expected = liveCountsBy(changes, 'storeId', (item) => item.type === 'order');
    const stores = [...expected.keys()].slice(0, 5).map((storeId) => ({ storeId }));
    try {
      const before = await query.totalMany(storeMetrics, stores, 'all');
      expect(before.results.map((r) => Number(r.values.orders))).toEqual(stores.map(() => 0));

      const run = await runDynotally(['flush', ...flags()]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^bucket \d{4}-\d\d-\d\dT[\d:.]+Z: \d+ rows of \d+ groups written/m);
      expect(run.stdout).toMatch(
        /flushed \d+ buckets?: [1-9]\d* rows? written, 0 already applied, 0 expired, [1-9]\d* write units?/,
      );

      const after = await query.totalMany(storeMetrics, stores, 'all');
      expect(after.results.map((r) => Number(r.values.orders))).toEqual(
        stores.map((s) => expected.get(s.storeId)),
      );
      // the bucket has left the open set; what is left of it only waits (≤ 5 min) for readers, then expires
      expect(await redis.zcard(`${keyPrefix}open`)).toBe(0);
      const data = await redis.keys(`${keyPrefix}[dgr]*:*`); // g:<bucket>, d:<bucket>:<pk>, r…: the buckets' data
      expect(data.length).toBeGreaterThan(0);
      for (const key of data) {
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(5 * 60_000);
      }

      // again, --json: nothing left to flush
      const again = await runDynotally(['flush', ...flags(), '--json']);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ buckets: 0, rowsWritten: 0, table, runs: 1 });
      const unchanged = await query.totalMany(storeMetrics, stores, 'all');
      expect(unchanged.results.map((r) => r.values)).toEqual(after.results.map((r) => r.values));
    } finally {
      await query.close();
    }
  });

  it('--watch flushes on a timer until --duration', { timeout: 120_000 }, async () => {
    const run = await runDynotally([
      'flush',
      ...flags(),
      '--watch',
      '--every',
      '1s',
      '--duration',
      '10s', // at load 35 the first flush took most of 3 s: one run only
      '--json',
    ]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { runs: number; buckets: number };
    expect(out.runs).toBeGreaterThanOrEqual(2);
    expect(run.stderr).toContain('duration reached: stopped');
  });

  it('--key-ttl sets the expiry of the keys it writes; one too short for the buckets names the flag', {
    timeout: 120_000,
  }, async () => {
    const prefix = `flushttl${process.pid}:{b}:`;
    // the table of the tests above belongs to their buffer (`keyPrefix`): another prefix is refused, naming both,
    // before it writes anything (a second buffer would drop the first one's flushes, or they its)
    await claimTableBuffer({ client: clients.ddb, table, redis, prefix: keyPrefix }); // as their applier did
    const other = ['flush', '--redis', server.url, '--endpoint', endpoint, '--table', table];
    const refused = await runDynotally([...other, '--key-prefix', prefix]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `dynotally: [CONFIG_INVALID] the aggregate table '${table}' is written by the Redis buffer with key prefix '${keyPrefix}', and this part uses key prefix '${prefix}'`,
    );
    expect(await redis.exists(`${prefix}seal`)).toBe(0);
    // the same prefix on another Redis (database 1 here: another server to the table) is refused too, naming both
    const elsewhere = await runDynotally([
      ...[
        'flush',
        '--redis',
        `${server.url}/1`,
        '--endpoint',
        endpoint,
        '--table',
        table,
        '--key-prefix',
        keyPrefix,
      ],
    ]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(
      `this Redis holds no buffer id under that prefix (key '${keyPrefix}id')`,
    );
    const own = uniqueTableName('flush-ttl');
    await createAggregateTable(clients.ddb, own);
    const base = ['flush', '--redis', server.url, '--endpoint', endpoint, '--table', own];
    const ok = await runDynotally([...base, '--key-prefix', prefix, '--bucket', '7d', '--key-ttl', '9d']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(await redis.pttl(`${prefix}seal`)).toBeGreaterThan(8 * 86_400_000);

    // refused before connecting: the Redis URL points nowhere
    const nowhere = ['flush', '--redis', 'redis://127.0.0.1:1', '--endpoint', endpoint];
    const week = await runDynotally([...nowhere, '--bucket', '7d']);
    expect(week.code).toBe(2);
    expect(week.stderr).toMatch(
      /^dynotally: \[CONFIG_INVALID\] flush: --bucket 7d \+ --grace 10s need a longer key expiry than the default --key-ttl 7d: .* at least --bucket 7d \+ --grace 10s \+ 24h = 691210000 ms: give --key-ttl 9d or more$/m,
    );
    expect(week.stderr.trim().split('\n')).toHaveLength(1);
    const short = await runDynotally([...nowhere, '--bucket', '7d', '--key-ttl', '8d']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(
      /flush: --key-ttl 8d is too short for --bucket 7d \+ --grace 10s: .*--key-ttl 9d or more/,
    );
    // --watch: a bucket may also wait --every for its flush
    const slow = await runDynotally([...nowhere, '--watch', '--every', '20d']);
    expect(slow.code).toBe(2);
    expect(slow.stderr).toMatch(
      /--bucket 15m \+ --grace 10s \+ --every 20d need .*give --key-ttl 22d or more/,
    );
    const bad = await runDynotally([...nowhere, '--key-ttl', '7 days']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--key-ttl.*'7 days' is not a duration: write e\.g\. 90s, 15m, 2h/);
  });

  it('--wait-replicas: a flush waits for the replicas, and refuses (exit 1) when Redis has too few', {
    timeout: 120_000,
  }, async () => {
    const base = ['flush', ...flags()]; // the table's buffer (one buffer per table)
    const refused = await runDynotally([...base, '--wait-replicas', '1', '--wait-timeout', '100']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^dynotally: \[REDIS_NOT_REPLICATED\] only 0 Redis replicas acknowledged the buffer's writes within 100 ms, 1 needed/m,
    );
    const replica = await linkedReplica(server.port);
    try {
      const ok = await runDynotally([...base, '--wait-replicas', '1']);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(await redis.exists(`${keyPrefix}rw`)).toBe(1);
    } finally {
      await replica.stop();
    }
    // refused before connecting: the Redis URL points nowhere
    const nowhere = ['flush', '--redis', 'redis://127.0.0.1:1', '--endpoint', endpoint];
    const alone = await runDynotally([...nowhere, '--wait-timeout', '500']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(
      /^dynotally: \[CONFIG_INVALID\] flush: --wait-timeout only applies with --wait-replicas <n> /m,
    );
    const zero = await runDynotally([...nowhere, '--wait-replicas', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--wait-replicas.*expected 1 or more/);
    const slow = await runDynotally([...nowhere, '--wait-replicas', '1', '--wait-timeout', '0']);
    expect(slow.code).toBe(2);
    expect(slow.stderr).toMatch(/--wait-timeout.*expected 1 or more/);
  });

  it('an unreachable Redis and bad flags fail in one line that says what to do', {
    timeout: 120_000,
  }, async () => {
    const down = await runDynotally(['flush', ...flags().slice(2), '--redis', 'redis://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /^dynotally: \[REDIS_UNAVAILABLE\] cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*fix --redis/,
    );
    expect(down.stderr.trim().split('\n')).toHaveLength(1);

    const noUrl = await runDynotally(['flush', '--endpoint', endpoint]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/--redis.*expected a Redis URL such as redis:\/\/127\.0\.0\.1:6379/);

    const badUrl = await runDynotally(['flush', ...flags(), '--redis', 'localhost:6379']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--redis.*expected a Redis URL/);

    const badGrace = await runDynotally(['flush', ...flags(), '--grace', 'soon']);
    expect(badGrace.code).toBe(2);
    expect(badGrace.stderr).toMatch(/--grace.*'soon' is not a duration: write e\.g\. 90s, 15m, 2h/);

    const everyAlone = await runDynotally(['flush', ...flags(), '--every', '5s']);
    expect(everyAlone.code).toBe(2);
    expect(everyAlone.stderr).toMatch(/CONFIG_INVALID.*--every and --duration only apply with --watch/);
  });
});
