// Review s44v (live top() judging ranked groups on their whole rows, query/ranked-refusal.ts, prepare-top.ts).
// What: the judging only looked at the groups placed in the top k with a live delta. A group whose live delta is
// NEGATIVE is placed below the top k by it; when the flush will refuse that group's write (another measure of its
// row passes 38 significant digits, ROW_REJECTED), the row keeps its stored value, which belongs in the top k.
// Observed: top(1) answered the runner-up (mid, 50) before the flush, and the refused group (big, 100) after it.
// Expected: the same answer before and after the flush: big, 100.
// Severity: medium (a live read ranks wrongly until the flush letters the row; no counter is changed).
// Fixed: prepare-top.ts also judges each group with a live delta whose value could still rank in the top k were its
// writes refused (its stored value plus only its positive deltas: an upper bound), round by round as before; a
// group whose deltas are all positive is never read again for it, so the reads stay bounded by the groups that can
// enter the top k.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { MINUTE } from '../redis/harness.ts';
import { liveReadFixture, rankedAmounts } from '../redis/live-top-fixture.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const E38 = `1${'0'.repeat(38)}`; // one significant digit; + 1 has 39

/** The live-read fixture with `buffered` (group → amount) applied and `rows` (group → stored n, total) put past it. */
async function setUp(name: string, buffered: [string, string][], rows: [string, string, string][]) {
  const { table, clock, rec, applier, letters, flusher, query } = await liveReadFixture(
    env,
    name,
    rankedAmounts,
    START,
  );
  expect(
    (await applier.apply({ records: buffered.map(([g, a]) => rec(g, a)), shardId: 's-1' })).poison,
  ).toEqual([]);
  for (const [g, n, total] of rows)
    await env.ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: `amounts#s${g}` },
          sk: { S: 'ALL' },
          n: { N: n },
          total: { N: total },
          lbv: { N: total },
          lbk: { S: 'amounts#ALL#0' }, // the leaderboard index's partition (one shard)
        },
      }),
    );
  const top = async (limit: number) =>
    (await query.top(rankedAmounts, { bucket: 'all', limit })).entries.map((e) => [e.pk, e.value]);
  const flush = async () => {
    clock.advance(4 * MINUTE);
    await flusher.flushClosed();
  };
  return { top, flush, letters, close: () => query.close() };
}

describe('review s44v: a live top() judges a group its negative delta would leave out', () => {
  it('ranks a group whose lowering write the flush refuses at its stored value', async () => {
    // big: 100 stored with a count at 1e38, -90 buffered (the count's +1 passes 38 digits: refused); mid: 50, no delta
    const t = await setUp(
      's44vneg',
      [['big', '-90']],
      [
        ['big', E38, '100'],
        ['mid', '1', '50'],
      ],
    );
    try {
      const want = [['amounts#sbig', 100]];
      expect(await t.top(1)).toEqual(want);
      expect(await t.top(2)).toEqual([...want, ['amounts#smid', 50]]);
      await t.flush();
      expect(t.letters.map((l) => l.code)).toEqual(['ROW_REJECTED']);
      expect(await t.top(1)).toEqual(want);
    } finally {
      t.close();
    }
  });

  it('guard: a lowering write that fits still lowers the group out of the top k', async () => {
    const t = await setUp(
      's44vfit',
      [['big', '-90']],
      [
        ['big', '1', '100'],
        ['mid', '1', '50'],
      ],
    );
    try {
      const want = [['amounts#smid', 50]];
      expect(await t.top(1)).toEqual(want);
      await t.flush();
      expect(t.letters).toEqual([]);
      expect(await t.top(1)).toEqual(want);
      expect(await t.top(2)).toEqual([...want, ['amounts#sbig', 10]]);
    } finally {
      t.close();
    }
  });
});
