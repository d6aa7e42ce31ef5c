// A live top() judges the groups it places with a buffered delta on their whole rows (query/ranked-refusal.ts, review
// s43v): a row whose write the flush will refuse for ANY measure (here the count past 38 significant digits) ranks at
// its stored value; one whose write fits ranks with its delta; a group a refusal lets into the top k is judged too.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { MINUTE } from './harness.ts';
import { liveReadFixture, rankedAmounts as ranked } from './live-top-fixture.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const E38 = `1${'0'.repeat(38)}`; // one significant digit; + 1 has 39

/** A buffer with `buffered` (group → amount) applied and `rows` (group → stored n, total) put past it. */
async function setUp(name: string, buffered: [string, string][], rows: [string, string, string][]) {
  const { table, clock, rec, applier, flusher, letters, query } = await liveReadFixture(
    env,
    name,
    ranked,
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
    (await query.top(ranked, { bucket: 'all', limit })).entries.map((e) => [e.pk, e.value]);
  const flush = async () => {
    clock.advance(4 * MINUTE);
    await flusher.flushClosed();
  };
  return { top, flush, letters, close: () => query.close() };
}

describe('a live top() judges the rows it ranks with a delta', () => {
  it('ranks a row whose write fits with its delta, before the flush and after it', async () => {
    const t = await setUp(
      's44tfit',
      [
        ['big', '1'],
        ['small', '3'],
      ],
      [['big', '1', '5']],
    );
    try {
      const want = [
        ['amounts#sbig', 6],
        ['amounts#ssmall', 3],
      ];
      expect(await t.top(5)).toEqual(want);
      await t.flush();
      expect(t.letters).toEqual([]);
      expect(await t.top(5)).toEqual(want);
    } finally {
      t.close();
    }
  });

  it('judges a group that a refused row lets into the top k', async () => {
    // big: 2 stored, +5 buffered that the flush refuses (its count passes 38 digits); small: +4, no row; mid: 3
    const t = await setUp(
      's44tlet',
      [
        ['big', '5'],
        ['small', '4'],
      ],
      [
        ['big', E38, '2'],
        ['mid', '1', '3'],
      ],
    );
    try {
      const want = [['amounts#ssmall', 4]];
      expect(await t.top(1)).toEqual(want);
      expect(await t.top(3)).toEqual([...want, ['amounts#smid', 3], ['amounts#sbig', 2]]);
      await t.flush();
      expect(t.letters.map((l) => l.code)).toEqual(['ROW_REJECTED']);
      expect(await t.top(1)).toEqual(want);
      expect(await t.top(3)).toEqual([...want, ['amounts#smid', 3], ['amounts#sbig', 2]]);
    } finally {
      t.close();
    }
  });
});
