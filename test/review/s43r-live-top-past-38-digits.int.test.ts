// Review s43r (live top() past 38 digits; s42q fixed total / series / latest, not top).
// What: a ranked group whose stored value DynamoDB got past the buffer (a direct write, a replay: no hint of it in
// Redis) is 1e37, and two flush buckets of narrow deltas are buffered for it: +1 (1e37 + 1, 38 digits, fits) and +0.5
// (39 digits: DynamoDB refuses that bucket's row and the flusher letters it, ROW_REJECTED). `top()` added the live
// ranked deltas with `addNum` (prepare-top.ts), unchecked, where `total()` merges them bucket by bucket as the flush
// writes them (`addPendingBuckets`).
// Observed (main at ce8b37fb): live top() ranks the group at 1e37 + 1.5 (39 digits, a number DynamoDB cannot hold),
// total() at the same moment 1e37 + 1; after the flush both read 1e37 + 1.
// Expected: top() says what the flush will store, as total() does: 1e37 + 1 before the flush and after it.
// Severity: low (a ranked value past 38 digits, only until the bucket flushes; nothing stored is wrong).
// Fixed (session 43, query/ranked-live.ts `rankedWithLive`, used by prepare-top.ts): the ranked delta is added bucket
// by bucket through `addPendingBuckets` (a bucket that would not fit is left out), or, for a live source without
// `pendingByBucket`, through `addPending` (NUMBER_OUT_OF_RANGE, as the other reads).
// Break-check: with prepare-top.ts as on main (`pending`'s sum added by addNum, unchecked), the first top() reads
// 10000000000000000000000000000000000001.5 and the test fails.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { MINUTE } from '../redis/harness.ts';
import { liveTopFixture } from '../redis/live-top-fixture.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const E37 = `1${'0'.repeat(37)}`; // 1e37: one significant digit
const E37_PLUS_1 = `1${'0'.repeat(36)}1`; // 38 digits: fits

describe('review s43r: a live top() of a group whose stored plus buffered value passes 38 digits', () => {
  it('ranks it at what the flush will store, as total() reads it', async () => {
    const { table, clock, rec, applier, letters, flusher, query, top, total } = await liveTopFixture(
      env,
      's43rtop',
      START,
    );

    // bucket 1: +1 to 'big' and 3 to 'small'; the group's hints are read now (no row)
    expect(
      (await applier.apply({ records: [rec('big', '1'), rec('small', '3')], shardId: 's-1' })).poison,
    ).toEqual([]);
    // a value DynamoDB got past the buffer: no hint of it in Redis (no `lbk` yet: top() reads the row by key)
    await env.ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'amounts#sbig' },
          sk: { S: 'ALL' },
          n: { N: '1' },
          total: { N: E37 },
          lbv: { N: E37 },
        },
      }),
    );
    // bucket 2: +0.5, narrow, so buffered; 1e37 + 1.5 has 39 digits, which DynamoDB refuses
    clock.advance(2 * MINUTE);
    expect((await applier.apply({ records: [rec('big', '0.5')], shardId: 's-1' })).poison).toEqual([]);

    expect(await total('big')).toBe(E37_PLUS_1);
    const want = [
      ['amounts#sbig', E37_PLUS_1],
      ['amounts#ssmall', 3],
    ];
    expect(await top()).toEqual(want);

    clock.advance(4 * MINUTE);
    await flusher.flushClosed();
    expect(letters.map((l) => l.code)).toEqual(['ROW_REJECTED']);
    expect(await total('big')).toBe(E37_PLUS_1);
    expect(await top()).toEqual(want);
    query.close();
  });
});
