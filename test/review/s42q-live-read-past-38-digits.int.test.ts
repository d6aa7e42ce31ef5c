// Review s42q (left since s40): a live read (the query client with the Redis buffer's live source) threw
// NUMBER_OUT_OF_RANGE for a group whose stored value plus its buffered deltas passes 38 significant digits, until
// its bucket flushed. The write script checks only cells it can see as wide (a hint, a mark, a wide sum); a value
// DynamoDB got some other way (direct writes during an outage, a dead-letter replay, a table written before the
// buffer) is narrow to it, so a narrow delta is buffered. The flush then writes each bucket's row on its own, oldest
// first: DynamoDB refuses the row whose sum does not fit, and the flusher dead-letters that bucket's row as
// ROW_REJECTED (the stored row stays as it was); a bucket before it that fits is written.
// Observed: `query.total` rejected with NUMBER_OUT_OF_RANGE until the flush, then read the stored value.
// Fixed: the Redis snapshot gives its deltas bucket by bucket (`pendingByBucket`, redis/live-source.ts) and the
// query client merges them as the flush will write them (`addPendingBuckets`, query/live-source.ts): a bucket whose
// row would not fit is left out whole, so the read before the flush says what the flush will store.
// Break-check: with mergeLive merging `pending`'s sums again (pendingByBucket ignored), the first read rejects
// with NUMBER_OUT_OF_RANGE; with a refused bucket merged up to its first unfitting attribute (no `continue`), n reads 3.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { amounts } from '../redis/amounts.ts';
import { MINUTE } from '../redis/harness.ts';
import { liveReadFixture } from '../redis/live-top-fixture.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const E37 = `1${'0'.repeat(37)}`; // 1e37: one significant digit
const E37_PLUS_1 = `1${'0'.repeat(36)}1`; // 38 digits: fits

describe('review s42q: a live read of a group whose stored plus buffered value passes 38 digits', () => {
  it('reads what the flush will store: the bucket DynamoDB will refuse is left out, the one before it is added', async () => {
    const { table, clock, rec, applier, letters, flusher, query } = await liveReadFixture(
      env,
      's42qlive',
      amounts,
      START,
    );
    const plain = createQueryClient({ client: env.ddb, table, rollups: [amounts], now: clock.now });
    const total = async (q: typeof query, g: string) => (await q.total(amounts, { g }, 'all')).values;

    // bucket 1: +1 to 'big' (fits: 1e37 + 1 has 38 digits) and 'small'; the group's hints are read now (no row)
    expect(
      (await applier.apply({ records: [rec('big', '1'), rec('small', '3')], shardId: 's-1' })).poison,
    ).toEqual([]);
    // a value DynamoDB got past the buffer (a direct write during an outage, a replay): no hint of it in Redis
    await env.ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: 'amounts#sbig' }, sk: { S: 'ALL' }, n: { N: '1' }, total: { N: E37 } },
      }),
    );
    // bucket 2: +0.5, narrow, so buffered; 1e37 + 1.5 has 39 digits, which DynamoDB refuses
    clock.advance(2 * MINUTE);
    expect((await applier.apply({ records: [rec('big', '0.5')], shardId: 's-1' })).poison).toEqual([]);

    const before = { big: await total(query, 'big'), small: await total(query, 'small') };
    expect(before).toEqual({ big: { n: 2, total: E37_PLUS_1 }, small: { n: 1, total: 3 } });

    clock.advance(4 * MINUTE);
    await flusher.flushClosed();
    expect(letters.map((l) => l.code)).toEqual(['ROW_REJECTED']);
    // the flush stored what the live read said, and a read of DynamoDB alone agrees
    expect({ big: await total(plain, 'big'), small: await total(plain, 'small') }).toEqual(before);
    expect({ big: await total(query, 'big'), small: await total(query, 'small') }).toEqual(before);
    query.close();
    plain.close();
  });
});
