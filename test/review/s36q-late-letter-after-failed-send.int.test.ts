// Review s36q (the records a write side returns for its caller to send; 1ad8e8a2 added `lettersSent` for the Redis
// buffer's direct fence). What: a late record (RECORD_TOO_OLD) is returned to the caller, not sent, when the write
// side has no `deadLetter` of its own: `createStreamHandler` or the stream worker beside a ready `applier` sends what
// is returned (the documented set-up of docs/redis-buffer.md; a `createVersionedWriteSide` has no sink at all, so
// every versioned deployment is in it). `afterLateLetters` then applies the rest of the batch before anything is
// sent, and the rest moves the shard past the late record: the Redis watermark (a buffered rest, the whole shard's),
// the fence's rejoin (a direct rest: its fence is completed at once, `refused.length === 0`), or the rows' states
// (the direct `Applier`, the same code, for rows a later record of the batch shares). If the handler's send fails,
// the batch is redelivered, the late record is split off again, and its letter is probed afresh: the buffer finds
// the shard's watermark at or past it ("the buffer holds it"), the direct Applier finds the rows' states past it,
// and the letter lists no pending row. The record was never counted anywhere, yet its letter says it is, so its
// replay (with `replayLate`) writes nothing: the record is lost silently.
// Why it matters: the probe that decides `pendingRows` must run before anything after the record is applied to its
// shard (pending-rows.ts says so); with the caller sending, the letter that is finally stored is made after.
// Expected: the redelivery's letter lists the rows the record is missing from, as the first attempt's does; e.g. the
// late records' letters are sent before the rest is written whoever sends them (the caller's send given to the write
// side), or the rest is not applied until the caller says they are sent (as `lettersSent` does for the fence).
// Observed: `pendingRows: []` on the letter that is stored, on the buffer and on the direct Applier.
// Severity: medium (a silent loss of a counted event; needs a late record — a consumer more than 24 h 30 min
// behind, the case the default `lateRecords: 'dead-letter'` exists for — and one failed dead-letter send).
import { describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter, DeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const HOUR = 3_600_000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A sink whose first `failures` sends fail (throttled, a timeout), then stores what it is given. */
function flakySink(failures: number): DeadLetterSink & { letters: DeadLetter[] } {
  let left = failures;
  const letters: DeadLetter[] = [];
  return {
    letters,
    async send(batch) {
      if (left-- > 0) throw new Error('ThrottlingException: the dead-letter table is busy');
      letters.push(...batch);
    },
  };
}

async function scenario(failures: number, side: 'buffered' | 'direct' = 'buffered') {
  const { clock, common } = await env.fixture(`s36q-late-${side}-${failures}`, [orders], START + 25 * HOUR);
  const rec = orderRecords(1000);
  // 25 h old: RECORD_TOO_OLD. Buffered: another store (the Redis watermark is the shard's); direct: the same store
  // (a row's state moves only with a record that touches it)
  const late = rec(side === 'buffered' ? 's-late' : 's-1', START);
  const onTime = rec('s-1', START + 25 * HOUR);
  const sink = flakySink(failures);
  const applier =
    side === 'buffered'
      ? createBufferedApplier(common)
      : new Applier({
          client: common.client,
          table: common.table,
          rollups: [orders],
          now: common.now,
          lateRecords: 'dead-letter',
        });
  const handler = streamHandlerIn({ applier, deadLetter: sink, logger: quiet }, {}, 'throw');
  const run = () => handler({ Records: [late, onTime], shardId: 'shard-1' });
  if (failures > 0) await expect(run()).rejects.toThrow('ThrottlingException');
  clock.advance(1_000);
  await run();
  return sink.letters.map((l) => [l.code, l.pendingRows?.map((r) => r.sk).sort()]);
}

describe('review s36q: a late record whose letter the handler failed to send', () => {
  it('control: sent at the first attempt, its letter lists both rows it is missing from', async () => {
    expect(await scenario(0)).toEqual([['RECORD_TOO_OLD', ['ALL', 'M2026-11']]]);
  });

  it('sent at the redelivery, its letter still lists both rows (before the fix: none, the buffer was said to hold it)', async () => {
    expect(await scenario(1)).toEqual([['RECORD_TOO_OLD', ['ALL', 'M2026-11']]]);
  });

  it("the same with the direct Applier given to the handler (before the fix: none, the rows' states were past it)", async () => {
    expect(await scenario(1, 'direct')).toEqual([['RECORD_TOO_OLD', ['ALL', 'M2026-11']]]);
  });

  it('control: the direct Applier, sent at the first attempt', async () => {
    expect(await scenario(0, 'direct')).toEqual([['RECORD_TOO_OLD', ['ALL', 'M2026-11']]]);
  });
});
