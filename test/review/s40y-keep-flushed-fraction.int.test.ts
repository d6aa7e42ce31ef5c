// Review s40y (createFlusher's options, review s40r's redis/flusher-options.ts): `keepFlushedMs` was checked as a
// finite number of 0 or more, and `lockMs` as a whole number, but `keepFlushedMs` also goes to `PEXPIRE` (the done
// script keeps a flushed bucket's keys that long), which Redis refuses for anything but a whole number. A
// fractional one (`bucketMs / 3` with 10-second buckets) failed the done script on every run: each run wrote the
// bucket's rows again (already applied) and failed with REDIS_SCRIPT_FAILED, "a bug", and no later bucket was ever
// flushed, until the keys expired after `keyTtlMs` and their counts were lost.
// Observed (before the fix): created, and every flush fails: 'REDIS_SCRIPT_FAILED'.
// Expected: refused at creation (CONFIG_INVALID naming keepFlushedMs), as a `lockMs` of 1.5 is.
// Fixed (session 40, redis/flusher-options.ts): `keepFlushedMs` must be a whole number of milliseconds.
import { describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['all'] });
const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const rec = orderRecords(1000);

describe('review s40y: a fractional keepFlushedMs', () => {
  it('is refused at creation, never a done script that fails on every run', async () => {
    const { clock, common } = await env.fixture('s40ykf', [orders], START);
    await createBufferedApplier(common).apply({ records: [rec('s-1', START)], shardId: 's-1' });
    clock.advance(20 * 60_000);
    const outcome = await (async () =>
      createFlusher({ ...common, keepFlushedMs: 10_000 / 3 }).flushClosed())().then(
      (r) => `flushed ${r.buckets}`,
      (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
    );
    // observed: 'REDIS_SCRIPT_FAILED'
    expect(outcome).toBe('CONFIG_INVALID');
  });
});
