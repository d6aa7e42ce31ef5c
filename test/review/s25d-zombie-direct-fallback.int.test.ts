// Review s25d (Redis buffer, `onRedisDown: 'direct'`, a shard moving between stream workers): the buffered applier
// ignores `ApplyInput.leaseHeld`. The stream worker hands every batch `leaseHeld`, and the direct `Applier` sends
// each request through `fencedClient`, so a worker that lost its lease (a pause, a partition) stops with
// `LEASE_LOST` before writing. The buffered applier never looks at it, and does not pass it to its inner direct
// applier: a zombie worker whose Redis calls time out (the same pause or partition that cost it the lease) opens a
// fence and writes its stale batch straight to DynamoDB, although the new owner has already buffered those records
// in Redis. The rejoin then finds the new owner's batch as the shard's journal and, because that batch starts at
// the fence's `from`, "reverts" it whole — including the records after the fence's `to`, which only Redis held —
// and moves the shard's watermark BACK to the fence's `to`. Those records were checkpointed by the new owner and
// are never delivered again: counts are lost silently (a warn-level "reverted", no conflict). (Had the new owner
// buffered two batches, the rejoin reports `conflict`: the zombie's records are counted twice.)
// Observed: 8 orders, the all-time row holds n = 6 after every bucket is flushed; the zombie's apply succeeded
// (`mode: 'direct'`).
// Plain `it` would assert the zombie's batch is refused with LEASE_LOST and n = 8.
// Fixed on rev-d (this was the review's it.fails): the buffered applier checks `leaseHeld` like the direct applier — it sends its DynamoDB requests
// (extrema, fence, direct writes) through `fencedClient` and passes `leaseHeld` to its inner `Applier`. (Making the
// rejoin refuse to revert a journaled batch that ends after the fence's `to` is no fix: with one consumer, a batch
// bisected after an in-doubt script legitimately ends there, and its rest is delivered again.)
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { quietLogger, scanItems } from '../redis/harness.ts';
import { startRelay } from '../redis/linked-replica.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const rec = orderRecords(1000);

describe('review s25d: a zombie worker falls back to direct writes after losing its lease', () => {
  let zombieRedis: Redis | undefined;
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  afterAll(async () => {
    zombieRedis?.disconnect();
    await relay?.close();
  });

  it('a worker that lost the lease writes nothing, and every order is counted once', async () => {
    const { table, common } = await env.fixture('s25dzb', [orders], START);
    relay = await startRelay(env.server.port);
    zombieRedis = new Redis(`redis://127.0.0.1:${relay.port}`, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    zombieRedis.on('error', () => {}); // the cut connection: reported to the applier as REDIS_UNAVAILABLE
    const logger = quietLogger();
    const direct = { ...common, onRedisDown: 'direct' as const, logger };
    // worker A (becomes the zombie) and worker B (takes the shard over): same shard, same buffer
    const a = createBufferedApplier({ ...direct, redis: zombieRedis, redisTimeoutMs: 500 });
    const b = createBufferedApplier(direct);
    const rs = Array.from({ length: 8 }, (_, i) => rec('s-1', START + i));
    // A holds the lease: orders 1–2 buffered, checkpointed
    await a.apply({ records: rs.slice(0, 2), shardId: 's-1', leaseHeld: () => true });
    // A stalls and is cut off from Redis; its lease expires and B takes the shard from the checkpoint
    relay.cut();
    await b.apply({ records: rs.slice(2, 6), shardId: 's-1', leaseHeld: () => true }); // orders 3–6, checkpointed
    // A wakes up with its stale delivery (orders 3–4) and a lease it no longer holds
    const zombie = await a.apply({ records: rs.slice(2, 4), shardId: 's-1', leaseHeld: () => false }).then(
      (r) => r.buffer.mode,
      (e: { code?: string }) => e.code,
    );
    // B goes on: orders 7–8 (its first batch after the fence rejoins the shard)
    await b.apply({ records: rs.slice(6, 8), shardId: 's-1', leaseHeld: () => true });
    await createFlusher({ ...common, logger }).flushClosed({ all: true });
    const all = (await scanItems(env.ddb, table)).find((i) => i.sk?.S === 'ALL');
    // observed: { zombie: 'direct', n: '6' }: orders 5 and 6 were subtracted by the rejoin's "revert" and never
    // buffered again
    expect({ zombie, n: all?.n?.N }).toEqual({ zombie: 'LEASE_LOST', n: '8' });
  });
});
