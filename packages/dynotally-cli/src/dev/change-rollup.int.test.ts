// The dev stack's "change a rollup" demo, end to end, with the generators writing throughout: S4 gains revenue
// (version 2 of `store`), the new version's stream worker and the backfill build it, `dynotally rollups status`
// shows the versions while it runs, the dashboard's promote switches reads, and after quiescing every cell of
// version 2 equals the oracle recomputed from the source table's final items; the dashboard's S4 panel shows
// revenue, per day and per store, equal to that recount.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../../../test/oracle/decimal.ts';
import { type OracleRollup, oracle } from '../../../../test/oracle/oracle.ts';
import { runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, scanTable, stackTables, uniqueTableName } from '../../../../test/support/ddb.ts';
import { canonicalCells } from '../../../../test/support/pipeline.ts';
import { localClientConfig } from '../../../dynotally/src/local/index.ts';
import { asVersion } from '../../../dynotally/src/versions/index.ts';
import type { ChangeRollupView, DashboardState } from '../dashboard/state/types.ts';
import { STORES } from '../scenarios/generators/index.ts';
import { storeMetricsWithRevenue } from '../scenarios/index.ts';
import { type DevStack, startDevStack } from './dev-stack.ts';

const oracleV2: OracleRollup = {
  name: 'store.v2',
  groupBy: ['storeId'],
  timeAttr: 'ts',
  zone: 'Europe/London',
  granularities: ['day', 'month', 'year', 'all'],
  measures: [
    { name: 'orders', kind: 'count', where: { type: 'order' } },
    { name: 'views', kind: 'count', where: { type: 'view' } },
    { name: 'revenue', kind: 'sum', attribute: 'amount', where: { type: 'order' } },
  ],
  ttlDeletes: 'subtract',
};

