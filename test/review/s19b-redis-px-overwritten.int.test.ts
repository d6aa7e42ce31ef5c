// Review s19b (Redis buffer, `px`): a record left out for 38 digits is dead-lettered only after its batch is
// buffered; if the dead-letter send fails, the batch fails and the redelivery must report the record again, which
// it finds in the shard watermark's `px` (the sequence numbers the write script stored). But the write script
// *replaces* `px` with the records refused by the probe of *this* write only (ARGV[6]); the ones this delivery
// re-reported from `px` (`refusedBefore`, for records at or below the watermark) are not passed on. So when a
// redelivery carries the old batch plus newer records, one of which is refused too, and the send fails again (the
// sink is still down: the very situation that caused the first redelivery), `px` then names only the newer record:
// the next redelivery reports that one, and the first refused record is neither counted nor dead-lettered — lost.
// A worker that resumes from its checkpoint with a larger batch, or Lambda after a shard-iterator restart, delivers
// exactly such a superset.
// Observed: the third delivery's poison names only the second refused record (`1e-18`); `1e-19` is never reported
// and no dead letter for it ever reaches the sink.
// Expected: every delivery up to the one whose send succeeds reports both refused records.
// Suggested fix: pass the whole list of this delivery's refused records (the re-reported `ctx.refused` from `px`
// plus the probe's `refused`) as ARGV[6], and let the script write `px` also when the list is unchanged (or merge:
// `px` = old ∪ new, pruned of sequence numbers below the batch's first record once its send succeeded).
// Fixed (session 19): the write script adds the records it is told were left out to the old `px` instead of
// replacing it, and prunes `px` to the batch's first sequence number on (ARGV[10]): earlier records can never be
// redelivered to the shard, so `px` stays within one batch.
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { shardTag } from '../../packages/dynotally/src/redis/keys.ts';
import { amountOf, amountRecords, amounts } from '../redis/amounts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const rec = amountRecords(START);

describe('review s19b: px with two poisoned deliveries', () => {
  it('a redelivery that adds a newer refused record still reports the older one', async () => {
    const { keyPrefix, common } = await env.fixture('s19bpx', [amounts], START);
    let sinkUp = false;
    const sent: string[] = [];
    const applier = createBufferedApplier({
      ...common,
      deadLetter: {
        send: async (letters: DeadLetter[]) => {
          if (!sinkUp) throw new Error('dead-letter table throttled');
          for (const l of letters) sent.push(`${l.code} ${l.record?.dynamodb?.NewImage?.amount?.N}`);
        },
      },
    });
    const first = [rec('big', '1e20'), rec('big', '1e-19'), rec('other', '1')];
    // delivery 1: 1e-19 refused, batch buffered (px = its sequence), the send fails
    await expect(applier.apply({ records: first, shardId: 's-1' })).rejects.toThrow(/throttled/);
    // delivery 2: the same records plus newer ones (a resumed checkpoint), 1e-18 refused too; the send fails again
    const more = [...first, rec('big', '1e-18'), rec('other', '2')];
    await expect(applier.apply({ records: more, shardId: 's-1' })).rejects.toThrow(/throttled/);
    // delivery 3: the sink is back
    sinkUp = true;
    const r = await applier.apply({ records: more, shardId: 's-1' });
    const poison = r.poison.map((p) => `${p.error.code} ${amountOf(p.record)}`);
    // observed: { poison: ['NUMBER_UNREPRESENTABLE 1e-18'], sent: ['NUMBER_UNREPRESENTABLE 1e-18'] }
    expect({ poison, sent }).toEqual({
      poison: ['NUMBER_UNREPRESENTABLE 1e-19', 'NUMBER_UNREPRESENTABLE 1e-18'],
      sent: ['NUMBER_UNREPRESENTABLE 1e-19', 'NUMBER_UNREPRESENTABLE 1e-18'],
    });
    // `px` is bounded: the next batch starts after these records, so they leave it
    const pxOf = () => env.redis.hget(`${keyPrefix}s:${shardTag('arn:test:stream', 's-1')}`, 'px');
    expect((await pxOf())?.split(',').length).toBe(2);
    await applier.apply({ records: [rec('other', '3')], shardId: 's-1' });
    expect(await pxOf()).toBeNull();
  });
});
