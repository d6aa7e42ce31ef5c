// Review s26r, H3: the flusher ignores a failed renewal of its lock (`EXTEND_LOCK_SCRIPT`'s answer is not read), so
// a flusher whose lease ran out mid-bucket — a long GC pause, a slow DynamoDB — goes on flushing while another
// flusher holds the lock. Can the two then flush the same bucket twice, or one revert the other?
// Verdict: no. The lock only saves work; what makes a row's flush exactly-once is its condition: each row update
// applies only while the row's flush marker `_fb` is below the bucket, and a bucket is finished (by one of them)
// before either starts the next, so whatever the stale flusher still sends for an older bucket finds the marker at
// or past it and is skipped (`rowsAlreadyApplied`, billed as a failed conditional write). Nothing reverts: the only
// subtraction the flusher makes is a rejoin's revert, which never relied on the lock (appliers rejoin without it):
// the rejoin script records the fence it finished (`rj`), so a second rejoin of the same fence does nothing.
// The test pauses flusher A (lease 300 ms, one row at a time) after its first row of bucket 12:15, lets the lease
// run out, has flusher B flush 12:15, 12:30 and 12:45, then resumes A. It fails on plausible broken code: a flush
// condition "marker differs from the bucket" (A's late rows of 12:15 would be added again on rows B had moved to
// 12:30 / 12:45), or a row update without the condition.
// Since session 27 the lease renews itself on a timer while a flush runs (flush-lock.ts), so a flusher merely
// waiting keeps it; these tests cut A off Redis while it is paused (freezableRedis: its renewals wait), which is
// what a stopped process, a long GC or a partition does.
import { describe, expect, it, vi } from 'vitest';
import { listFences } from '../../packages/dynotally/src/redis/fence.ts';
import {
  createBufferedApplier,
  createFlusher,
  type FlushStep,
} from '../../packages/dynotally/src/redis/index.ts';
import { bucketId, shardTag } from '../../packages/dynotally/src/redis/keys.ts';
import { rejoinShard } from '../../packages/dynotally/src/redis/rejoin.ts';
import { freezableRedis } from '../redis/freezable-redis.ts';
import { quietLogger } from '../redis/harness.ts';
import { lossyReplies } from '../redis/lossy-replies.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { oracleTotals, readTotals } from './s26r-totals.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const QUARTER = 15 * 60_000;
const STORES = ['s-1', 's-2', 's-3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('review s26r H3: a flusher that lost its lock goes on flushing', () => {
  it('two flushers on the same buckets count every order once', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('s26rh3', [orders], START);
    const options = { ...common, bucketMs: QUARTER };
    const rec = orderRecords(1000);
    const applier = createBufferedApplier(options);
    const records = [
      [rec('s-1', START), rec('s-2', START), rec('s-3', START)], // bucket 12:15
      [rec('s-1', START + QUARTER), rec('s-2', START + QUARTER)], // bucket 12:30
      [rec('s-1', START + 2 * QUARTER), rec('s-3', START + 2 * QUARTER)], // bucket 12:45
    ];
    for (const [i, batch] of records.entries()) {
      clock.set(START + i * QUARTER);
      await applier.apply({ records: batch, shardId: 'shard-1' });
    }
    clock.set(START + 3 * QUARTER); // 12:46: the three buckets closed
    // flusher A stops after its first row until released, cut off Redis: its 300 ms lease runs out meanwhile
    let paused: () => void = () => {};
    const atPause = new Promise<void>((r) => (paused = r));
    let release: () => void = () => {};
    const released = new Promise<void>((r) => (release = r));
    let sixth: () => void = () => {};
    const atSixth = new Promise<void>((r) => (sixth = r));
    let rows = 0;
    const cut = freezableRedis(env.redis);
    const a = createFlusher({
      ...options,
      redis: cut.client,
      lockMs: 300,
      concurrency: 1,
      onStep: async (s: FlushStep) => {
        if (s.step !== 'row-written') return;
        if (++rows === 6) sixth();
        if (rows !== 1) return;
        cut.freeze();
        paused();
        await released;
      },
    });
    const aDone = a.flushClosed();
    await atPause;
    await sleep(600);
    const b = await createFlusher(options).flushClosed();
    expect({ skipped: b.skipped, buckets: b.buckets }).toEqual({ skipped: undefined, buckets: 3 });
    // writers go on meanwhile (bucket 13:00)
    const later = [rec('s-2', START + 3 * QUARTER)];
    await applier.apply({ records: later, shardId: 'shard-1' });
    // A goes on before its held renewal is answered (a zombie's rows can leave before it learns): it sends the
    // rest of 12:15, then waits for Redis to record the hints; only then does it reach Redis again
    release();
    await atSixth;
    await cut.thaw();
    const aReport = await aDone;
    const all = [...records.flat(), ...later];
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals(all, STORES));
    // A wrote one row of 12:15; the five rows it sent after its lease ran out were all found applied. Then it learns
    // that B holds the lock — before marking 12:15 done or just after (its held renewal and its hints reach Redis
    // together) — and stops: it never goes on to 12:30
    expect({ written: aReport.rowsWritten, alreadyApplied: aReport.rowsAlreadyApplied }).toEqual({
      written: 1,
      alreadyApplied: 5,
    });
    expect(aReport.buckets).toBeLessThanOrEqual(1);
    clock.set(START + 4 * QUARTER);
    await createFlusher(options).flushClosed();
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals(all, STORES));
  });

  // The rejoin of a fenced shard is the one flush step that subtracts. Flusher A (lease run out) and flusher B — or
  // an applier, which rejoins without the lock — may rejoin the same fence: A's script ran, A paused before it
  // deleted the fence, B read the fence and rejoined it too. Broken code that reverted again would lose the order.
  it('two rejoins of the same in-doubt fence revert its batch once', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('s26rh3rj', [orders], START);
    const direct = { ...common, bucketMs: QUARTER, onRedisDown: 'direct' as const };
    const lossy = lossyReplies(env.redis);
    const applier = createBufferedApplier({ ...direct, redis: lossy.client });
    const rec = orderRecords(1000);
    const rs = [rec('s-1', START), rec('s-1', START + 1), rec('s-1', START + 2)];
    await applier.apply({ records: rs.slice(0, 1), shardId: 'shard-1' });
    lossy.loseNext(); // order 2: Redis runs the script, the reply is lost; the batch is written directly too
    expect((await applier.apply({ records: rs.slice(1, 2), shardId: 'shard-1' })).buffer.mode).toBe('direct');
    const fences = await listFences(env.ddb, table);
    expect(fences.map((f) => f.tag)).toEqual([shardTag('arn:test:stream', 'shard-1')]);
    const ctx = {
      redis: env.redis,
      prefix: keyPrefix,
      client: env.ddb,
      table,
      timeoutMs: 10_000,
      keyTtlMs: 7 * 86_400_000,
      bucket: bucketId(clock.now(), QUARTER),
      bucketWidth: QUARTER,
      logger: quietLogger(),
    };
    const fence = fences[0] as (typeof fences)[number];
    const byA = await rejoinShard(ctx, fence);
    const byB = await rejoinShard(ctx, fence); // the same fence, read before A deleted it
    expect([byA?.status, byB?.status]).toEqual(['reverted', 'again']);
    await createBufferedApplier(direct).apply({ records: rs.slice(2), shardId: 'shard-1' }); // order 3, buffered
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, ['s-1'])).toEqual(oracleTotals(rs, ['s-1']));
    clock.set(START + QUARTER);
    await createFlusher(direct).flushClosed();
    expect(await readTotals(reader, orders, ['s-1'])).toEqual(oracleTotals(rs, ['s-1']));
  });

  // What the ignored renewal did cost: the stale flusher went on to the next buckets while another held the lock, so
  // the two worked through the same buckets (every row sent twice, the second billed as a failed condition). Review
  // s26r made it stop after its bucket (before that fix: A flushed 12:30 and 12:45 while B held the lock); since
  // session 27 its renewals run on a timer, and a flusher that learns it lost the lock stops before its next row.
  it('a flusher that finds its lock taken stops before its next row', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('s26rh3st', [orders], START);
    const options = { ...common, bucketMs: QUARTER };
    const rec = orderRecords(1000);
    const applier = createBufferedApplier(options);
    const records = [0, 1, 2].map((i) => [rec('s-1', START + i * QUARTER)]);
    for (const [i, batch] of records.entries()) {
      clock.set(START + i * QUARTER);
      await applier.apply({ records: batch, shardId: 'shard-1' });
    }
    clock.set(START + 3 * QUARTER);
    const gate = () => {
      let open: () => void = () => {};
      const opened = new Promise<void>((r) => (open = r));
      return { open, opened };
    };
    const aPaused = gate();
    const aGo = gate();
    const bPaused = gate();
    const bGo = gate();
    let aFirst = true;
    const cut = freezableRedis(env.redis);
    const aLogger = quietLogger();
    const a = createFlusher({
      ...options,
      redis: cut.client,
      logger: aLogger,
      lockMs: 300,
      concurrency: 1,
      onStep: async (s: FlushStep) => {
        if (s.step !== 'row-written' || !aFirst) return;
        aFirst = false;
        cut.freeze();
        aPaused.open();
        await aGo.opened;
      },
    });
    const b = createFlusher({
      ...options,
      onStep: async (s: FlushStep) => {
        if (s.step !== 'sealed') return;
        bPaused.open();
        await bGo.opened;
      },
    });
    const aDone = a.flushClosed();
    await aPaused.opened;
    await sleep(600); // A's lease runs out
    const bDone = b.flushClosed(); // B takes the lock and waits after sealing
    await bPaused.opened;
    await cut.thaw(); // A's held renewal finds B holding the lock
    aGo.open();
    const aReport = await aDone;
    bGo.open();
    const bReport = await bDone;
    // A wrote the first of 12:15's two rows and nothing after; B flushed all three buckets, A's row found applied
    expect({
      a: { buckets: aReport.buckets, written: aReport.rowsWritten },
      b: { buckets: bReport.buckets, alreadyApplied: bReport.rowsAlreadyApplied },
    }).toEqual({ a: { buckets: 0, written: 1 }, b: { buckets: 3, alreadyApplied: 1 } });
    expect(aLogger.lines.filter((l) => l.level === 'warn').map((l) => l.fields?.midBucket)).toEqual([true]);
    const reader = { redis: env.redis, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, ['s-1'])).toEqual(oracleTotals(records.flat(), ['s-1']));
  });
});
