// Review s40y (the eviction check of review s40r, redis/eviction-policy.ts): the buffered applier read `INFO memory`
// once per instance, before its first batch, and never again. Its refusal tells the operator to run `CONFIG SET
// maxmemory-policy noeviction`, which is not kept across a restart (without `CONFIG REWRITE`) and is not replicated:
// a Redis restarted from a `redis.conf` saying `volatile-lru`, or a failover to a replica configured otherwise (or a
// parameter group changed, which applies at run time), evicts buffer keys again, while every applier that passed the
// check once (a stream worker runs for weeks, reconnecting on its own) buffers on, and counts are lost silently — the
// very loss the check was added against.
// Observed (before the fix): after the policy turned to `volatile-lru` (maxmemory set) under a running applier, its
// next batch, minutes later, is applied: 'applied'.
// Expected: the applier notices within a bounded time and refuses its batches (CONFIG_INVALID, retried by the stream)
// until the policy is `noeviction` again.
// Fixed (session 40, redis/buffer-owner.ts `TableBufferCheck`): the policy is read again when the last reading is a
// minute old or more on the applier's (the flusher's) clock: one `INFO memory` a minute per instance, off the claim,
// which is still made once. The refusal message says to persist the setting on every node.
import { describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['all'] });
const env = useBufferEnv({
  beforeClose: async (e) => {
    await e.redis.config('SET', 'maxmemory', '0').catch(() => {});
    await e.redis.config('SET', 'maxmemory-policy', 'noeviction').catch(() => {});
  },
});
const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const rec = orderRecords(1000);

const outcomeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'applied',
    (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
  );

describe('review s40y: a policy that turns evicting under a running applier', () => {
  it('is refused within a minute of its clock, and accepted again once it is noeviction', async () => {
    const { clock, common } = await env.fixture('s40ypr', [orders], START);
    const applier = createBufferedApplier(common);
    const outcomes: string[] = [];
    outcomes.push(await outcomeOf(applier.apply({ records: [rec('s-1', START)], shardId: 's-1' })));
    // a restart from a redis.conf saying volatile-lru, or a failover to a replica configured so
    await env.redis.config('SET', 'maxmemory', '1gb');
    await env.redis.config('SET', 'maxmemory-policy', 'volatile-lru');
    clock.advance(2 * 60_000);
    outcomes.push(await outcomeOf(applier.apply({ records: [rec('s-2', clock.now())], shardId: 's-1' })));
    outcomes.push(await outcomeOf(applier.apply({ records: [rec('s-2', clock.now())], shardId: 's-1' })));
    await env.redis.config('SET', 'maxmemory-policy', 'noeviction');
    outcomes.push(await outcomeOf(applier.apply({ records: [rec('s-2', clock.now())], shardId: 's-1' })));
    // observed: ['applied', 'applied', 'applied', 'applied']
    expect(outcomes).toEqual(['applied', 'CONFIG_INVALID', 'CONFIG_INVALID', 'applied']);
  });
});
