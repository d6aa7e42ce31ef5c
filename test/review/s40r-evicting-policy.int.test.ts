// Review s40r (Redis buffer under an evicting `maxmemory-policy`): docs/redis-buffer.md (*Guarantees*, Durability)
// asks for `maxmemory-policy noeviction` ("a write that does not fit fails the batch instead of evicting a bucket"),
// but nothing checks it. Every buffer key but `id` carries a TTL, so under any `volatile-*` policy (ElastiCache's
// default is `volatile-lru`) as under `allkeys-*`, a Redis that reaches `maxmemory` (a flusher down for a while, a
// burst) evicts buffered cells (`d:<bucket>:<pk>`), bucket indexes, shard watermarks and the seal instead of
// refusing the next batch: the batches are reported applied, checkpointed by the stream, and their counts never
// reach DynamoDB. Silently: no error, no dead letter, no log line; the flush reports success.
// Observed (before the fix): every batch applied; the flush wrote fewer orders than were buffered (thousands
// missing of 6,001 under `volatile-lru`, maxmemory 512 KB over what Redis used).
// Expected: no batch the applier reports applied is lost; a Redis that may evict buffer keys is refused loudly.
// Fixed (session 40, redis/eviction-policy.ts): the buffered applier reads `INFO memory` once per instance, before
// its first write (TableBufferCheck), and refuses a Redis with a `maxmemory` and a policy other than `noeviction`
// with CONFIG_INVALID (`details.policy`), before anything is buffered: the stream retries the batch (the worker waits
// the refusal out, never dead-letters it; `dynotally worker --redis` refuses at start). The flusher, which only moves
// counts out of Redis and frees memory, flushes what is there and logs the same message once at error level.
import { describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { usedMemory } from '../redis/full-redis.ts';
import { quietLogger, scanItems } from '../redis/harness.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['all'] });

const env = useBufferEnv({
  beforeClose: async (e) => {
    await e.redis.config('SET', 'maxmemory', '0').catch(() => {});
    await e.redis.config('SET', 'maxmemory-policy', 'noeviction').catch(() => {});
  },
});

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const order = orderRecords(1000);
const rec = (store: string) => order(store, START);

const codeOf = (e: unknown): string => (isDynotallyError(e) ? e.code : String(e));

describe('review s40r: a Redis that may evict buffer keys', () => {
  it('never loses a batch the applier reported applied (volatile-lru, over maxmemory)', async () => {
    const { table, clock, common } = await env.fixture('s40rev', [orders], START);
    await env.redis.config('SET', 'maxmemory-policy', 'volatile-lru');
    await env.redis.config('SET', 'maxmemory', String((await usedMemory(env.redis)) + 512 * 1024));
    const applier = createBufferedApplier(common);
    let applied = 0;
    const refusals: string[] = [];
    const first = await applier.apply({ records: [rec('first')], shardId: 's-1' }).then(
      () => 'applied',
      (e: unknown) => codeOf(e),
    );
    if (first === 'applied') applied += 1;
    else refusals.push(first);
    for (let i = 0; i < 6 && first === 'applied'; i++) {
      const batch = Array.from({ length: 1_000 }, (_, j) => rec(`store-${i}-${j}-${'x'.repeat(40)}`));
      await applier.apply({ records: batch, shardId: 's-1' }).then(
        () => {
          applied += batch.length;
        },
        (e: unknown) => refusals.push(codeOf(e)),
      );
    }
    // the flusher flushes what is there (it only frees memory) and says once, at error level, what is wrong
    await env.redis.config('SET', 'maxmemory', '0');
    clock.advance(2 * 60_000);
    const logger = quietLogger();
    const flusher = createFlusher({ ...common, graceMs: 0, logger });
    await env.redis.config('SET', 'maxmemory', String((await usedMemory(env.redis)) + 512 * 1024));
    const flush = await flusher.flushClosed().then(
      (r) => `flushed ${r.buckets}`,
      (e: unknown) => codeOf(e),
    );
    await env.redis.config('SET', 'maxmemory', '0');
    await env.redis.config('SET', 'maxmemory-policy', 'noeviction');
    await createFlusher({ ...common, graceMs: 0 }).flushClosed();
    const said = logger.lines.filter(
      (l) => l.level === 'error' && /maxmemory-policy volatile-lru/.test(l.message),
    );
    const counted = (await scanItems(env.ddb, table))
      .filter((i) => i.pk?.S?.startsWith('orders#') === true)
      .reduce((n, i) => n + Number(i.n?.N ?? 0), 0);
    // observed: { first: 'applied', refusals: [], flush: 'flushed 0', said: 0, lost: 6001 } — the flush found no
    // bucket: every one of the 6,001 orders the applier reported applied was evicted
    expect({ first, refusals, flush, said: said.length, lost: applied - counted }).toEqual({
      first: 'CONFIG_INVALID',
      refusals: ['CONFIG_INVALID'],
      flush: 'flushed 0',
      said: 1,
      lost: 0,
    });
  });
});
