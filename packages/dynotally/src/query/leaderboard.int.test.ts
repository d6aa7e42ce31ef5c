// Leaderboards under concurrency: S2-like favourites (+1 on INSERT, −1 on REMOVE) written by four appliers
// on four stream shards at once (with redelivered batches), read back with top(); many ties, ordered by the
// group's partition key; and the live-source seam merging not-yet-flushed deltas into top() and total().

import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { type Img, type Op, simulate } from '../../../../test/support/stream-sim.ts';
import { storeMetrics } from '../../../dynotally-cli/src/scenarios/rollups.ts';
import { Applier } from '../apply/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { groupPartitionKey } from '../layout/group-key.ts';
import type { Num } from '../numbers/index.ts';
import { createAggregateTable } from '../tables/index.ts';
import { calendarFor, parseGranularity } from '../time/index.ts';
import { createQueryClient, type LiveSnapshot, type LiveSource } from './index.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const favourites = defineRollup({
  name: 'favs',
  match: { type: 'favourite' },
  groupBy: 'restaurantId',
  time: { attribute: 'createdAt', format: 'epoch-seconds' },
  timeZone: 'Asia/Kolkata',
  granularities: ['month', 'all'],
  measures: { favourites: count() },
  leaderboard: { measure: 'favourites', granularities: ['month', 'all'], shards: 3 },
});
const SHARDS = 4;
const RESTAURANTS = 9;
const S = (s: string): AttributeValue => ({ S: s });
// around the Kolkata month end: 2026-10-31T18:30Z is 1 November 00:00 IST
const MONTH_END = Date.UTC(2026, 9, 31, 18, 30) / 1000;

const opArb = fc.record({
  user: fc.integer({ min: 0, max: 7 }),
  restaurant: fc.integer({ min: 0, max: RESTAURANTS - 1 }),
  add: fc.boolean(),
  dt: fc.oneof(fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }), fc.constantFrom(-1, 0)),
});

/** Favourites keyed by user and restaurant; a stream shard holds a fixed set of keys. */
type FavOp = { user: number; restaurant: number; add: boolean; dt: number };

function shardOps(ops: readonly FavOp[]): Op[][] {
  const shards: Op[][] = Array.from({ length: SHARDS }, () => []);
  for (const o of ops) {
    const key = `fav#u${o.user}#r${o.restaurant}`;
    const shard = (o.user * 31 + o.restaurant) % SHARDS;
    shards[shard]?.push(
      o.add
        ? {
            kind: 'put',
            key,
            item: {
              type: S('favourite'),
              restaurantId: S(`r${o.restaurant}`),
              createdAt: { N: String(MONTH_END + o.dt) },
            },
          }
        : { kind: 'delete', key },
    );
  }
  return shards;
}

/** Expected ranking of a bucket: non-zero counts, largest first, ties by partition key. */
function expectedTop(finals: readonly Img[], label: string): Array<{ pk: string; value: number }> {
  const cal = calendarFor('Asia/Kolkata');
  const counts = new Map<string, number>();
  for (const img of finals) {
    const t = Number(img.createdAt?.N) * 1000;
    if (label !== 'ALL' && cal.bucket(parseGranularity('month'), t).label !== label) continue;
    const pk = groupPartitionKey('favs', [img.restaurantId?.S as string]);
    counts.set(pk, (counts.get(pk) ?? 0) + 1);
  }
  return [...counts.entries()]
    .filter(([, v]) => v !== 0)
    .map(([pk, value]) => ({ pk, value }))
    .sort((a, b) => b.value - a.value || (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0));
}

