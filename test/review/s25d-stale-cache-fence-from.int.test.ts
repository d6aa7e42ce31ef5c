// Review s25d (Redis buffer, `onRedisDown: 'direct'`, a batch redelivered after Redis accepted it, to another
// Lambda container): the direct fallback opens its fence at the first record after the applier's CACHED watermark,
// although Redis has just told it a newer one. Container Y buffered orders 3–5 and failed before its checkpoint (a
// timeout, a dead-letter send that failed); the redelivery, orders 3–7, reaches container X, whose cache still
// says 2. X's write script answers `wm = 5` and X re-plans orders 6–7; that second script runs but its reply is
// lost (the blip that makes X fall back). X then writes directly from the first record after its cache — orders 3–7,
// although it knows 3–5 are in Redis — and opens the fence at order 3. At the rejoin, Redis holds orders 3–7 beyond
// `from` in two scripts (Y's and X's), which is not the journaled batch alone: `conflict`, orders 3–7 counted twice.
// Had the fence started after the watermark Redis reported (order 6), the journal (X's orders 6–7) would have been
// exactly the overlap and the rejoin would have reverted it: every order counted once.
// Observed: 8 orders, n = 13 after every bucket is flushed, rejoin `conflict` logged (an error line, not silent).
// Plain `it` asserts n = 8 and the rejoin `reverted`.
// Fixed on rev-d (this was the review's it.fails): the applier remembers the watermark a `wm` reply reports, so
// the fence starts after it.

import type { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { quietLogger, scanItems } from '../redis/harness.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const rec = orderRecords(1000);

/** `redis`, losing the reply of the next script that wrote a batch (`['ok', …]`): it ran, the caller sees a failure. */
function losingNextWrite(redis: Redis): { client: Redis; arm(): void } {
  let armed = false;
  const client = new Proxy(redis, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      if (prop !== 'evalsha' && prop !== 'eval') return (v as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        const out = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (armed && Array.isArray(out) && out[0] === 'ok') {
          armed = false;
          throw new Error('Connection is closed.');
        }
        return out;
      };
    },
  });
  return {
    client,
    arm: () => {
      armed = true;
    },
  };
}

describe('review s25d: the direct fallback fences from a stale cached watermark', () => {
  it('a redelivery whose re-planned script is in doubt is undone exactly at the rejoin', async () => {
    const { table, common } = await env.fixture('s25dsc', [orders], START);
    const logger = quietLogger();
    const direct = { ...common, onRedisDown: 'direct' as const, logger };
    const lossy = losingNextWrite(env.redis);
    const x = createBufferedApplier({ ...direct, redis: lossy.client }); // container X
    const y = createBufferedApplier(direct); // container Y
    const rs = Array.from({ length: 8 }, (_, i) => rec('s-1', START + i));
    await x.apply({ records: rs.slice(0, 2), shardId: 's-1' }); // orders 1–2, X caches watermark 2
    await y.apply({ records: rs.slice(2, 5), shardId: 's-1' }); // orders 3–5 buffered; Y dies before its checkpoint
    lossy.arm();
    const redelivery = await x.apply({ records: rs.slice(2, 7), shardId: 's-1' }); // orders 3–7, to X
    expect(redelivery.buffer.mode).toBe('direct');
    const next = await x.apply({ records: rs.slice(7, 8), shardId: 's-1' }); // order 8: rejoins the shard
    await createFlusher({ ...common, logger }).flushClosed({ all: true });
    const all = (await scanItems(env.ddb, table)).find((i) => i.sk?.S === 'ALL');
    // observed: { rejoined: 'conflict', n: '13' } — orders 3–7 in Redis (Y, X) and written directly (X)
    expect({ rejoined: next.buffer.rejoined, n: all?.n?.N }).toEqual({ rejoined: 'reverted', n: '8' });
  });
});
