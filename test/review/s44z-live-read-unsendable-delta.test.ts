// Review s44z (Redis live reads vs the flusher, a delta that is no DynamoDB number): the flusher builds each row's
// update inside its `try` (redis/flusher.ts `writeRow`), and a delta the update cannot even express (more than 38
// significant digits: `toDynamoN` throws NUMBER_OUT_OF_RANGE) makes the write a refusal: lettered as ROW_REJECTED
// (not tied), the row kept as it was. Such a buffered cell comes from "a cell that passed 38 digits some other way"
// (a rejoin's revert subtracted into a busy bucket, docs/redis-buffer.md). A live read adds a bucket's write only
// when every SUM fits a DynamoDB number (`addPendingBuckets`, query/live-source.ts); it never checks the delta.
// Observed (main at 6f51719c): stored 0.00000000000000000001 plus a delta of 99999999999999999999.99999999999999999999
// (40 digits) sums to 1e20, which fits, so the read adds the write, while the flush refuses it: the read says more
// than the flush will store (1e20 instead of 1e-20) until the bucket flushes.
// Expected: a write with a delta the flush cannot send is left out whole, as the flush letters it whole.
// Severity: low (needs a buffered cell past 38 digits, which the write script otherwise refuses).
// Fixed (session 44, query/live-source.ts `addPendingBuckets`, which `total()`, `series()` and `top()`'s ranked
// values and refusal checks all add live writes through): a write with a delta that is no DynamoDB number is left out
// whole, as the flush letters it.
// Break-check: without the delta's check in `addPendingBuckets` the second test fails (2 attributes changed, `n`
// read as 1E+20).
import { describe, expect, it } from 'vitest';
import { parseNum } from '../../packages/dynotally/src/numbers/index.ts';
import { rowUpdateParams } from '../../packages/dynotally/src/plan/index.ts';
import { addPendingBuckets } from '../../packages/dynotally/src/query/live-source.ts';
import { errorOf } from '../support/error-of.ts';

const DELTA = '99999999999999999999.99999999999999999999';
const STORED = '0.00000000000000000001';

describe('Redis live read vs the flush: a delta that is no DynamoDB number', () => {
  it('the flush cannot send the write (oracle)', () => {
    const row = {
      rollup: 'orders',
      pk: 'orders#sg',
      sk: 'ALL',
      adds: [['n', parseNum(DELTA)] as const],
      ttl: undefined,
      leaderboard: undefined,
      firstSeq: '',
      lastSeq: '',
      lastApproxMs: 0,
    };
    const e = errorOf(() =>
      rowUpdateParams('t', row, { now: 0, watermark: { attr: '_fb', value: 'm', first: 'm' } }),
    );
    expect((e as { code?: string }).code).toBe('NUMBER_OUT_OF_RANGE');
  });

  it('a live read leaves that write out', () => {
    const item = { pk: { S: 'orders#sg' }, sk: { S: 'ALL' }, n: { N: STORED } };
    const other = new Map([['m', parseNum('1')]]); // a later write that fits
    expect(addPendingBuckets(item, [new Map([['n', parseNum(DELTA)]]), other])).toBe(1);
    expect(item.n.N).toBe(STORED);
  });
});
