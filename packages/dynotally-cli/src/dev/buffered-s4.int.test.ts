// The dev stack with S4 buffered in Redis: its own redis-server, S4's worker counting into Redis, the query
// client (and so the dashboard) merging the unflushed buckets — S4's totals equal what the generators wrote
// before any flush — and on stop everything flushed (the DynamoDB here outlives the stack) and redis-server gone.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ddbReady, scanTable, stackTables } from '../../../../test/support/ddb.ts';
import { isPortFree, localClientConfig } from '../../../dynotally/src/local/index.ts';
import { createQueryClient } from '../../../dynotally/src/query/index.ts';
import { STORES } from '../scenarios/generators/index.ts';
import { storeMetrics } from '../scenarios/index.ts';
import { bufferedS4 } from './buffered-s4.ts';
import { type DevStack, startDevStack } from './dev-stack.ts';
import { firstScreen } from './first-screen.ts';

type Counts = Record<string, { orders: number; views: number }>;

/** What the generators wrote: S4's source items counted per store (optionally within [from, to)). */
function countSource(
  items: readonly Record<string, AttributeValue>[],
  from = -Infinity,
  to = Infinity,
): Counts {
  const out: Counts = {};
  for (const item of items) {
    const store = item.storeId?.S;
    const ts = Number(item.ts?.N);
    if (store === undefined || !(ts >= from && ts < to)) continue;
    out[store] ??= { orders: 0, views: 0 };
    const c = out[store];
    if (item.type?.S === 'order') c.orders += 1;
    if (item.type?.S === 'view') c.views += 1;
  }
  return out;
}

function nonZero(counts: Counts): Counts {
  return Object.fromEntries(Object.entries(counts).filter(([, c]) => c.orders + c.views > 0));
}

const groups = STORES.map((storeId) => ({ storeId }));

describe('dev stack: S4 buffered in Redis', { timeout: 480_000 }, () => {
  let stack: DevStack | undefined;
  afterAll(async () => {
    await stack?.stop();
  });

  it('reports live totals equal to what was written before any flush, and flushes everything on stop', async () => {
    const endpoint = await ddbReady();
    // No timer flush during the test (10 minutes): every S4 count it reads comes from Redis.
    const wiring = bufferedS4({ flushEveryMs: 600_000 });
    const tables = stackTables('dev4');
    stack = await startDevStack({
      endpoint,
      tables,
      scenarios: ['s2', 's4'], // S2's leaderboards are read through the same live source (it must know them)
      s4: wiring,
      history: 60,
      rate: 20,
      seed: 4,
      port: 0,
      freshnessTickMs: 1_000,
    });
    expect(stack.s4.mode).toBe('buffered');
    expect(stack.s4.describe).toMatch(
      /^buffered in Redis \(redis:\/\/127\.0\.0\.1:\d+, started by the dev stack\)/,
    );
    expect(firstScreen(stack)).toContain(`  S4          ${stack.s4.describe}`);
    const port = wiring.stats().redisPort as number;
    expect(await isPortFree(port)).toBe(false);

    const client = new DynamoDBClient(localClientConfig(endpoint));
    const tableOnly = createQueryClient({ client, table: tables.aggregate, rollups: [storeMetrics] });
    try {
      const totals = async (query = stack?.query as DevStack['query']): Promise<Counts> => {
        const r = await query.totalMany(storeMetrics, groups, 'all');
        return nonZero(
          Object.fromEntries(
            r.results.map((x) => [
              String(x.group.storeId),
              { orders: Number(x.values.orders), views: Number(x.values.views) },
            ]),
          ),
        );
      };

      await stack.quiesce();
      const written = countSource(await scanTable(client, tables.source));
      expect(Object.keys(written).length).toBeGreaterThan(3);
      expect(await totals()).toEqual(written); // live merge: exact
      expect(await totals(tableOnly)).toEqual({}); // nothing flushed: DynamoDB alone holds no S4 count
      expect(wiring.stats().bucketsFlushed).toBe(0);

      // the dashboard's S4 panel reads through the same query client: its busiest stores over 30 days are the
      // source's counts in the panel's window
      const state = (await (await fetch(`${stack.url}/api/state`)).json()) as {
        panels: { s2?: unknown; s4?: { stores: { storeId: string; orders: number; views: number }[] } };
        errors: Record<string, string>;
      };
      expect(state.errors).toEqual({});
      expect(state.panels.s2).toBeDefined();
      const window = (await stack.query.totalMany(storeMetrics, groups, { lastDays: 30 })).window;
      const inWindow = countSource(await scanTable(client, tables.source), window.from, window.to);
      const panelStores = state.panels.s4?.stores ?? [];
      expect(panelStores.length).toBeGreaterThan(0);
      for (const s of panelStores)
        expect({ orders: s.orders, views: s.views }).toEqual(inWindow[s.storeId] ?? { orders: 0, views: 0 });

      // numbers move before the first flush
      stack.resume();
      await new Promise((r) => setTimeout(r, 1_500));
      await stack.quiesce();
      const later = countSource(await scanTable(client, tables.source));
      expect(later).not.toEqual(written);
      expect(await totals()).toEqual(later);
      expect(wiring.stats().bucketsFlushed).toBe(0);

      // stop: the last flush moves every bucket to the DynamoDB that outlives the stack; redis-server is gone
      const stopping = stack;
      stack = undefined;
      await stopping.stop();
      expect(wiring.stats().bucketsFlushed).toBeGreaterThan(0);
      expect(await totals(tableOnly)).toEqual(later);
      expect(await isPortFree(port)).toBe(true);

      // started again on the same DynamoDB: a new, empty redis-server, to which the stack hands S4's table (the
      // table's buffer id is the last run's Redis'): S4's worker and flusher are not refused, and count on
      stack = await startDevStack({
        endpoint,
        tables,
        scenarios: ['s2', 's4'],
        s4: bufferedS4({ flushEveryMs: 600_000 }),
        history: 20,
        rate: 20,
        seed: 5,
        port: 0,
        freshnessTickMs: 1_000,
      });
      await stack.quiesce();
      const again = countSource(await scanTable(client, tables.source));
      expect(again).not.toEqual(later);
      expect(await totals()).toEqual(again);
      const errors = ((await (await fetch(`${stack.url}/api/state`)).json()) as { errors: object }).errors;
      expect(errors).toEqual({});
    } finally {
      await tableOnly.close();
      client.destroy();
    }
  });
});
