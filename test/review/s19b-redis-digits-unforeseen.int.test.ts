// Review s19b (Redis buffer, 38 digits, today's check): the write script refuses a record only when the cell's new
// sum in its own bucket, or that sum plus a hint `h:<pk>`, passes 38 significant digits. The hints exist only for
// stored values that are *wide* (isWideNumber: ≥ 1e16 or more than 16 decimals), on the premise "two values that are
// not wide always add up within 38 digits, so only a wide stored value can make a flush overflow". That premise
// forgets the other side: a wide *buffered* sum plus a narrow stored value overflows just as well (stored total 0.5,
// buffered 1e37 + 5: the flush computes 10000000000000000000000000000000000005.5, 39 digits). And the check looks
// at one bucket only: a cell's deltas in another bucket not flushed yet (the bucket that just closed while the
// current one already takes writes — the normal state between two flusher runs) are invisible to it, so 1e20 in
// bucket 1 and 1e-19 in bucket 2 both pass, exactly the s19 case with the flush one step later.
// Observed: in both cases the record is buffered without a dead letter (`poison` empty), and the flush meets the
// overflow in DynamoDB: the whole row of the bucket — the other records' counts and amounts (`n=2 total=…5`) —
// goes to the flusher's dead letter as ROW_REJECTED, and replaying that letter is refused the same way (it carries
// the unrepresentable sum). The big row keeps only its first record.
// Expected: as in direct mode (and as docs/redis-buffer.md "Guarantees" promises: "a record that would make one is
// dead-lettered") — the record that cannot be added is NUMBER_UNREPRESENTABLE poison at apply time; the rest of
// its row flushes.
// Suggested fix: check the sum the flush will compute, not the bucket's: in LUA_CHECK add the cell's value in every
// live (open, unflushed) bucket of the same width to the new sum, and when that total is wide and no hint covers
// the cell, do not assume the stored value is narrow-and-harmless — either keep a hint for every stored value of a
// row whose buffered cell is wide, or answer `stored` so the applier reads the row (one strongly consistent GetItem,
// only for cells whose buffered sum is wide, i.e. rarely) and passes the stored value in as the hint.
// Fixed (session 19): LUA_CHECK checks, for a cell that can be wide (its new sum is wide, an earlier write marked
// it wide in `w:<pk>`, or the flusher left a hint), every sum the flusher will write: the stored value plus the
// cell in each open bucket, in flush order. When no hint says what is stored and those sums are wide, the script
// answers `stored` and the applier reads the row (one strongly consistent GetItem, only for such cells) and passes
// the value in (`STORED`); counts and ordinary sums read nothing (the last two cases here).
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import {
  BUFFER_OWNER_KEY,
  createBufferedApplier,
  createFlusher,
} from '../../packages/dynotally/src/redis/index.ts';
import { allTimeTotals, amountOf, amountRecords, amounts } from '../redis/amounts.ts';
import { MINUTE } from '../redis/harness.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const rec = amountRecords(START);

const totals = (table: string) => allTimeTotals(env.ddb, table);

const letterOf = (l: DeadLetter) =>
  `${l.code} ${l.deltas?.[0]?.adds.map(([a, v]) => `${a}=${v}`).join(' ') ?? ''}`.trim();