/** Waits for a condition (never a fixed sleep): under load everything is slow, nothing is skipped. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 600_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('dev stack: change a rollup (S4 gains revenue)', { timeout: 900_000 }, () => {
  let stack: DevStack | undefined;
  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('backfills while the generators write, promotes, and the dashboard shows revenue equal to a recount', async () => {
    const endpoint = await ddbReady();
    const tables = { ...stackTables('demo'), claims: uniqueTableName('demo-claims') };
    const s = await startDevStack({
      endpoint,
      port: 0,
      rate: 4,
      history: 400,
      seed: 11,
      scenarios: ['s4'],
      s4: 'auto', // buffered in Redis where redis-server is installed: version 1's reads merge the buffer
      tables,
      changeRollup: { segments: 2, chunkItems: 40 },
    });
    stack = s;
    const api = async (path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${s.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: await res.json() };
    };
    const demo = async (): Promise<ChangeRollupView> =>
      ((await api('/api/state')).json as DashboardState).changeRollup as ChangeRollupView;
    const status = async () => {
      const run = await runDynotally([
        'rollups',
        'status',
        'store',
        '--endpoint',
        endpoint,
        '--table',
        tables.aggregate,
        '--json',
      ]);
      expect(run.stderr).toBe('');
      return (JSON.parse(run.stdout) as { versions: { version: number; state: string; serving: boolean }[] })
        .versions;
    };

    // Before: S4 serves orders and views; the demo is idle and nothing is registered.
    const before = (await api('/api/state')).json as DashboardState;
    expect(before.panels.s4?.measures).toEqual(['orders', 'views']);
    expect(before.changeRollup?.phase).toBe('idle');
    expect((await api('/api/change-rollup', { action: 'bogus' })).status).toBe(400);

    const started = await api('/api/change-rollup', { action: 'start' });
    expect(started.status).toBe(200);
    expect((started.json as ChangeRollupView).phase).not.toBe('idle');

    // While it runs, `dynotally rollups status` shows both versions: 1 serving, 2 building.
    // The waits poll the demo's view in this process: the very object /api/state carries as `changeRollup`,
    // without building every panel from DynamoDB Local and Redis on each look (about 0.1-0.2 s of CPU per
    // /api/state, five looks a second). Once a wait is over, /api/state is read and checked to agree.
    const view = (): ChangeRollupView => {
      const v = s.changeRollup?.view();
      if (v === undefined) throw new Error('the stack runs no change-a-rollup demo');
      return v;
    };
    let last = '';
    const phase = async (): Promise<ChangeRollupView> => {
      const v = view();
      if (v.phase !== last) console.log(`[change-rollup] ${new Date().toISOString()} ${v.phase}`);
      last = v.phase;
      if (v.phase === 'failed') throw new Error(`the demo failed: ${JSON.stringify(v)}`);
      return v;
    };
    // a fast machine may be ready before the first look
    await until('the backfill to start', async () =>
      ['backfilling', 'ready'].includes((await phase()).phase) ? true : undefined,
    );
    // /api/state agrees once its 300 ms state cache is past that moment (a single look can be the cached one)
    await expect
      .poll(async () => ['backfilling', 'ready', 'serving'].includes((await demo()).phase), {
        timeout: 60_000,
        interval: 250,
      })
      .toBe(true);
    expect(await status()).toEqual([
      expect.objectContaining({ version: 1, state: 'serving', serving: true }),
      expect.objectContaining({ version: 2, serving: false }),
    ]);
    // A version still being built cannot be promoted (unless it became ready in between: then it may).
    const early = await api('/api/change-rollup', { action: 'promote' });
    if (early.status === 409)
      expect((early.json as { error: string }).error).toMatch(/wait until it is ready/);

    await until('version 2 to be ready', async () => {
      const v = await phase();
      return v.phase === 'ready' || v.phase === 'serving' ? v : undefined;
    });
    // /api/state agrees once its 300 ms state cache is past that moment (a single look can be the cached one)
    let ready = await demo();
    await expect
      .poll(
        async () => {
          ready = await demo();
          return ready.phase;
        },
        { timeout: 60_000, interval: 250 },
      )
      .toMatch(/^(ready|serving)$/);
    expect(ready.backfill?.scanned).toBeGreaterThan(0);
    expect(ready.backfill?.folded).toBeGreaterThan(0);
    expect(ready.versions.find((v) => v.version === 2)?.state).toMatch(/ready|serving/);
    // Until promoted, S4 still shows version 1 (no revenue).
    if (ready.phase === 'ready')
      expect(((await api('/api/state')).json as DashboardState).panels.s4?.measures).toEqual([
        'orders',
        'views',
      ]);

    const promoted = await api('/api/change-rollup', { action: 'promote' });
    expect(promoted.status).toBe(200);
    expect((promoted.json as ChangeRollupView).phase).toBe('serving');
    expect(await status()).toEqual([
      expect.objectContaining({ version: 1, state: 'retired', serving: false }),
      expect.objectContaining({ version: 2, state: 'serving', serving: true }),
    ]);
    // Events keep flowing into version 2 after the promotion (the generators never stopped).
    const seen = (await demo()).streamRecords ?? 0;
    await until('version 2 to fold new events', async () =>
      (view().streamRecords ?? 0) > seen ? true : undefined,
    );
    // /api/state agrees, once its state cache (state-cache.ts) has been rebuilt past that moment: a single look
    // right after can still be the cached one (CI run E of session 34 read 12 after the view had passed 12)
    await expect
      .poll(async () => (await demo()).streamRecords ?? 0, { timeout: 60_000, interval: 250 })
      .toBeGreaterThan(seen);

    await s.quiesce();
    const final = await demo();
    console.log(
      JSON.stringify({
        backfill: final.backfill,
        streamRecords: final.streamRecords,
        s4: s.s4.mode,
        backfillMs: (final.readyAt ?? 0) - (final.startedAt ?? 0),
      }),
    );

    // Every cell of version 2 equals the oracle over the source table's final items.
    const client = new DynamoDBClient(localClientConfig(endpoint));
    try {
      const finals = (await scanTable(client, tables.source)).filter((i) => i.storeId?.S !== undefined);
      const expected = oracle([oracleV2], finals as never, [], []);
      const rows = (await scanTable(client, tables.aggregate)).filter((r) =>
        r.pk?.S?.startsWith('store.v2#'),
      );
      const stored = canonicalCells([asVersion(storeMetricsWithRevenue.compiled, 2)], rows);
      expect(stored).toEqual(expected);
      expect([...expected.keys()].some((k) => k.endsWith('|revenue'))).toBe(true);

      // The dashboard's S4 panel (the API state) shows revenue: per day for the shown store, and per store.
      const after = (await api('/api/state')).json as DashboardState;
      const panel = after.panels.s4;
      expect(after.errors).toEqual({});
      expect(panel?.measures).toEqual(['orders', 'views', 'revenue']);
      const cell = (store: string, g: string, bucket: string, m: string) =>
        expected.get(`store.v2|${JSON.stringify([['string', store]])}|${g}|${bucket}|${m}`) ?? '0';
      const reads = s.changeRollup?.s4Reads();
      if (reads === undefined) throw new Error('the demo gives no serving reads');
      const series = await reads.series(
        'store',
        { storeId: panel?.store ?? '' },
        { granularity: 'day', window: { lastDays: 30, at: after.at } },
      );
      const days = series.points.map((p) => `D${p.iso.slice(0, 10)}`);
      expect(panel?.days.map((d) => d.revenueRaw)).toEqual(
        days.map((d) => cell(panel?.store ?? '', 'day', d, 'revenue')),
      );
      for (const row of panel?.stores ?? []) {
        const want = days.reduce(
          (sum, d) => sum.plus(cell(row.storeId, 'day', d, 'revenue')),
          new Decimal(0),
        );
        expect(row.revenueRaw, row.storeId).toBe(want.toString());
        const orders = days.reduce((n, d) => n + Number(cell(row.storeId, 'day', d, 'orders')), 0);
        expect(row.orders, row.storeId).toBe(orders);
      }
      // All-time revenue of every store, as a query by name answers it, equals the recount.
      const all = await reads.totalMany(
        'store',
        STORES.map((storeId) => ({ storeId })),
        'all',
      );
      for (const r of all.results)
        expect(String(r.values.revenue ?? 0), String(r.group.storeId)).toBe(
          cell(String(r.group.storeId), 'all', 'ALL', 'revenue'),
        );
    } finally {
      client.destroy();
    }
  });
});