describe('top() under concurrent increments and decrements', () => {
  it('four concurrent shard appliers (with redeliveries): every top-N equals the oracle, ties by key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 20, maxLength: 70 }),
        fc.integer({ min: 1, max: 9 }),
        async (ops, cut) => {
          const table = uniqueTableName('query-top');
          await createAggregateTable(clients.ddb, table);
          const sims = shardOps(ops).map((o, i) => simulate(o, 10n ** 20n * BigInt(i + 1)));
          // four appliers, one per shard, running at the same time; each redelivers its first batch
          await Promise.all(
            sims.map(async (sim, i) => {
              const applier = new Applier({
                lateRecords: 'apply',
                client: clients.ddb,
                table,
                rollups: [favourites],
                now: () => 0,
              });
              const shardId = `shardId-0000000${i}`;
              const batches = [sim.records.slice(0, cut), sim.records.slice(cut)].filter((b) => b.length > 0);
              for (const records of batches) await applier.apply({ records, shardId });
              if (batches[0] !== undefined) await applier.apply({ records: batches[0], shardId });
            }),
          );
          const finals = sims.flatMap((s) => s.finals);
          const query = createQueryClient({
            client: clients.ddb,
            table,
            rollups: [favourites],
            now: () => MONTH_END * 1000,
          });
          for (const bucket of ['all', 'M2026-10', 'M2026-11'] as const) {
            const want = expectedTop(finals, bucket === 'all' ? 'ALL' : bucket);
            for (const limit of [1, 2, 3, 5, RESTAURANTS + 1]) {
              const got = await query.top(favourites, { bucket, limit });
              expect(
                got.entries.map((e) => ({ pk: e.pk, value: e.value })),
                `${bucket} top ${limit}`,
              ).toEqual(want.slice(0, limit));
              expect(got.entries.map((e) => e.rank)).toEqual(got.entries.map((_, i) => i + 1));
              for (const e of got.entries) expect(e.group).toEqual({ restaurantId: e.groupValues[0] });
            }
          }
        },
      ),
      { numRuns: 6 },
    );
  }, 300_000);

  it('the N-th place is right when ties straddle shards: equal counts in every shard, top-N at every N', async () => {
    const table = uniqueTableName('query-ties');
    await createAggregateTable(clients.ddb, table);
    // 12 restaurants: 2, 2, 2, …, then 1, 1, …: ties spread over the index shards
    const ops: Op[] = [];
    for (let r = 0; r < 12; r++) {
      for (let u = 0; u < (r < 7 ? 2 : 1); u++) {
        ops.push({
          kind: 'put',
          key: `fav#u${u}#r${r}`,
          item: { type: S('favourite'), restaurantId: S(`r${r}`), createdAt: { N: String(MONTH_END) } },
        });
      }
    }
    const sim = simulate(ops);
    await new Applier({ lateRecords: 'apply', client: clients.ddb, table, rollups: [favourites] }).apply({
      records: sim.records,
      shardId: 's-1',
    });
    const query = createQueryClient({ client: clients.ddb, table, rollups: [favourites] });
    const want = expectedTop(sim.finals, 'ALL');
    expect(new Set(want.map((w) => w.pk.length)).size).toBeGreaterThan(1); // r1 … r11: key order is not numeric order
    for (let n = 1; n <= 13; n++) {
      const got = await query.top(favourites, { bucket: 'all', limit: n });
      expect(got.entries.map((e) => e.pk)).toEqual(want.slice(0, n).map((w) => w.pk));
    }
    const plan = query.explain.top(favourites, { bucket: 'all', limit: 3 });
    expect(plan.requests).toHaveLength(3); // one Query per index shard
    expect(plan.requests[0]?.input).toMatchObject({
      IndexName: 'leaderboard',
      ScanIndexForward: false,
      Limit: 4,
    });
  });
});

