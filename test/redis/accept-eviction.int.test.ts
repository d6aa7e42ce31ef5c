// `acceptEviction: true` (session 40, review s40e): the buffered applier on a Redis whose evicting policy cannot be
// changed (a managed offering fixing `volatile-lru`, a shared Redis). Without it the applier refuses such a Redis
// with CONFIG_INVALID (test/review/s40r-evicting-policy.int.test.ts, s40y-policy-recheck); with it, it buffers and
// logs one warning naming the policy, `maxmemory` and what can be lost, and its once-a-minute re-reading does not
// refuse either. A non-boolean is CONFIG_INVALID at construction.
import { describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { quietLogger, scanItems } from './harness.ts';
import { orderRecords, storeOrders } from './store-orders.ts';
import { useBufferEnv } from './use-buffer-env.ts';

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

const evicting = async (): Promise<void> => {
  await env.redis.config('SET', 'maxmemory', '1gb');
  await env.redis.config('SET', 'maxmemory-policy', 'volatile-lru');
};
const noEviction = async (): Promise<void> => {
  await env.redis.config('SET', 'maxmemory', '0');
  await env.redis.config('SET', 'maxmemory-policy', 'noeviction');
};

describe('acceptEviction: a Redis whose evicting policy cannot be changed', () => {
  it('applies the batches with one warning, also past the minute re-reading; refused without it', async () => {
    const { table, clock, common } = await env.fixture('s40eac', [orders], START);
    await evicting();
    try {
      // without the opt-in: refused, nothing buffered (as before)
      const refused = await outcomeOf(
        createBufferedApplier(common).apply({ records: [rec('s-0', START)], shardId: 's-0' }),
      );
      const logger = quietLogger();
      const applier = createBufferedApplier({ ...common, logger, acceptEviction: true });
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push(await outcomeOf(applier.apply({ records: [rec('s-1', clock.now())], shardId: 's-1' })));
        clock.advance(2 * 60_000); // past the re-reading's minute
      }
      const warnings = logger.lines.filter((l) => l.level === 'warn' || l.level === 'error');
      expect({ refused, outcomes, warnings: warnings.length }).toEqual({
        refused: 'CONFIG_INVALID',
        outcomes: ['applied', 'applied', 'applied'],
        warnings: 1,
      });
      expect(warnings[0]).toMatchObject({
        level: 'warn',
        message: expect.stringMatching(
          /^Redis has maxmemory 1073741824 with maxmemory-policy volatile-lru, accepted \(acceptEviction: true\): .*lost or counted twice, silently\. .*evicted_keys/,
        ),
        fields: { policy: 'volatile-lru', maxmemory: 1073741824, acceptEviction: true },
      });
      // what was accepted is counted: the flush moves the three orders
      await noEviction();
      await createFlusher({ ...common, graceMs: 0 }).flushClosed();
      const counted = (await scanItems(env.ddb, table))
        .filter((i) => i.pk?.S === 'orders#ss-1')
        .reduce((n, i) => n + Number(i.n?.N ?? 0), 0);
      expect(counted).toBe(3);
    } finally {
      await noEviction();
    }
  });

  it('warns again when the policy turns evicting after a reading found it fixed', async () => {
    const { clock, common } = await env.fixture('s40eag', [orders], START);
    const logger = quietLogger();
    const applier = createBufferedApplier({ ...common, logger, acceptEviction: true });
    try {
      const outcomes: string[] = [];
      for (const set of [evicting, noEviction, evicting]) {
        await set();
        outcomes.push(await outcomeOf(applier.apply({ records: [rec('s-1', clock.now())], shardId: 's-1' })));
        clock.advance(2 * 60_000);
      }
      expect({ outcomes, warnings: logger.lines.filter((l) => l.level === 'warn').length }).toEqual({
        outcomes: ['applied', 'applied', 'applied'],
        warnings: 2,
      });
    } finally {
      await noEviction();
    }
  });

  it('is CONFIG_INVALID at construction when not a boolean', async () => {
    const { common } = await env.fixture('s40eat', [orders], START);
    for (const given of ['yes', 'false', 1, null]) {
      let code = 'created';
      try {
        createBufferedApplier({ ...common, acceptEviction: given as unknown as boolean });
      } catch (e) {
        code = isDynotallyError(e, 'CONFIG_INVALID') ? `${e.code} ${String(e.details.option)}` : String(e);
      }
      expect(code, String(given)).toBe('CONFIG_INVALID acceptEviction');
    }
    expect(() => createBufferedApplier({ ...common, acceptEviction: false })).not.toThrow();
  });
});
