// Review s43v (live top() against the flush's refusal of a ranked row for another measure).
// What: a ranked group's stored row holds n = 1e38 (one significant digit, fits) and total = 5 (the ranked measure);
// a narrow delta is buffered for it (+1 to n, +1 to total). The flush writes the row in one write (ADD n, total, lbv):
// 1e38 + 1 has 39 significant digits, so DynamoDB refuses the whole write and the flusher letters it (ROW_REJECTED):
// the stored total and lbv stay 5. total() at the same moment reads 5 (the bucket's write, cut as the flush cuts it,
// is left out whole: redis/live-parts.ts). top() reads the rank hash alone (READ_RANKED_SCRIPT: the ranked measure's
// deltas, no other cell of the row), so `rankedWithLive` (query/ranked-live.ts) only checks whether the ranked value
// itself fits, and adds the +1.
// Observed (main at 2262194a): before the flush top() ranks the group at 6, total() reads 5; after it both read 5.
// Expected: top() says what the flush will store, as total() does: 5 before the flush and after it.
// Severity: low (another measure of a ranked row past 38 significant digits; only until the bucket flushes; nothing
// stored is wrong). Same class as s43r's probe, which covered only the ranked value's own overflow.
// Fixed (session 44, query/ranked-refusal.ts `refusedRankedValues`, called by query/prepare-top.ts): the groups top()
// places in its top k with a live delta are judged on their whole rows — one live `read` of those groups (every
// buffered cell, cut into the flush's writes by redis/live-parts.ts) and one BatchGetItem of their rows projected to
// the attributes with a delta — and a group whose write the flush will refuse ranks at what it leaves (its stored
// value plus the writes taken); a group that refusal lets into the top k is judged the same way. Cost: bounded by the
// groups placed with a delta (at most the page size per round); nothing when no ranked group has one.
// test/redis/live-top-row-refusal.int.test.ts: the same with a row that fits (ranked with its delta), and a group let in.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { MINUTE } from '../redis/harness.ts';
import { liveTopFixture } from '../redis/live-top-fixture.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const E38 = `1${'0'.repeat(38)}`; // 1e38: one significant digit; 1e38 + 1 has 39

describe('review s43v: a live top() of a group whose flush write is refused for another measure', () => {
  it('ranks it at what the flush will store, as total() reads it', async () => {
    const { table, clock, rec, applier, letters, flusher, query, top, total } = await liveTopFixture(
      env,
      's43vtop',
      START,
    );

    try {
      // +1 to n and total of 'big', 3 to 'small'; the group's hints are read now (no row)
      expect(
        (await applier.apply({ records: [rec('big', '1'), rec('small', '3')], shardId: 's-1' })).poison,
      ).toEqual([]);
      // a row DynamoDB got past the buffer: its count at 1e38, its ranked total 5
      await env.ddb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: 'amounts#sbig' },
            sk: { S: 'ALL' },
            n: { N: E38 },
            total: { N: '5' },
            lbv: { N: '5' },
          },
        }),
      );
      const want = [
        ['amounts#sbig', 5],
        ['amounts#ssmall', 3],
      ];
      // total() leaves the bucket's write out whole, as the flush will refuse it
      expect(await total('big')).toBe(5);
      const before = await top();

      clock.advance(4 * MINUTE);
      await flusher.flushClosed();
      expect(letters.map((l) => l.code)).toEqual(['ROW_REJECTED']);
      expect(await total('big')).toBe(5);
      expect(await top()).toEqual(want);
      // the probe: before the flush top() ranked 'big' at 6, a value the flush never stores
      expect(before).toEqual(want);
    } finally {
      query.close();
    }
  });
});
