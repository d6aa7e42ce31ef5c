// The stored-value hints (`h:<pk>`: a wide value DynamoDB holds, recorded by the flusher after each chunk of rows,
// stored-hints.ts) written out of order by two flushers. Flusher A writes row R for bucket 12:01 and is cut off Redis
// before it records R's new value (a stopped process, a long GC); its lease runs out, flusher B flushes 12:01 (R
// found applied) and 12:02 (R written again, its hint recorded); then A's late hint lands. Before session 27 it
// overwrote B's: the hint said 1e20 while DynamoDB held 1e37 + 1e20, and a record of 0.5 that cannot be added to
// that (39 significant digits) was buffered, so the next flush met the overflow in DynamoDB and sent the whole row of
// its bucket — an innocent record's 1 as well — to the dead letter as ROW_REJECTED, a letter whose replay DynamoDB
// refuses the same way. Now each hint carries the flush marker of the write that produced it (`hv:<pk>`), and an
// older one never replaces a newer one: the 0.5 is refused at apply time as NUMBER_UNREPRESENTABLE, and the 1 flushes.
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  type FlushStep,
} from '../../packages/dynotally/src/redis/index.ts';
import { bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
import { allTimeTotals, amountRecords, amounts } from './amounts.ts';
import { freezableRedis } from './freezable-redis.ts';
import { MINUTE } from './harness.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis buffer: stored-value hints written out of order by two flushers', () => {
  it('a late hint from a flusher that lost its lease never replaces a newer one', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('hintorder', [amounts], START);
    const rec = amountRecords(START);
    const applier = createBufferedApplier(common);
    await applier.apply({ records: [rec('g', '1e20')], shardId: 's-1' }); // bucket 12:01
    clock.advance(MINUTE);
    await applier.apply({ records: [rec('g', '1e37')], shardId: 's-1' }); // bucket 12:02
    clock.advance(2 * MINUTE); // both closed, past the 10 s grace
    const cut = freezableRedis(env.redis);
    let paused: () => void = () => {};
    const atPause = new Promise<void>((r) => (paused = r));
    let first = true;
    const a = createFlusher({
      ...common,
      redis: cut.client,
      lockMs: 300,
      concurrency: 1,
      onStep: (s: FlushStep) => {
        if (s.step !== 'row-written' || !first) return;
        first = false; // A wrote R for 12:01 (DynamoDB: 1e20); its hint waits
        cut.freeze();
        paused();
      },
    });
    const aDone = a.flushClosed();
    await atPause;
    await sleep(600); // A's lease runs out
    const b = await createFlusher(common).flushClosed();
    expect({ buckets: b.buckets, written: b.rowsWritten, applied: b.rowsAlreadyApplied }).toEqual({
      buckets: 2,
      written: 1,
      applied: 1,
    });
    await cut.thaw(); // A's hint of 1e20 reaches Redis after B's
    await aDone;
    const stored = '10000000000000000100000000000000000000'; // 1e37 + 1e20
    expect(await allTimeTotals(env.ddb, table)).toEqual({ g: `2/${stored}` });
    expect(await env.redis.hget(bufferKeys(keyPrefix).hints('amounts#sg'), 'ALL|total')).toBe(stored);

    // 1e37 + 1e20 + 0.5 is 39 significant digits: refused now; + 1 fits (38)
    clock.advance(MINUTE);
    const r = await applier.apply({ records: [rec('g', '0.5'), rec('g', '1')], shardId: 's-1' });
    expect(r.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    clock.advance(2 * MINUTE);
    const letters: DeadLetter[] = [];
    const flushed = await createFlusher({
      ...common,
      deadLetter: { send: async (l) => void letters.push(...l) },
    }).flushClosed();
    expect({ deadLettered: flushed.rowsDeadLettered, letters: letters.map((l) => l.code) }).toEqual({
      deadLettered: 0,
      letters: [],
    });
    expect(await allTimeTotals(env.ddb, table)).toEqual({ g: '3/10000000000000000100000000000000000001' });
  });
});
