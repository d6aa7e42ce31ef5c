// Review s26r, H1: a Redis failover (a replica promoted, the writes since the last replication lost) AFTER a bucket
// was flushed to DynamoDB by a regular flush. Can a flushed bucket be flushed again (double count), or a batch lost?
// The failover is real: a replica linked through a relay that is cut (a partition; the primary keeps serving the
// writers and the flusher), then promoted with `REPLICAOF NO ONE`; the buffer's clients move to it.
//
// 1. Verdict: no. The promoted replica still lists the flushed bucket as open (the flush's `done` step is lost, and
//    so is the seal), holding only the batches it had received. Its re-flush finds every row's marker at the bucket
//    and skips it (`rowsAlreadyApplied`); the batch the replica never received is not lost, since DynamoDB holds it
//    from the flush before the failover; readers skip the reappeared bucket by the same markers. This test fails
//    on plausible broken code: a flush condition that is not "marker below the bucket" (e.g. marker ≠ bucket), a
//    re-flush that does not condition on the marker, or a reader that adds a bucket listed in Redis regardless.
// 2. Real, not fixed (`it.fails`): the lost batch's shard watermark is lost with it. If the stream redelivers that
//    batch after the failover — its checkpoint had not moved: the consumer crashed after buffering it, or its
//    dead-letter send failed (docs/redis-buffer.md gives that case) — the promoted Redis takes it as new and puts it
//    in an open bucket, which is flushed again: the batch is counted twice, silently. The same class as
//    s25d-failover-lost-move (a write DynamoDB acted on, then lost by Redis), without `flush --all` or the
//    `'direct'` fallback: a regular flush is enough. Observed: { s-1: 3, s-3: 2 } against the oracle's { s-1: 2,
//    s-3: 1 }. A fix would have to keep shard watermarks durably beside what the flush wrote (e.g. the flusher
//    copying each shard's watermark at the seal into the aggregate table, and the applier refusing a batch at or
//    below it when Redis has a lower one); the documented remedy is a failover that loses no acknowledged write.
// 3. Fixed for a Redis with replicas by `waitReplicas` (the last test): batch B is not reported done while only the
//    primary holds it, and the flush that would absorb it is refused before DynamoDB.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { scanItems } from '../redis/harness.ts';
import { type LinkedReplica, linkedReplica } from '../redis/linked-replica.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { oracleTotals, readTotals } from './s26r-totals.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0); // 12:01: the open 15-minute bucket closes at 12:15
const QUARTER = 15 * 60_000;
const STORES = ['s-1', 's-2', 's-3'];

