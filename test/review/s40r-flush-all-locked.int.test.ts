// Review s40r (`dynotally flush --all`, `runFlushOnce({ all: true })`, while another flusher holds the lock): the
// flush that must leave nothing in Redis — docs/cli.md's hand-over of a table to a new buffer runs
// `dynotally flush --all … && dynotally buffer forget …` — skipped the whole flush when it found the lock taken (a
// worker's `--flush-every` flush under way, or a flusher killed mid-flush, whose lease lives on for `lockMs`),
// printed "another flusher holds the lock: nothing done (run again later)" and exited 0. The `&&` then forgot the
// table's buffer with the open buckets still in the old Redis, which nothing flushes any more: counts lost.
// Observed (before the fix): the report says `skipped: 'locked'`, nothing flushed, no error (exit 0); a lock held
// past the wait is likewise a success.
// Expected: a flush of everything waits for the lock (the other flush ends, or a dead flusher's lease runs out) and
// then flushes; a lock held for longer than it waits is an error (exit 1), never a success with nothing done.
// Fixed (session 40, redis/run-flush-once.ts): with `all`, a locked flush is tried again every second (a tenth of
// `lockMs` when shorter) for up to twice `lockMs` (a flusher killed mid-flush holds it at most `lockMs`), saying
// so; still locked, it fails with FLUSH_LOCKED (exit 1). Without `all` a locked flush is still no error.
import { describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, runFlushOnce } from '../../packages/dynotally/src/redis/index.ts';
import { scanItems } from '../redis/harness.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['all'] });
const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const rec = orderRecords(1000);

const counted = async (table: string): Promise<string | undefined> =>
  (await scanItems(env.ddb, table)).find((i) => i.pk?.S === 'orders#ss-1')?.n?.N;

describe('review s40r: flush --all while another flusher holds the lock', () => {
  it('waits for a lock whose holder died mid-flush, then flushes everything', async () => {
    const { table, keyPrefix, common } = await env.fixture('s40rlk', [orders], START);
    await createBufferedApplier(common).apply({ records: [rec('s-1', START)], shardId: 's-1' });
    // a flusher killed mid-flush: its lease lives on for a while
    await env.redis.set(`${keyPrefix}lock`, 'dead-flusher', 'PX', 1_500);
    const lines: string[] = [];
    const report = await runFlushOnce({ ...common, all: true, lockMs: 2_000, out: (l) => lines.push(l) });
    // observed: { skipped: 'locked', buckets: 0, n: undefined }
    expect({ skipped: report.skipped, buckets: report.buckets, n: await counted(table) }).toEqual({
      skipped: undefined,
      buckets: 1,
      n: '1',
    });
    expect(lines.some((l) => /waiting/.test(l))).toBe(true);
  });

  it('fails (FLUSH_LOCKED) when the lock stays taken for longer than it waits: never a success with nothing done', async () => {
    const { table, keyPrefix, common } = await env.fixture('s40rlk2', [orders], START);
    await createBufferedApplier(common).apply({ records: [rec('s-1', START)], shardId: 's-1' });
    await env.redis.set(`${keyPrefix}lock`, 'busy-flusher', 'PX', 30_000);
    const outcome = await runFlushOnce({ ...common, all: true, lockMs: 1_000 }).then(
      (r) => `resolved: skipped ${r.skipped}, ${r.buckets} bucket(s)`,
      (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
    );
    await env.redis.del(`${keyPrefix}lock`);
    // observed: 'resolved: skipped locked, 0 bucket(s)'
    expect({ outcome, n: await counted(table) }).toEqual({ outcome: 'FLUSH_LOCKED', n: undefined });
  });

  it('without all, a locked flush is still no error: nothing done, said so', async () => {
    const { keyPrefix, common } = await env.fixture('s40rlk3', [orders], START);
    await env.redis.set(`${keyPrefix}lock`, 'busy-flusher', 'PX', 30_000);
    const lines: string[] = [];
    const report = await runFlushOnce({ ...common, out: (l) => lines.push(l) });
    await env.redis.del(`${keyPrefix}lock`);
    expect(report.skipped).toBe('locked');
    expect(lines.join('\n')).toMatch(/another flusher holds the lock/);
  });
});
