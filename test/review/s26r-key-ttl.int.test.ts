// Review s26r, H2: `keyTtlMs` was not checked against the buffer's bucket widths or the redelivery horizon. Every
// buffer key expires `keyTtlMs` after its last write, in Redis' own (real) time; the options only required a
// positive number. Real, fixed: two ways a short expiry lost or doubled counts silently.
// 1. A cell written early in a bucket, and not touched again, expires before its bucket closes: the flusher finds
//    the bucket (its index keys are refreshed by later writes to other groups) without that group, and the count
//    is gone. Observed before the fix: { s-1: 0, s-2: 1 } against the oracle's { s-1: 1, s-2: 1 }.
// 2. A bucket width far below the expiry is not enough either: the shard's watermark (`s:<shard>`) expires too, and
//    a redelivery of the shard's last batch after that — DynamoDB Streams may redeliver a record for 24 hours —
//    is buffered again and flushed a second time. Observed before the fix: { s-1: 2 } against { s-1: 1 }.
// Now a configuration that allows either fails when it is defined: `CONFIG_INVALID` from createBufferedApplier,
// createFlusher and createRedisLiveSource (they must agree), saying that `keyTtlMs` must be at least the widest
// flush bucket (and the flusher's grace) plus 24 hours; `flusher.start()` refuses an interval that would let a
// bucket expire before the next tick. Each test builds the buffer with the bad setting and, should that be
// accepted, runs the scenario against the oracle: on the old code they fail on the counts.
import { describe, expect, it, vi } from 'vitest';
import {
  type BufferedApplier,
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
  type Flusher,
} from '../../packages/dynotally/src/redis/index.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { oracleTotals, readTotals } from './s26r-totals.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const QUARTER = 15 * 60_000;
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The buffer's parts built with `options`, or the error the first refusal threw. */
function build<T extends object>(
  options: T & Parameters<typeof createBufferedApplier>[0],
): { applier: BufferedApplier; flusher: Flusher } | { error: unknown } {
  try {
    const parts = { applier: createBufferedApplier(options), flusher: createFlusher(options) };
    createRedisLiveSource(options);
    return parts;
  } catch (error) {
    return { error };
  }
}

function expectRefused(built: ReturnType<typeof build>, what: RegExp): void {
  expect('error' in built ? built.error : 'accepted').toMatchObject({
    code: 'CONFIG_INVALID',
    message: expect.stringMatching(what),
  });
}

describe('review s26r H2: keyTtlMs against the bucket widths and the redelivery horizon', () => {
  it('an expiry shorter than a flush bucket is refused when defined, or loses nothing', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('s26rh2a', [orders], START);
    const options = { ...common, bucketMs: QUARTER, keyTtlMs: 1_500 };
    const built = build(options);
    const rec = orderRecords(1000);
    const records = [rec('s-1', START), rec('s-2', START + 13 * 60_000)];
    if ('applier' in built) {
      // s-1 at 12:01; 1.5 s later (Redis' time) its cell has expired; s-2 at 12:14 keeps the bucket's index alive
      await built.applier.apply({ records: records.slice(0, 1), shardId: 'shard-1' });
      await sleep(2_000);
      clock.set(START + 13 * 60_000);
      await built.applier.apply({ records: records.slice(1), shardId: 'shard-1' });
      clock.set(START + QUARTER);
      await built.flusher.flushClosed();
      const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
      expect(await readTotals(reader, orders, ['s-1', 's-2'])).toEqual(oracleTotals(records, ['s-1', 's-2']));
    }
    expectRefused(built, /keyTtlMs .*at least .*900000.* \+ 24 hours/);
    // the same for a wider bucket of a row kind, and for a flusher's grace
    expectRefused(build({ ...options, keyTtlMs: DAY, rowBucketMs: { all: 3_600_000 } }), /rowBucketMs\.all/);
    const tight = { ...common, bucketMs: QUARTER, keyTtlMs: DAY + QUARTER };
    expect(() => createFlusher({ ...tight, graceMs: 60_000 })).toThrow(/graceMs/);
    expect(() => createRedisLiveSource({ ...tight, keyTtlMs: DAY - 1 })).toThrow(/at least 24 hours/);
    // the least that is enough for the buckets; the applier also wants 25 hours for its shard watermarks
    // (test/redis/late-buffered.int.test.ts)
    expect(() => createBufferedApplier(tight)).toThrow(/at least 25 hours/);
    expect(() => createBufferedApplier({ ...tight, keyTtlMs: DAY + 3_600_000 })).not.toThrow();
    // a flush cadence slower than the expiry allows
    const flusher = createFlusher({ ...common, bucketMs: QUARTER, keyTtlMs: 2 * DAY });
    expect(() => flusher.start(2 * DAY)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('an expiry shorter than the redelivery horizon is refused when defined, or counts a redelivery once', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('s26rh2b', [orders], START);
    // 1-second buckets: a 2-second expiry outlives every bucket, but not the shard's watermark
    const options = { ...common, bucketMs: 1_000, keyTtlMs: 2_000 };
    const built = build(options);
    const batch = [orderRecords(1000)('s-1', START)];
    if ('applier' in built) {
      await built.applier.apply({ records: batch, shardId: 'shard-1' });
      clock.advance(20_000);
      await built.flusher.flushClosed();
      await sleep(2_500); // the shard's watermark expires
      // the same batch, redelivered to another Lambda container (a fresh applier: no cached watermark)
      await createBufferedApplier(options).apply({ records: batch, shardId: 'shard-1' });
      clock.advance(20_000);
      await built.flusher.flushClosed();
      const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
      expect(await readTotals(reader, orders, ['s-1'])).toEqual(oracleTotals(batch, ['s-1']));
    }
    expectRefused(built, /keyTtlMs .*at least .* \+ 24 hours/);
  });
});
