// Review s19 (Redis buffer, numbers past 38 digits): the direct applier turns a sum DynamoDB cannot hold (1e20 in
// one batch, 1e-19 in a later one) into a NUMBER_UNREPRESENTABLE dead letter for the record that cannot be added,
// and applies the rest (test/apply/unrepresentable.int.test.ts). The buffered path has no such check: the Lua
// adder in Redis sums the cell exactly, to `100000000000000000000.0000000000000000001` (40 significant digits),
// and the flusher meets it only when it builds the row's UpdateItem. `rowUpdateParams` → `toDynamoN` throws
// NUMBER_OUT_OF_RANGE there, outside the `try` of `writeRow` (and it is not a `ValidationException`, so it would
// not be dead-lettered as ROW_REJECTED either): the whole flush throws, the bucket stays open, and since buckets
// are flushed strictly oldest first, no later bucket of any rollup or group is ever written to DynamoDB again —
// every `flushClosed()` (the `--watch` loop, the dev stack's timer) fails on the same bucket until the keys
// expire after `keyTtlMs` (7 days) and everything buffered is lost. The same two records in ONE batch make the
// applier throw NUMBER_OUT_OF_RANGE from `encodeCells` instead of dead-lettering one record: the batch is retried
// forever (or, bisected by the stream, ends up in Redis as above). And when 1e20 was flushed already, DynamoDB
// refuses the next bucket's whole row (n 2, total 5.0000000000000000001) and it is dead-lettered as ROW_REJECTED:
// the order of 5 and both counts go with the 1e-19, and replaying that letter is refused the same way.
// Observed: `flushClosed()` rejects with NUMBER_OUT_OF_RANGE on every run; group 'small' (a later bucket) never
// reaches DynamoDB; `apply` of the one-batch case rejects with NUMBER_OUT_OF_RANGE; after an earlier flush the
// big row stays at n 1.
// Expected: as in direct mode — only the record that cannot be added is a dead letter; the rest of its row, its
// bucket and every later bucket flush (the urgent part: a flush must never block on one cell).
// Fixed (session 19): the write script checks every cell's new sum (and, where the flusher left a hint of a wide
// value DynamoDB holds, that sum added to it) against 38 digits before its first write and refuses the batch; the
// applier then finds the records that cannot be added one by one (PROBE_SCRIPT) and dead-letters them as
// NUMBER_UNREPRESENTABLE; `encodeCells` sends exact decimals and never throws; the flusher builds params inside its
// `try` and dead-letters a row it cannot write (ROW_REJECTED), so nothing blocks a flush. These were the review's
// it.fails. Differently from the suggestion, the case "only overflows against what DynamoDB holds" is caught in the
// write path through the hints (isolation needs the records, which only the write path has), not at flush time.
// Suggested fix: in the write script, check each cell's new sum against 38 significant digits (digits of the
// canonical string without leading/trailing zeros) and refuse the batch with the cell named, then isolate the
// record in the applier as `isolateUnrepresentable` does (fold record by record, dead-letter the one that
// overflows); `encodeCells` should poison, not throw. A sum that only overflows against what DynamoDB already
// holds needs the same record-by-record isolation at flush time (or cells kept per record range, so the flusher
// can split a refused row). In the flusher, build the params inside the `try` and treat
// NUMBER_OUT_OF_RANGE like a row rejection (`isUnrepresentable`), so one bad cell can never block the buffer.
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { allTimeTotals, amountRecords, amounts } from '../redis/amounts.ts';
import { MINUTE } from '../redis/harness.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const rec = amountRecords(START);

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
  );

const totals = (table: string) => allTimeTotals(env.ddb, table);

describe('review s19: a buffered sum past 38 significant digits', () => {
  it('across two batches: the flush dead-letters what cannot be added and later buckets still flush', async () => {
    const { table, clock, common } = await env.fixture('s19dig', [amounts], START);
    const applier = createBufferedApplier(common);
    const flusher = createFlusher(common);
    await applier.apply({ records: [rec('big', '1e20')], shardId: 's-1' });
    await applier.apply({ records: [rec('big', '1e-19'), rec('big', '5')], shardId: 's-1' });
    clock.advance(2 * MINUTE);
    await applier.apply({ records: [rec('small', '3')], shardId: 's-1' }); // a later bucket
    clock.advance(2 * MINUTE);
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) codes.push(await codeOf(flusher.flushClosed()));
    const t = await totals(table);
    // observed: { codes: 3 × 'NUMBER_OUT_OF_RANGE', small: undefined, big: undefined } — nothing is ever flushed
    expect({ codes, small: t.small, big: t.big }).toEqual({
      codes: [undefined, undefined, undefined],
      small: '1/3',
      big: '2/100000000000000000005', // as in direct mode: 1e-19 is the dead letter
    });
  });

  it('across two flushes: only the record that cannot be added is lost, not the whole row of its bucket', async () => {
    const { table, clock, common } = await env.fixture('s19dig2', [amounts], START);
    const applier = createBufferedApplier(common);
    const letters: DeadLetter[] = [];
    const flusher = createFlusher({ ...common, deadLetter: { send: async (l) => void letters.push(...l) } });
    await applier.apply({ records: [rec('big', '1e20')], shardId: 's-1' });
    clock.advance(2 * MINUTE);
    await flusher.flushClosed(); // DynamoDB holds 1e20
    await applier.apply({ records: [rec('big', '1e-19'), rec('big', '5')], shardId: 's-1' });
    clock.advance(2 * MINUTE);
    await flusher.flushClosed(); // DynamoDB refuses 1e20 + (5 + 1e-19): the whole row of the bucket is a letter
    const t = await totals(table);
    // observed: { big: '1/100000000000000000000', letters: [['ROW_REJECTED', 'n=2 total=5.0000000000000000001']] }:
    // the order of 5 (and its count) is gone with the 1e-19, and replaying the letter is refused the same way
    expect({
      big: t.big,
      letters: letters.map((l) => [l.code, l.deltas?.[0]?.adds.map(([a, v]) => `${a}=${v}`).join(' ')]),
    }).toEqual({ big: '2/100000000000000000005', letters: expect.anything() }); // a letter for 1e-19 alone is fine
  });

  it('in one batch: the record that cannot be added is poison, the batch is buffered', async () => {
    const { common } = await env.fixture('s19dig1', [amounts], START);
    const applier = createBufferedApplier(common);
    // observed: apply rejects with NUMBER_OUT_OF_RANGE (from encodeCells), so the batch is retried forever
    const r = await applier
      .apply({
        records: [rec('big', '1e20'), rec('big', '1e-19'), rec('other', '1')],
        shardId: 's-1',
      })
      .then(
        (x) => x.poison.map((p) => p.error.code),
        (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
      );
    expect(r).toEqual(['NUMBER_UNREPRESENTABLE']);
  });
});