describe('review s19b: sums past 38 digits the write check does not foresee', () => {
  it('a wide buffered sum over a narrow stored value is poison at apply time, not a rejected row', async () => {
    const { table, clock, common } = await env.fixture('s19bnar', [amounts], START);
    const applier = createBufferedApplier(common);
    const letters: DeadLetter[] = [];
    const flusher = createFlusher({ ...common, deadLetter: { send: async (l) => void letters.push(...l) } });
    await applier.apply({ records: [rec('big', '0.5')], shardId: 's-1' });
    clock.advance(2 * MINUTE);
    await flusher.flushClosed(); // DynamoDB holds 0.5: narrow, so no hint
    const r = await applier.apply({ records: [rec('big', '1e37'), rec('big', '5')], shardId: 's-1' });
    clock.advance(2 * MINUTE);
    await flusher.flushClosed();
    const t = await totals(table);
    // observed: { poison: [], big: '1/0.5', letters: ['ROW_REJECTED n=2 total=10000000000000000000000000000000000005'] }
    expect({ poison: r.poison.map((p) => p.error.code), big: t.big, letters: letters.map(letterOf) }).toEqual(
      {
        poison: ['NUMBER_UNREPRESENTABLE'], // 1e37 + 0.5 has 39 significant digits, as direct mode finds
        big: '2/5.5',
        letters: [],
      },
    );
  });

  it('a cell in two unflushed buckets: the second bucket is checked without the first', async () => {
    const { table, clock, common } = await env.fixture('s19btwo', [amounts], START);
    const applier = createBufferedApplier(common);
    const letters: DeadLetter[] = [];
    const flusher = createFlusher({ ...common, deadLetter: { send: async (l) => void letters.push(...l) } });
    await applier.apply({ records: [rec('big', '1e20')], shardId: 's-1' });
    clock.advance(MINUTE); // bucket 1 closed, not flushed yet (the flusher runs every bucketMs / 3 + grace)
    const r = await applier.apply({ records: [rec('big', '1e-19'), rec('big', '5')], shardId: 's-1' });
    clock.advance(2 * MINUTE);
    await flusher.flushClosed(); // bucket 1, then bucket 2 onto 1e20
    const t = await totals(table);
    // observed: { poison: [], big: '1/100000000000000000000', letters: ['ROW_REJECTED n=2 total=5.0000000000000000001'] }
    expect({ poison: r.poison.map((p) => p.error.code), big: t.big, letters: letters.map(letterOf) }).toEqual(
      {
        poison: ['NUMBER_UNREPRESENTABLE'],
        big: '2/100000000000000000005',
        letters: [],
      },
    );
  });

  it('a narrow record under a wide value in another open bucket (the wide marker) is poison too', async () => {
    const { table, clock, common } = await env.fixture('s19bmark', [amounts], START);
    const applier = createBufferedApplier(common);
    const letters: DeadLetter[] = [];
    const flusher = createFlusher({ ...common, deadLetter: { send: async (l) => void letters.push(...l) } });
    await applier.apply({ records: [rec('big', '1e37')], shardId: 's-1' });
    clock.advance(MINUTE); // bucket 1 closed, not flushed
    const r = await applier.apply({ records: [rec('big', '0.5'), rec('big', '5')], shardId: 's-1' });
    clock.advance(2 * MINUTE);
    await flusher.flushClosed();
    const t = await totals(table);
    expect({ poison: r.poison.map((p) => amountOf(p.record)), big: t.big, letters: letters.length }).toEqual({
      poison: ['0.5'], // 1e37 + 0.5: 39 digits
      big: '2/10000000000000000000000000000000000005',
      letters: 0,
    });
  });

  it('counts and ordinary sums never read DynamoDB for the check', async () => {
    const { common } = await env.fixture('s19bcheap', [amounts], START);
    let gets = 0;
    const client = Object.create(common.client) as typeof common.client;
    client.send = ((
      cmd: { constructor: { name: string }; input?: { Key?: { pk?: { S?: string } } } },
      ...rest: unknown[]
    ) => {
      // the applier's one read of the table's buffer (buffer-owner.ts) is no read for the check
      if (cmd.constructor.name === 'GetItemCommand' && cmd.input?.Key?.pk?.S !== BUFFER_OWNER_KEY.pk?.S)
        gets++;
      return (common.client.send as (...a: unknown[]) => unknown)(cmd, ...rest);
    }) as typeof client.send;
    const applier = createBufferedApplier({ ...common, client });
    for (let i = 0; i < 3; i++) {
      await applier.apply({
        records: [rec('a', '12.34'), rec('b', '999999.99'), rec('a', '-3')],
        shardId: 's-1',
      });
    }
    expect(gets).toBe(0);
    // a wide cell does: one read, for the cell whose stored value matters
    await applier.apply({ records: [rec('c', '1e30')], shardId: 's-1' });
    expect(gets).toBe(1);
  });
});
