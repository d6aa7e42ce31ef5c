// A backfill's end records its hold (items the store refused) in the write that makes the version ready: no
// promotion can slip in between the two.
import { describe, expect, it } from 'vitest';
import { backfillRecordParams } from './control-params.ts';

describe('backfillRecordParams with a hold', () => {
  it('sets the hold with the ready state, and only on an end', () => {
    const end = backfillRecordParams('t', 'store', 2, {
      startedAt: 1,
      segments: 4,
      endedAt: 9,
      hold: { storeRefused: 3, at: 9 },
    });
    expect(end.UpdateExpression).toBe('SET #v.backfill = :bf, #v.#state = :ready, #v.#hold = :hold');
    expect(end.ExpressionAttributeNames?.['#hold']).toBe('hold');
    expect(end.ExpressionAttributeValues?.[':hold']).toEqual({
      M: { storeRefused: { N: '3' }, at: { N: '9' } },
    });
    const plain = backfillRecordParams('t', 'store', 2, { startedAt: 1, segments: 4, endedAt: 9 });
    expect(plain.UpdateExpression).toBe('SET #v.backfill = :bf, #v.#state = :ready');
    expect(plain.ExpressionAttributeValues?.[':hold']).toBeUndefined();
  });

  it('records the store-refused count with an end only (it outlives the expiring progress items)', () => {
    const end = backfillRecordParams('t', 'store', 2, {
      startedAt: 1,
      segments: 4,
      endedAt: 9,
      storeRefused: 3,
    });
    expect(end.ExpressionAttributeValues?.[':bf']?.M?.storeRefused).toEqual({ N: '3' });
    const start = backfillRecordParams('t', 'store', 2, { startedAt: 1, segments: 4, storeRefused: 3 });
    expect(start.ExpressionAttributeValues?.[':bf']?.M?.storeRefused).toBeUndefined();
  });
});
