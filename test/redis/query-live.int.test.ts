// The Redis buffer through the query client's live seam: totals, series and leaderboards read while buckets
// are live, and at every step of a flush, equal the brute-force answer from the source items.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
  type FlushStep,
} from '../../packages/dynotally/src/redis/index.ts';
import { Decimal } from '../oracle/decimal.ts';
import { type Img, type Op, simulate } from '../support/stream-sim.ts';
import { type BufferEnv, MINUTE, startBufferEnv } from './harness.ts';

const stores = defineRollup({
  name: 'shop',
  groupBy: 'storeId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: 'Europe/London',
  granularities: ['day', 'month', 'year', 'all'],
  measures: { orders: count({ where: { type: 'order' } }), revenue: sum('amount') },
  leaderboard: { measure: 'orders', granularities: ['month', 'all'], shards: 2 },
});

const STORES = ['s1', 's2', 's3', 's4', 's5'];
const T0 = Date.UTC(2026, 9, 20, 12); // October 2026, across the end of BST and of the month
const DAY = 86_400_000;

/** A seeded workload of orders and views with inserts, moves between stores and removes. */
function workload(n: number): Op[] {
  let x = 12345;
  const rnd = (k: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % k;
  };
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    const key = `e${rnd(Math.max(1, Math.floor(n / 2)))}`;
    if (rnd(10) === 0) ops.push({ kind: 'delete', key });
    else {
      const item: Img = {
        storeId: { S: STORES[rnd(STORES.length)] as string },
        ts: { N: String(T0 + rnd(20) * DAY + rnd(DAY)) },
        type: { S: rnd(3) === 0 ? 'view' : 'order' },
        amount: { N: `${rnd(500)}.${String(rnd(100)).padStart(2, '0')}` },
      };
      ops.push({ kind: 'put', key, item });
    }
  }
  return ops;
}

/** The brute-force answers from the final items. */
function expectedOf(finals: readonly Img[]) {
  const orders = new Map<string, number>();
  const revenue = new Map<string, Decimal>();
  const novOrders = new Map<string, number>();
  for (const it of finals) {
    const s = it.storeId?.S as string;
    revenue.set(s, (revenue.get(s) ?? new Decimal(0)).plus(it.amount?.N as string));
    if (it.type?.S !== 'order') continue;
    orders.set(s, (orders.get(s) ?? 0) + 1);
    // November in London (GMT then): from 2026-11-01T00:00Z
    if (Number(it.ts?.N) >= Date.UTC(2026, 10, 1)) novOrders.set(s, (novOrders.get(s) ?? 0) + 1);
  }
  return { orders, revenue, novOrders };
}

describe('Redis buffer through the query client', { timeout: 360_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('totals, month series and leaderboards merge live buckets exactly, before, during and after a flush', async () => {
    const sim = simulate(workload(60));
    const want = expectedOf(sim.finals);
    const { table, clock, common } = await env.fixture(
      'rb-query',
      [stores],
      Date.UTC(2026, 10, 20, 12, 0, 30),
    );
    // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
    const applier = createBufferedApplier({ ...common, lateRecords: 'apply' });
    for (let i = 0; i < sim.records.length; i += 10) {
      await applier.apply({ records: sim.records.slice(i, i + 10), shardId: 'shardId-1' });
      clock.advance(MINUTE);
    }
    const query = createQueryClient({
      client: env.ddb,
      table,
      rollups: [stores],
      liveSource: createRedisLiveSource(common),
      now: clock.now,
    });

    let checks = 0;
    const check = async (where: string) => {
      for (const storeId of STORES) {
        const all = await query.total(stores, { storeId }, 'all');
        expect(all.values.orders ?? 0, `${where} ${storeId} orders`).toBe(want.orders.get(storeId) ?? 0);
        expect(
          new Decimal(String(all.values.revenue ?? 0)).eq(want.revenue.get(storeId) ?? 0),
          `${where} ${storeId} revenue`,
        ).toBe(true);
        const nov = await query.total(stores, { storeId }, { calendar: 'month', at: Date.UTC(2026, 10, 15) });
        expect(nov.values.orders ?? 0, `${where} ${storeId} November`).toBe(want.novOrders.get(storeId) ?? 0);
        const series = await query.series(
          stores,
          { storeId },
          { granularity: 'month', from: Date.UTC(2026, 9, 1), to: Date.UTC(2026, 11, 1) },
        );
        expect(
          series.points.reduce((n, p) => n + Number(p.values.orders ?? 0), 0),
          `${where} ${storeId} series`,
        ).toBe(want.orders.get(storeId) ?? 0);
      }
      const top = await query.top(stores, { bucket: 'all', limit: STORES.length });
      const ranked = [...want.orders.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
      expect(
        top.entries.map((e) => e.value),
        `${where} top values`,
      ).toEqual(ranked.map(([, n]) => n));
      for (const e of top.entries)
        expect(e.value, `${where} top ${e.pk}`).toBe(want.orders.get(String(e.groupValues[0])));
      checks++;
    };

    await check('all live');
    let step = 0;
    const report = await createFlusher({
      ...common,
      graceMs: 0,
      concurrency: 2,
      onStep: async (s: FlushStep) => {
        if (s.step !== 'row-written' || step++ % 4 === 0) await check(JSON.stringify(s));
      },
    }).flushClosed({ all: true });
    expect(report.rowsWritten).toBeGreaterThan(0);
    await check('all flushed');
    expect(checks).toBeGreaterThan(4);
  });
});
