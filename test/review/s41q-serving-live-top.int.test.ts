// Review s41q (query client, reads during a version promotion): `createServingQueryClient` given the Redis buffer's
// live source (as docs/redis-buffer.md and the dev stack wire it) refused every `top()` of a rollup once a version
// other than 1 served: its inner client for version 2 asked the live source for the ranked deltas of rollup
// `fav.v2`, a name the buffer never knows (it writes version 1 only), and the live source threw
// LEADERBOARD_NOT_CONFIGURED ("rollup 'fav.v2' has no leaderboard: give the live source the rollup with its
// leaderboard"), though the rollup has one and the index holds version 2's entries. The CLI had worked around it
// (query-kit.ts drops --redis when the serving version is not 1); library users had no way round it but to build a
// second client without the live source.
// Fixed: the serving client gives its inner clients the live source for version 1 only (versions/
// serving-query-client.ts): the buffer holds version-1 deltas alone, so a later version has none to merge.
// Since s42q the CLI leaves that to the client too (query-kit.ts passes --redis's live source whatever serves).
// Break-check: passing the live source to every inner client again fails the second test with
// LEADERBOARD_NOT_CONFIGURED; dropping it for version 1 too fails the first (the buffered group is not listed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createRedisLiveSource } from '../../packages/dynotally/src/redis/index.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  createServingQueryClient,
  createVersionedWriteSide,
  promoteVersion,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { type BufferEnv, type BufferFixture, startBufferEnv } from '../redis/harness.ts';
import { orderRecords } from '../redis/store-orders.ts';
import { uniqueTableName } from '../support/ddb.ts';

const T = Date.UTC(2026, 0, 10, 12, 0, 7);
const options = {
  name: 'fav',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['all'] },
} as const;
const v1 = defineRollup({ ...options, granularities: ['all'] });
// a changed definition of the same rollup: version 2 once registered beside version 1
const v2 = defineRollup({ ...options, granularities: ['day', 'all'] });

const ranking = (r: { entries: ReadonlyArray<{ groupValues: readonly unknown[]; value: unknown }> }) =>
  r.entries.map((e) => [e.groupValues[0], e.value]);

describe('createServingQueryClient with the Redis live source', { timeout: 240_000 }, () => {
  let env: BufferEnv;
  let fx: BufferFixture;
  const rec = orderRecords(5000);
  beforeAll(async () => {
    env = await startBufferEnv();
    fx = await env.fixture('s41q-serving-live', [v1], T);
    // version 1 buffered: one order of s-9 waits in Redis, not flushed
    const buffer = createBufferedApplier({ ...fx.common, otherVersions: 'written-elsewhere' });
    const out = await buffer.apply({ records: [rec('s-9', T)], shardId: 'shard-1' });
    expect(out.buffer.mode).toBe('redis');
  });
  afterAll(async () => {
    await env?.close();
  });

  const client = (rollups: readonly (typeof v1 | typeof v2)[]) =>
    createServingQueryClient({
      client: env.ddb,
      table: fx.table,
      rollups,
      liveSource: createRedisLiveSource({ redis: env.redis, rollups: [v1], keyPrefix: fx.keyPrefix }),
      refreshMs: 0,
    });

  it('merges the buffer into top() while version 1 serves', async () => {
    await registerVersions(env.ddb, fx.table, [v1.compiled]);
    const q = client([v1]);
    try {
      expect(ranking(await q.top(v1, { bucket: 'all' }))).toEqual([['s-9', 1]]);
    } finally {
      q.close();
    }
  });

  it('ranks version 2 once it serves, instead of refusing it as a rollup without a leaderboard', async () => {
    await registerVersions(env.ddb, fx.table, [v2.compiled]);
    await promoteVersion(env.ddb, fx.table, 'fav', 2, { force: true });
    const claimTable = uniqueTableName('s41q-serving-live-claims');
    await createClaimTable(env.ddb, claimTable);
    const side = createVersionedWriteSide({
      client: env.ddb,
      table: fx.table,
      claimTable,
      rollups: [v2],
      now: fx.common.now,
    });
    const applied = await side.apply({
      records: [rec('s-1', T), rec('s-1', T), rec('s-2', T)],
      shardId: 'shard-2',
    });
    expect(applied.poison).toEqual([]);
    const q = client([v2]);
    try {
      expect(ranking(await q.top(v2, { bucket: 'all' }))).toEqual([
        ['s-1', 2],
        ['s-2', 1],
      ]);
      expect(ranking(await q.top('fav', { bucket: 'all' }))).toEqual([
        ['s-1', 2],
        ['s-2', 1],
      ]);
      expect((await q.total(v2, { storeId: 's-1' }, 'all')).values.n).toBe(2);
    } finally {
      q.close();
    }
  });
});
