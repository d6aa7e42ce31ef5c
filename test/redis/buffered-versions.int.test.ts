// The Redis buffer writes version-1 rows only: once a rollup's control item says another version serves or is being
// built (backfill --register, repairRollup / verify --repair, a versioned side with a changed definition), or version
// 1 has another definition, the buffered applier refuses the batch before anything of it is written (no dead letter,
// no Redis key, no DynamoDB item), and the refused batch counts nowhere until a versioned write side takes it. A
// rollup without a control item is buffered as before.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { DynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, isBufferedVersionRefusal } from '../../packages/dynotally/src/redis/index.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  asVersion,
  createVersionedWriteSide,
  promoteVersion,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { canonicalCells } from '../support/pipeline.ts';
import { type BufferEnv, scanItems, startBufferEnv } from './harness.ts';
import { orderRecords, storeOrders } from './store-orders.ts';

const T = Date.UTC(2026, 0, 10, 12, 0, 7);
const orders = storeOrders({ granularities: ['day'] });
// a changed definition of the same rollup: version 2 once registered beside version 1
const ordersV2 = storeOrders({ granularities: ['day', 'all'] });

/** A record the fold refuses (its time is not a number): a dead letter, were the batch applied. */
function poisoned(record: DynamoDBRecord): DynamoDBRecord {
  const image = { ...record.dynamodb?.NewImage, t: { BOOL: true } };
  return { ...record, dynamodb: { ...record.dynamodb, NewImage: image } } as DynamoDBRecord;
}

async function refusal(p: Promise<unknown>): Promise<DynotallyError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DynotallyError);
  return e as DynotallyError;
}

describe('Redis buffer: rollup versions', { timeout: 480_000 }, () => {
  let env: BufferEnv;
  beforeAll(async () => {
    env = await startBufferEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  /** Every key of the test's prefix with its whole value (DUMP), and every item of its table. */
  const snapshot = async (keyPrefix: string, table: string) => {
    const keys = (await env.redis.keys(`${keyPrefix}*`)).sort();
    const values = await Promise.all(keys.map((k) => env.redis.dumpBuffer(k)));
    return {
      redis: keys.map((k, i) => [k, values[i]?.toString('base64')]),
      items: await scanItems(env.ddb, table),
    };
  };

  it('buffers a rollup without a control item, refuses every batch once version 2 is built or serves, and a versioned side counts it', async () => {
    const { table, keyPrefix, common } = await env.fixture('rb-versions', [orders], T);
    const letters: DeadLetter[] = [];
    const applier = createBufferedApplier({
      ...common,
      deadLetter: { send: async (l) => void letters.push(...l) },
    });
    const rec = orderRecords(1000);
    // nothing registered: buffered as before
    const first = await applier.apply({ records: [rec('s-1', T), rec('s-1', T)], shardId: 'shard-1' });
    expect(first.buffer.mode).toBe('redis');
    // version 1 serving (as a versioned side registers it): still buffered
    await registerVersions(env.ddb, table, [orders.compiled]);
    const second = await applier.apply({ records: [rec('s-1', T)], shardId: 'shard-1' });
    expect(second.buffer.mode).toBe('redis');

    // a changed definition registered beside it (backfill --register): version 2, building
    await registerVersions(env.ddb, table, [ordersV2.compiled]);
    const batch = [rec('s-1', T), poisoned(rec('s-1', T)), rec('s-2', T)];
    const before = await snapshot(keyPrefix, table);
    const building = await refusal(applier.apply({ records: batch, shardId: 'shard-1' }));
    expect(building.code).toBe('CONFIG_INVALID');
    expect(isBufferedVersionRefusal(building)).toBe(true);
    expect(building.details).toMatchObject({ rollup: 'orders', serving: 1 });
    expect(building.message).toContain(
      "version 2 of rollup 'orders' is being built, and the Redis buffer writes version 1 only",
    );
    expect(building.message).toContain('createVersionedWriteSide');
    expect(await snapshot(keyPrefix, table)).toEqual(before);
    expect(letters).toEqual([]);

    // unless another process writes version 2: then version 1 is buffered beside it
    const beside = createBufferedApplier({ ...common, otherVersions: 'written-elsewhere' });
    const elsewhere = await beside.apply({ records: [rec('s-3', T)], shardId: 'shard-2' });
    expect(elsewhere.buffer.mode).toBe('redis');
    const before2 = await snapshot(keyPrefix, table);

    // promoted (as a repair does once its scan completed): still refused, and still nothing written
    await promoteVersion(env.ddb, table, 'orders', 2, { force: true });
    const promoted = await snapshot(keyPrefix, table);
    expect(promoted.redis).toEqual(before2.redis);
    const serving = await refusal(applier.apply({ records: batch, shardId: 'shard-1' }));
    expect(isBufferedVersionRefusal(serving)).toBe(true);
    expect(serving.message).toMatch(
      /^rollup 'orders' serves version 2, and the Redis buffer writes version 1 only/,
    );
    expect(await snapshot(keyPrefix, table)).toEqual(promoted);
    expect(letters).toEqual([]);

    // the refused batch counts in version 2 once a versioned write side takes it, its poison record once
    const claimTable = uniqueTableName('rb-versions-claims');
    await createClaimTable(env.ddb, claimTable);
    const side = createVersionedWriteSide({
      client: env.ddb,
      table,
      claimTable,
      rollups: [ordersV2],
      now: common.now,
    });
    const out = await side.apply({ records: batch, shardId: 'shard-1' });
    expect(out.poison.map((p) => p.index)).toEqual([1]);
    const v2 = canonicalCells([asVersion(ordersV2.compiled, 2)], await scanItems(env.ddb, table));
    expect(Object.fromEntries(v2)).toEqual({
      'orders.v2|[["string","s-1"]]|day|D2026-01-10|n': '1',
      'orders.v2|[["string","s-2"]]|day|D2026-01-10|n': '1',
      'orders.v2|[["string","s-1"]]|all|ALL|n': '1',
      'orders.v2|[["string","s-2"]]|all|ALL|n': '1',
    });
  });

  it('refuses before the first write on a fresh table: version 1 under backfill, or registered with another definition', async () => {
    const rec = orderRecords(2000);
    for (const [setup, text] of [
      [
        (table: string) => registerVersions(env.ddb, table, [orders.compiled], { firstVersion: 'building' }),
        "rollup 'orders' has no serving version yet",
      ],
      [
        (table: string) => registerVersions(env.ddb, table, [ordersV2.compiled]),
        "the given definition of rollup 'orders' is not the one version 1 was registered with",
      ],
    ] as const) {
      const { table, keyPrefix, common } = await env.fixture('rb-versions-fresh', [orders], T);
      await setup(table);
      const before = await snapshot(keyPrefix, table);
      expect(before.redis).toEqual([]);
      const e = await refusal(
        createBufferedApplier({ ...common, onRedisDown: 'direct' }).apply({
          records: [rec('s-1', T)],
          shardId: 'shard-1',
        }),
      );
      expect(isBufferedVersionRefusal(e)).toBe(true);
      expect(e.message).toContain(text);
      // neither the buffer's claim of the table nor a fence nor a row: only the control item
      expect(await snapshot(keyPrefix, table)).toEqual(before);
    }
  });
});
