// Review s19 (Redis buffer, a full Redis under the documented `maxmemory-policy noeviction`): the docs say to size
// Redis so it never evicts, with `noeviction` so that "a write that does not fit fails the batch instead of evicting
// a bucket" — the batch is retried and the flusher frees the memory. But the flusher cannot run on a full Redis
// either: its first command is `SET lock … PX … NX`, a write Redis refuses with "OOM command not allowed when used
// memory > 'maxmemory'" (and SEAL_SCRIPT's `SET seal` would be refused next). `redisCall` turns that into
// REDIS_UNAVAILABLE, every flush fails the same way, nothing is ever flushed, so nothing is ever freed: every shard
// waits (its batches keep failing) and the buffered counts sit in Redis until `keyTtlMs` (7 days) expires them.
// Once used memory crosses the limit (the write script that crosses it still completes: Redis only checks at the
// first write of a script), the only way out is an operator raising `maxmemory` or deleting keys by hand.
// Observed: `flushClosed()` rejects with REDIS_UNAVAILABLE ("… OOM command not allowed …") and the buffered order
// never reaches DynamoDB.
// Expected: a full buffer is drained by the flusher (which only removes data from Redis), so the writers recover
// by themselves.
// Fixed (session 19): the flusher's lock, seal, done and rejoin scripts are declared `#!lua flags=allow-oom`
// (flush-scripts.ts), and a bucket flushed while Redis uses 90 % of `maxmemory` or more is deleted at once instead of
// being kept for readers (test/redis/flush-full.int.test.ts); this was the review's it.fails.
// Suggested fix: let the flusher's writes run when Redis is out of memory: take the lock and move the seal inside
// one Lua script declared `#!lua flags=allow-oom` (Redis 7 function/script flags), and mark the done script so too
// (`ZREM`/`PEXPIRE`/`DEL` free memory); with `keepFlushedMs` > 0, drop a flushed bucket's keys at once when Redis
// reports OOM. Document that memory must stay below `maxmemory` with headroom for the flusher.
import { describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { fillUntilRefused, liftMaxmemory } from '../redis/full-redis.ts';
import { scanItems } from '../redis/harness.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['all'] });

const env = useBufferEnv({ beforeClose: liftMaxmemory });

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const order = orderRecords(1000);
const rec = (store: string) => order(store, START);

describe('review s19: Redis full under maxmemory-policy noeviction', () => {
  it('the flusher drains the buffer, so the writers recover', async () => {
    const { table, clock, common } = await env.fixture('s19mem', [orders], START);
    const applier = createBufferedApplier(common);
    const flusher = createFlusher({ ...common, graceMs: 0, keepFlushedMs: 0 });
    await applier.apply({ records: [rec('first')], shardId: 's-1' });
    // the documented configuration, and a limit a little above what Redis holds now; the writers fill it: batches
    // of 1,000 new stores until Redis refuses one (the batch fails, as documented)
    const refused = await fillUntilRefused(env.redis, applier, rec, 256 * 1024);
    expect(refused).toMatch(/OOM/);
    clock.advance(2 * 60_000);
    const flushes: string[] = [];
    for (let i = 0; i < 3; i++) {
      flushes.push(
        await flusher.flushClosed().then(
          (r) => `flushed ${r.buckets} bucket(s)`,
          (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
        ),
      );
    }
    const first = (await scanItems(env.ddb, table)).find((i) => i.pk?.S === 'orders#sfirst');
    // observed: { flushes: 3 × 'REDIS_UNAVAILABLE' ("… failed to take the flusher lock: OOM command not allowed …"), first: undefined }
    expect({ flushes, first: first?.n?.N }).toEqual({
      flushes: ['flushed 1 bucket(s)', 'flushed 0 bucket(s)', 'flushed 0 bucket(s)'],
      first: '1',
    });
  });
});
