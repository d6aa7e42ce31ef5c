// Review s26r, H4: a buffer script killed by `SCRIPT KILL` was reported as a bug. Redis lets a client kill a script
// that has run longer than `busy-reply-threshold` (5 s by default; meanwhile every other client gets `BUSY`) as
// long as it has written nothing — an operator does it, and so does Redis Sentinel before it fails over a busy
// primary. The script's caller then gets `ERR Script killed by user with SCRIPT KILL... script: …, on
// @user_script:1.`, which `isScriptError` took for a Lua error: `REDIS_SCRIPT_FAILED`, "this is a bug … report it".
// Real, fixed. What the caller saw, before the fix:
// - a live read (the query client's snapshot, `READ_SCRIPT`): `REDIS_SCRIPT_FAILED`, a bug to report, where a
//   retry answers exactly (nothing is lost: the script only reads);
// - a buffered batch whose write script was killed in its checks (before its first write: Redis refuses to kill a
//   script that has written, `UNKILLABLE`): `REDIS_SCRIPT_FAILED`; nothing is lost (the stream retries the batch),
//   but with `onRedisDown: 'direct'` the batch is not written directly as for any other Redis failure, so the shard
//   waits although the fallback exists for exactly this.
// Now a killed script is `REDIS_UNAVAILABLE` (retryable; the message says it was killed and wrote nothing), so the
// read is retried by the caller like any outage and the batch falls back to direct writes. Both tests end on the
// oracle: every order counted once, in DynamoDB or in the live buckets.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
} from '../../packages/dynotally/src/redis/index.ts';
import { orderRecords } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { oracleTotals, readTotals } from './s26r-totals.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

// one field per minute of one store: a large bucket hash that takes Redis a while to read, from real orders
const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['minute', 'all'],
  retention: { minute: '90d' },
  measures: { n: count() },
});
const env = useBufferEnv({
  beforeClose: (e) => e.redis.config('SET', 'busy-reply-threshold', '5000'),
});

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const QUARTER = 15 * 60_000;
const BATCH = 10_000;

/**
 * Kills the next script that runs longer than `busy-reply-threshold`, from a connection of its own (connected when
 * this resolves, so it is knocking before the script starts). `killed` says whether it killed one before `stop()`:
 * on a loaded machine the killer may not be scheduled while the script runs, and the caller then tries again.
 */
async function killNextScript(): Promise<{ killed: Promise<boolean>; stop(): void }> {
  const killer = new Redis(env.server.url);
  await killer.ping();
  let stopped = false;
  const killed = (async () => {
    try {
      while (!stopped) {
        try {
          if ((await killer.call('SCRIPT', 'KILL')) === 'OK') return true;
        } catch (e) {
          // UNKILLABLE: the killer came after the script had written (a loaded machine); this attempt is void
          if (/UNKILLABLE/.test(String(e))) return false;
          if (!/NOTBUSY/.test(String(e))) throw e;
        }
      }
      return false;
    } finally {
      killer.disconnect();
    }
  })();
  return { killed, stop: () => (stopped = true) };
}

/** Attempts before a test gives up on killing a script (each one a full read or batch the killer may miss). */
const ATTEMPTS = 8;

/** `n` orders of store `s-1`, one a minute back from START. */
function minuteOrders(from: number, n: number) {
  const rec = orderRecords(from);
  return Array.from({ length: n }, (_, i) => rec('s-1', START - (from - 1000 + i) * 60_000));
}

describe('review s26r H4: a buffer script killed by SCRIPT KILL', () => {
  beforeAll(async () => {
    // a script is killable once it has run 1 ms (the default 5 s would make the test slow, not different)
    await env.redis.config('SET', 'busy-reply-threshold', '1');
  });
  afterAll(async () => {
    await env.redis.config('SET', 'busy-reply-threshold', '5000');
  });

  it('a killed live read is a retryable Redis failure, and the retry answers exactly', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('s26rh4a', [orders], START);
    const options = { ...common, bucketMs: QUARTER };
    const records = [...minuteOrders(1000, 5 * BATCH)];
    // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
    const applier = createBufferedApplier({ ...options, lateRecords: 'apply' });
    for (let i = 0; i < records.length; i += BATCH)
      await applier.apply({ records: records.slice(i, i + BATCH), shardId: 'shard-1' });
    const query = createQueryClient({
      client: env.ddb,
      table,
      rollups: [orders],
      liveSource: createRedisLiveSource({ ...options, redisTimeoutMs: 60_000 }),
      now: clock.now,
    });
    let error: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const kill = await killNextScript();
      error = await query.total(orders, { storeId: 's-1' }, 'all').then(
        () => undefined,
        (e: unknown) => e,
      );
      kill.stop();
      if (await kill.killed) break;
      expect(error).toBeUndefined(); // not killed: the read answered
    }
    // before the fix: REDIS_SCRIPT_FAILED, "a bug … report it"
    expect(error).toMatchObject({ code: 'REDIS_UNAVAILABLE', message: expect.stringMatching(/SCRIPT KILL/) });
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, ['s-1'])).toEqual(oracleTotals(records, ['s-1']));
  });

  it("a write script killed in its checks falls back to direct writes (onRedisDown: 'direct') and counts once", async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('s26rh4b', [orders], START);
    const options = { ...common, bucketMs: QUARTER, onRedisDown: 'direct' as const, redisTimeoutMs: 60_000 };
    const records = minuteOrders(1000, BATCH);
    const applier = createBufferedApplier({ ...options, lateRecords: 'apply' });
    await applier.apply({ records, shardId: 'shard-1' });
    let outcome: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const batch = minuteOrders(1000 + (attempt + 1) * BATCH, BATCH);
      records.push(...batch);
      const kill = await killNextScript();
      outcome = await applier.apply({ records: batch, shardId: 'shard-1' }).then(
        (r) => r.buffer.mode,
        (e: unknown) => e,
      );
      kill.stop();
      if (await kill.killed) break;
      expect(outcome).toBe('redis'); // not killed: buffered as usual
    }
    // before the fix: REDIS_SCRIPT_FAILED, and the batch waits for a retry
    expect(outcome).toBe('direct');
    clock.set(START + QUARTER);
    const flushed = await createFlusher(options).flushClosed(); // rejoins the shard: Redis holds none of it
    expect(flushed.fencesRejoined).toBe(1);
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, ['s-1'])).toEqual(oracleTotals(records, ['s-1']));
  });
});