/** An in-memory live source: fixed deltas per row, ignoring rows whose marker says they hold them. */
function fakeLive(
  deltas: Record<string, Record<string, Record<string, number>>>,
  absorbed: string,
): LiveSource & { markers: Array<string | undefined> } {
  const markers: Array<string | undefined> = [];
  const snapshot = (pks: readonly string[] | undefined): LiveSnapshot => ({
    pks: () => Object.keys(deltas).filter((pk) => pks === undefined || pks.includes(pk)),
    sortKeys: (pk) => Object.keys(deltas[pk] ?? {}),
    pending: (pk, sk, marker) => {
      markers.push(marker);
      if (marker === absorbed) return new Map();
      return new Map<string, Num>(Object.entries(deltas[pk]?.[sk] ?? {}));
    },
  });
  return {
    markerAttribute: '_fb',
    markers,
    read: async (pks) => snapshot(pks),
    readRanked: async (_rollup, sk) => {
      const only: typeof deltas = {};
      for (const [pk, rows] of Object.entries(deltas)) if (rows[sk]) only[pk] = { [sk]: rows[sk] };
      return {
        pks: () => Object.keys(only),
        sortKeys: (pk) => Object.keys(only[pk] ?? {}),
        pending: (pk, s, marker) => {
          markers.push(marker);
          return marker === absorbed ? new Map() : new Map<string, Num>(Object.entries(only[pk]?.[s] ?? {}));
        },
      };
    },
  };
}

describe('live source seam', () => {
  it('merges live deltas into top() (new groups, negative deltas) and total(); rows whose marker holds them are not counted twice', async () => {
    const table = uniqueTableName('query-live');
    await createAggregateTable(clients.ddb, table);
    const ops: Op[] = [];
    const add = (r: number, n: number) => {
      for (let u = 0; u < n; u++)
        ops.push({
          kind: 'put',
          key: `f${u}r${r}`,
          item: { type: S('favourite'), restaurantId: S(`r${r}`), createdAt: { N: String(MONTH_END) } },
        });
    };
    add(1, 5);
    add(2, 4);
    add(3, 3);
    add(4, 1);
    const favPk = (r: number) => groupPartitionKey('favs', [`r${r}`]);
    const sim = simulate(ops);
    await new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [favourites, storeMetrics],
    }).apply({
      records: sim.records,
      shardId: 's-1',
    });
    // r1 −3 (5 → 2), r9 +4 (no row yet), r4 +1 but its row already absorbed that flush (marker)
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: favPk(4) }, sk: { S: 'ALL' } },
        UpdateExpression: 'SET #m = :m',
        ExpressionAttributeNames: { '#m': '_fb' },
        ExpressionAttributeValues: { ':m': { S: 'flushed-1' } },
      }),
    );
    const live = fakeLive(
      {
        [favPk(1)]: { ALL: { favourites: -3, lbv: -3 } },
        [favPk(9)]: { ALL: { favourites: 4, lbv: 4 } },
        [favPk(4)]: { ALL: { favourites: 1, lbv: 1 } },
        'store#ss-1': { 'M2026-11': { orders: 2, orders_22: 2 } },
      },
      'flushed-1',
    );
    const query = createQueryClient({
      client: clients.ddb,
      table,
      rollups: [favourites, storeMetrics],
      liveSource: live,
      now: () => Date.UTC(2026, 10, 22, 12),
    });
    const top = await query.top(favourites, { bucket: 'all', limit: 3 });
    expect(top.entries.map((e) => [e.groupValues[0], e.value])).toEqual([
      ['r2', 4],
      ['r9', 4],
      ['r3', 3],
    ]);
    const all = await query.top(favourites, { bucket: 'all', limit: 10 });
    expect(all.entries.map((e) => [e.groupValues[0], e.value])).toEqual([
      ['r2', 4],
      ['r9', 4],
      ['r3', 3],
      ['r1', 2],
      ['r4', 1],
    ]);
    expect(live.markers).toContain('flushed-1');
    // totals: the store row does not exist in DynamoDB yet; its live deltas are counted once
    const today = await query.total(storeMetrics, { storeId: 's-1' }, { calendar: 'day' });
    expect(today.values).toEqual({ orders: 2, views: 0 });
    expect(today.liveAttributes).toBe(2);
    const r4 = await query.total(favourites, { restaurantId: 'r4' }, 'all');
    expect(r4.values.favourites).toBe(1);
    // the marker attribute is projected on every read
    const e = query.explain.total(favourites, { restaurantId: 'r4' }, 'all');
    expect(JSON.stringify(e.requests)).toContain('"_fb"');
  });
});