describe('review s26r H1: a failover after a regular flush', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  /**
   * Buffers batch A (replicated) and batch B (acknowledged by the primary only), flushes bucket 12:15 on the
   * primary, then fails over to the replica.
   */
  async function flushThenFailover(prefix: string) {
    const { table, keyPrefix, clock, common } = await env.fixture(prefix, [orders], START);
    const replica: LinkedReplica = await linkedReplica(env.server.port);
    stops.push(() => replica.stop());
    const options = { ...common, bucketMs: QUARTER };
    const rec = orderRecords(1000);
    const a = [rec('s-1', START), rec('s-2', START)];
    const b = [rec('s-1', START + 4 * 60_000), rec('s-3', START + 4 * 60_000)];
    await createBufferedApplier(options).apply({ records: a, shardId: 'shard-1' });
    expect(await env.redis.call('WAIT', '1', '10000')).toBe(1); // the replica has batch A
    replica.cut(); // a partition: the primary keeps acknowledging
    clock.set(START + 4 * 60_000);
    await createBufferedApplier(options).apply({ records: b, shardId: 'shard-1' }); // on the primary only
    clock.set(START + QUARTER); // 12:16: bucket 12:15 closed (grace 10 s)
    const flushed = await createFlusher(options).flushClosed();
    expect({ buckets: flushed.buckets, written: flushed.rowsWritten }).toEqual({ buckets: 1, written: 6 });
    // the failover: the replica is promoted and every client of the buffer moves to it
    await replica.client.replicaof('NO', 'ONE');
    const onReplica = { ...options, redis: replica.client };
    const reader = { redis: replica.client, client: env.ddb, table, keyPrefix, now: clock.now };
    return { rec, a, b, clock, onReplica, reader };
  }

  it('a bucket flushed before the failover is neither flushed again nor loses the batch the replica missed', async () => {
    const { rec, a, b, clock, onReplica, reader } = await flushThenFailover('s26rh1a');
    // the replica lists bucket 12:15 as open again, with batch A only
    expect(await onReplica.redis.zrangebyscore(`${onReplica.keyPrefix}open`, '-inf', '+inf')).toEqual([
      String(START - 60_000 + QUARTER),
    ]);
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals([...a, ...b], STORES));
    // the writers go on (12:16 → bucket 12:30); the next regular flush re-runs bucket 12:15
    const c = [rec('s-1', START + QUARTER)];
    await createBufferedApplier(onReplica).apply({ records: c, shardId: 'shard-1' });
    const again = await createFlusher(onReplica).flushClosed();
    expect({ written: again.rowsWritten, alreadyApplied: again.rowsAlreadyApplied }).toEqual({
      written: 0,
      alreadyApplied: 4, // batch A's rows: s-1 and s-2, day and all
    });
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals([...a, ...b, ...c], STORES));
    clock.set(START + 2 * QUARTER); // 12:31: bucket 12:30 closed
    await createFlusher(onReplica).flushClosed();
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals([...a, ...b, ...c], STORES));
  });

  it.fails('a flushed batch redelivered after the failover is not counted twice', async () => {
    const { a, b, clock, onReplica, reader } = await flushThenFailover('s26rh1b');
    // batch B's checkpoint had not moved (say its dead-letter send failed): the stream redelivers it
    await createBufferedApplier(onReplica).apply({ records: b, shardId: 'shard-1' });
    clock.set(START + 2 * QUARTER);
    await createFlusher(onReplica).flushClosed();
    // observed: { s-1: 3, s-2: 1, s-3: 2 }: batch B is in DynamoDB twice
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals([...a, ...b], STORES));
  });

  // The fix for the double count above: with `waitReplicas`, batch B is not reported done while only the primary
  // has it (the stream keeps it and redelivers it), and the flush that would absorb it is refused before DynamoDB;
  // after the failover the redelivery is buffered on the promoted Redis and flushed once.
  it('with waitReplicas, a batch the replica lacks is neither acknowledged nor flushed, and its redelivery counts once', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('s26rh1w', [orders], START);
    const replica: LinkedReplica = await linkedReplica(env.server.port);
    stops.push(() => replica.stop());
    // the buffer's client, moved to the promoted replica at the failover (as a Sentinel-aware client does)
    let primary: Redis = env.redis;
    const redis = new Proxy(env.redis, {
      get: (_, prop) => {
        const v = Reflect.get(primary, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(primary) : v;
      },
    });
    const options = { ...common, redis, bucketMs: QUARTER, waitReplicas: { min: 1, timeoutMs: 1_000 } };
    const rec = orderRecords(1000);
    const a = [rec('s-1', START), rec('s-2', START)];
    const b = [rec('s-1', START + 4 * 60_000), rec('s-3', START + 4 * 60_000)];
    const applier = createBufferedApplier(options);
    await applier.apply({ records: a, shardId: 'shard-1' }); // returns once replicated
    replica.cut(); // the partition, BEFORE batch B
    clock.set(START + 4 * 60_000);
    // B, delivered to another consumer: buffered on the primary only, so it fails and its checkpoint does not move
    await expect(
      createBufferedApplier(options).apply({ records: b, shardId: 'shard-1' }),
    ).rejects.toMatchObject({
      code: 'REDIS_NOT_REPLICATED',
    });
    // redelivered to the first: Redis holds B already (past what this applier remembered), the wait fails again
    await expect(applier.apply({ records: b, shardId: 'shard-1' })).rejects.toMatchObject({
      code: 'REDIS_NOT_REPLICATED',
    });
    clock.set(START + QUARTER);
    await expect(createFlusher(options).flushClosed()).rejects.toMatchObject({
      code: 'REDIS_NOT_REPLICATED',
    });
    expect((await scanItems(env.ddb, table)).filter((i) => i.n !== undefined)).toEqual([]);
    // the failover; the promoted Redis gets a replica of its own
    await replica.client.replicaof('NO', 'ONE');
    const next = await linkedReplica(replica.port);
    stops.push(() => next.stop());
    primary = replica.client;
    // the stream redelivers B to the same applier: what it remembered of the shard must not skip it
    expect((await applier.apply({ records: b, shardId: 'shard-1' })).buffer.mode).toBe('redis');
    clock.set(START + 2 * QUARTER);
    await createFlusher(options).flushClosed();
    const reader = { redis: replica.client, client: env.ddb, table, keyPrefix, now: clock.now };
    expect(await readTotals(reader, orders, STORES)).toEqual(oracleTotals([...a, ...b], STORES));
  });
});
