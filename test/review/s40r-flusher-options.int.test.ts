// Review s40r (createFlusher's numeric options): only `bucketMs` and `keyTtlMs` were checked. `concurrency: 0` — or
// NaN, what `Number(process.env.FLUSH_CONCURRENCY)` gives when the variable is unset — made `mapLimit` start no
// worker, so every row of a bucket was skipped, and the bucket was then marked done: its counts were dropped from
// Redis without reaching DynamoDB, and the report said `rows: 1, rowsWritten: 0`, no error. A negative `graceMs`
// sealed (and flushed) buckets that had not closed yet, writing row markers from the future (the s19 invariant
// "no marker lies in the future" that keeps a Redis that lost its keys from dropping later writes); a NaN `graceMs`
// or `keepFlushedMs` failed inside the seal or done script on every run (REDIS_SCRIPT_FAILED / a bucket never done);
// a `lockMs` of 0 was refused by Redis (`SET … PX 0`) on every run.
// Observed (before the fix): `concurrency: 0` and NaN: the flush resolved, `rowsWritten: 0`, the order never
// reached DynamoDB and was gone from Redis; the other settings were accepted at creation.
// Expected: as the Applier does for its `concurrency` (CONFIG_INVALID at creation), every such setting refused when
// the flusher is created, naming it.
// Fixed (session 40, redis/flusher-options.ts): `concurrency` a whole number ≥ 1, `graceMs` and `keepFlushedMs`
// finite and ≥ 0, `lockMs` a whole number ≥ 1, else CONFIG_INVALID naming the option.
import { describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { scanItems } from '../redis/harness.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['all'] });
const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const rec = orderRecords(1000);

const outcomeOf = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
    return 'ran';
  } catch (e) {
    return isDynotallyError(e) ? e.code : String(e);
  }
};

describe('review s40r: createFlusher checks its numeric options', () => {
  it.each([
    ['concurrency 0', { concurrency: 0 }],
    ['concurrency NaN (an unset environment variable)', { concurrency: Number(undefined) }],
  ])('%s: refused at creation, never a flush that drops the bucket', async (_name, bad) => {
    const { table, clock, common } = await env.fixture('s40rfo', [orders], START);
    await createBufferedApplier(common).apply({ records: [rec('s-1', START)], shardId: 's-1' });
    clock.advance(20 * 60_000);
    const outcome = await outcomeOf(() => createFlusher({ ...common, ...bad }).flushClosed());
    if (outcome !== 'CONFIG_INVALID') await createFlusher(common).flushClosed(); // what is left, if anything
    const n = (await scanItems(env.ddb, table)).find((i) => i.pk?.S === 'orders#ss-1')?.n?.N;
    // observed: { outcome: 'ran', n: undefined } — the bucket marked done with its row never written
    expect({ outcome, n: outcome === 'CONFIG_INVALID' ? 'refused' : n }).toEqual({
      outcome: 'CONFIG_INVALID',
      n: 'refused',
    });
  });

  it.each([
    ['graceMs -60000 (buckets sealed before they close)', { graceMs: -60_000 }],
    ['graceMs NaN', { graceMs: Number.NaN }],
    ['keepFlushedMs NaN', { keepFlushedMs: Number.NaN }],
    ['lockMs 0', { lockMs: 0 }],
  ])('%s: refused at creation', async (_name, bad) => {
    const { common } = await env.fixture('s40rfo2', [orders], START);
    expect(await outcomeOf(async () => createFlusher({ ...common, ...bad }))).toBe('CONFIG_INVALID');
  });
});
