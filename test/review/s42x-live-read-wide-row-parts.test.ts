// Review s42x (of s42q's live reads past 38 digits): `addPendingBuckets` (query/live-source.ts) leaves a bucket out
// whole when one of its sums does not fit a DynamoDB number, saying the flush's row write is refused whole. It is for
// a row that fits one write; a row too wide for one (over 100 additions, or a long statement) is flushed in parts
// (`rowParts`, redis/row-parts.ts), one UpdateItem each, and the flusher letters only the part DynamoDB refuses
// (`writeRow` → `rejectRow` per part, redis/flusher.ts): the other parts of that bucket are stored.
// Observed: a bucket of 150 cells, one of which (c_120, stored 1e37, +0.5) passes 38 digits, reads c_000 as 1 before
// the flush; the flush stores the first part (c_000 … c_099, +1 each) and letters the second, so c_000 is 2 after.
// Low severity: a live read under-reports the cells of a wide row's other parts until the bucket flushes; nothing is
// counted wrong in DynamoDB.
// Fixed (session 43, redis/live-parts.ts): the Redis snapshot's `pendingByBucket` gives each bucket's row as the flush
// writes it, cut into its parts (`inFlushWrites` of `flushWrites`: the flush's cut, which knows from the rollup whether
// the row carries `lbv`), and `addPendingBuckets` leaves out only the refused part. This test makes the snapshot's
// calls on the bucket; test/review/s43r-live-read-wide-row-parts.int.test.ts reads through Redis and the flush.
// Break-checked: with `inFlushWrites` giving the bucket whole (`[deltas]`), c_000 reads 1 as observed.
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { additionParts } from '../../packages/dynotally/src/layout/write-limits.ts';
import { type Num, parseNum } from '../../packages/dynotally/src/numbers/index.ts';
import { addPendingBuckets } from '../../packages/dynotally/src/query/live-source.ts';
import { flushWrites, inFlushWrites } from '../../packages/dynotally/src/redis/live-parts.ts';

const E37 = `1${'0'.repeat(37)}`;
const names = Array.from({ length: 150 }, (_, i) => `c_${String(i).padStart(3, '0')}`);

describe('review s42x: a live read of a wide row whose bucket one cell cannot take', () => {
  it("leaves out only the flush's refused part, as the flusher stores the other parts", () => {
    const row = Object.fromEntries([
      ['pk', { S: 'wide#sg' }],
      ['sk', { S: 'ALL' }],
      ...names.map((n) => [n, { N: n === 'c_120' ? E37 : '1' }]),
    ]);
    const bucket = new Map<string, Num>(names.map((n) => [n, parseNum(n === 'c_120' ? '0.5' : '1')]));
    // what the flush writes: the row cut in attribute order into parts of at most 100 additions
    const parts = additionParts([...bucket], false).map((p) => p.map(([a]) => a));
    expect(parts.map((p) => p.length)).toEqual([100, 50]);
    expect(parts[1]).toContain('c_120');

    const wide = defineRollup({
      name: 'wide',
      groupBy: 'g',
      granularities: ['all'],
      measures: { c: count() },
    });
    const byName = new Map([['wide', wide.compiled]]);
    expect(flushWrites(byName, 'wide#sg', 'ALL', bucket)).toEqual(parts);
    addPendingBuckets(
      row,
      inFlushWrites(bucket, bucket, (c) => flushWrites(byName, 'wide#sg', 'ALL', c)),
    );
    // part 1 is stored by the flush (+1 each), part 2 refused and lettered (ROW_REJECTED)
    expect(row.c_000).toEqual({ N: '2' });
    expect(row.c_099).toEqual({ N: '2' });
    expect(row.c_100).toEqual({ N: '1' });
    expect(row.c_120).toEqual({ N: E37 });
  });
});
