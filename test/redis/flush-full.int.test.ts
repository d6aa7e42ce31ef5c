// A full Redis (`maxmemory-policy noeviction`, used memory over `maxmemory`) drains by itself also with the default
// `keepFlushedMs`: the flusher's lock, seal and done scripts run `allow-oom`, and a bucket flushed while Redis uses
// 90 % of its `maxmemory` or more is deleted at once instead of being kept for readers, so the writers' next batch
// fits. (test/review/s19-redis-maxmemory.int.test.ts covers `keepFlushedMs: 0`.)
import { describe, expect, it, vi } from 'vitest';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { fillUntilRefused, liftMaxmemory } from './full-redis.ts';
import { scanItems } from './harness.ts';
import { orderRecords, storeOrders } from './store-orders.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ name: 'full', granularities: ['all'] });

const env = useBufferEnv({ beforeClose: liftMaxmemory });

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const order = orderRecords(9000);
const rec = (store: string) => order(store, START);

describe('a full Redis drains with flushed buckets kept for readers', () => {
  it('deletes a bucket flushed near maxmemory at once, so the writers go on', async () => {
    const { table, clock, common } = await env.fixture('full', [orders], START);
    const applier = createBufferedApplier(common);
    const flusher = createFlusher({ ...common, graceMs: 0 }); // keepFlushedMs: the default 5 minutes
    await applier.apply({ records: [rec('first')], shardId: 's-1' });
    // 1 MB of headroom: what the flush frees must outweigh Redis' own fluctuating overhead (Lua, client buffers)
    const refused = await fillUntilRefused(env.redis, applier, rec, 1024 * 1024);
    expect(refused).toMatch(/OOM/);
    clock.advance(2 * 60_000);
    const report = await flusher.flushClosed();
    expect(report.buckets).toBe(1);
    // the flushed bucket is gone (not kept for readers), so the next batch fits
    expect(await env.redis.zcard(`${common.keyPrefix}done`)).toBe(0);
    expect(await env.redis.keys(`${common.keyPrefix}d:*`)).toEqual([]);
    await applier.apply({ records: [rec('after')], shardId: 's-1' });
    clock.advance(2 * 60_000);
    await flusher.flushClosed();
    const rows = await scanItems(env.ddb, table);
    expect(['first', 'after'].map((s) => rows.find((i) => i.pk?.S === `full#s${s}`)?.n?.N)).toEqual([
      '1',
      '1',
    ]);
  });
});
