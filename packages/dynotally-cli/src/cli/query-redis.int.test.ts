// `dynotally query … --redis <url>` against a dev stack whose S4 counts sit in its redis-server, unflushed (month
// and all-time rows flush hourly): the CLI answers what the dashboard shows, because it merges the buffer through
// the same live source. And the dashboard's header counts what the first screen counts: stream records read
// (not summed over the two workers that read the same stream) and the shards of the source table's stream.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, stackTables, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { createAggregateTable } from '../../../dynotally/src/tables/index.ts';
import type { DashboardState } from '../dashboard/index.ts';
import {
  type BufferedS4Wiring,
  bufferedS4,
  type DevStack,
  firstScreen,
  startDevStack,
} from '../dev/index.ts';

describe('query --redis and the dev stack counters', { timeout: 600_000 }, () => {
  let stack: DevStack | undefined;
  let wiring: BufferedS4Wiring;
  let endpoint = '';
  beforeAll(async () => {
    endpoint = await ddbReady();
    wiring = bufferedS4({ flushEveryMs: 600_000 }); // no flush during the test: S4's counts stay in Redis
    stack = await startDevStack({
      endpoint,
      tables: stackTables('qr'),
      scenarios: ['s0', 's4'],
      s4: wiring,
      history: 80,
      rate: 5,
      seed: 12,
      port: 0,
      freshnessTickMs: 1_000,
    });
    await new Promise((r) => setTimeout(r, 2_000)); // some live events too
    await stack.quiesce();
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const state = async (): Promise<DashboardState> =>
    (await (await fetch(`${stack?.url}/api/state`)).json()) as DashboardState;
  const cli = (args: string[]) =>
    runDynotally([
      ...args,
      ...['--endpoint', endpoint, '--table', (stack as DevStack).tables.aggregate, '--json'],
    ]);

  it('the CLI with --redis returns the totals and series the dashboard shows; without it, only what was flushed', async () => {
    const s = await state();
    const panel = s.panels.s4;
    expect(s.errors).toEqual({});
    const busiest = panel?.stores.filter((x) => x.orders > 0).slice(0, 2) ?? [];
    expect(busiest.length).toBe(2);
    expect(wiring.stats().bucketsFlushed).toBe(0);
    const redis = ['--redis', wiring.stats().redisUrl as string, '--key-prefix', 'dynotally-dev:{s4}:'];
    const window = ['--last-days', '30', '--at', String(s.at)];
    for (const store of busiest) {
      const group = ['--group', `storeId=${store.storeId}`];
      const merged = await cli(['query', 'total', 'store', ...group, ...window, ...redis]);
      expect(merged.code, merged.stderr).toBe(0);
      expect(JSON.parse(merged.stdout).values).toEqual({ orders: store.orders, views: store.views });
    }
    const first = busiest[0]?.storeId as string;
    const flushedOnly = await cli(['query', 'total', 'store', '--group', `storeId=${first}`, ...window]);
    expect(flushedOnly.code, flushedOnly.stderr).toBe(0);
    expect(JSON.parse(flushedOnly.stdout).values).toEqual({ orders: 0, views: 0 });

    const chosen = panel?.store as string;
    const series = await cli([
      ...['query', 'series', 'store', '--group', `storeId=${chosen}`, '--granularity', 'day'],
      ...window,
      ...redis,
    ]);
    expect(series.code, series.stderr).toBe(0);
    const points = JSON.parse(series.stdout).points as { values: { orders: number; views: number } }[];
    expect(points.map((p) => p.values.orders)).toEqual(panel?.days.map((d) => d.orders));
    expect(points.map((p) => p.values.views)).toEqual(panel?.days.map((d) => d.views));

    const stray = await cli([
      'query',
      'total',
      'store',
      '--group',
      `storeId=${first}`,
      '--all',
      '--key-prefix',
      'x:',
    ]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/CONFIG_INVALID.*--key-prefix only applies with --redis/);
    const down = await cli([
      'query',
      'total',
      'store',
      '--group',
      `storeId=${first}`,
      '--all',
      '--redis',
      'redis://127.0.0.1:1',
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/REDIS_UNAVAILABLE/);
  });

  it("query --key-ttl gives the epoch a read creates the buffer's expiry; without --redis it is a usage error", async () => {
    const redisUrl = wiring.stats().redisUrl as string;
    const prefix = 'dynotally-q:{kt}:'; // a buffer with no keys yet: the read creates its epoch
    const total = ['query', 'total', 'store', '--group', 'storeId=s-1', '--all'];
    // on the dev stack's table, another buffer is refused (its buckets are not the table's), reading nothing
    const refused = await cli([...total, '--redis', redisUrl, '--key-prefix', prefix]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is written by the Redis buffer with key prefix 'dynotally-dev:{s4}:'");
    // a table that names no buffer yet: a reader claims nothing
    const clients = testClients();
    const own = uniqueTableName('qr-kt');
    await createAggregateTable(clients.ddb, own);
    clients.destroy();
    const read = await runDynotally([
      ...total,
      ...['--redis', redisUrl, '--key-prefix', prefix, '--key-ttl', '30d'],
      ...['--endpoint', endpoint, '--table', own, '--json'],
    ]);
    expect(read.code, read.stderr).toBe(0);
    const redis = new Redis(redisUrl);
    try {
      const ttl = await redis.pttl(`${prefix}ep`);
      expect(ttl).toBeGreaterThan(29 * 86_400_000); // not the 7-day default
      expect(ttl).toBeLessThanOrEqual(30 * 86_400_000);
    } finally {
      redis.disconnect();
    }
    const stray = await cli([...total, '--key-ttl', '30d']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/CONFIG_INVALID.*--key-ttl only applies with --redis/);
    const bad = await cli([...total, '--redis', redisUrl, '--key-ttl', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CONFIG_INVALID.*key-ttl/);
  });

  it('the header and the first screen count the same things: records read from the stream, its shards', async () => {
    const running = stack as DevStack;
    await running.quiesce(); // the earlier tests ran for a while: every event written is read before the counts
    const events = running.runner.stats().reduce((n, x) => n + x.total, 0);
    // the header's count is the furthest worker's: on a loaded machine a worker may still be reading the last page
    // when the quiet moment is taken, so wait (up to 60 s) for it to reach every event, never past it
    let s = await state();
    for (let deadline = Date.now() + 60_000; (s.worker?.records ?? 0) < events && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      s = await state();
    }
    // Two workers (S4 apart) read the one stream: each record counts once, not once per worker.
    expect(s.worker).toMatchObject({ records: events, workers: 2 });
    const screen = firstScreen(running);
    const shards = Number(screen.match(/the source table's stream has (\d+) shards?/)?.[1]);
    expect(shards).toBeGreaterThan(0);
    expect(s.worker?.shards).toBe(shards);
    expect(s.worker?.leasesHeld).toBe(2 * shards); // what the header used to call shards
  });
});
