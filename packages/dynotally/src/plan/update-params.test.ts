import { describe, expect, it } from 'vitest';
import { Dec } from '../numbers/index.ts';
import type { RowWrite } from './row-write.ts';
import { extremumUpdateParams, rowUpdateParams } from './update-params.ts';

const row: RowWrite = {
  rollup: 'store',
  pk: 'store#ss-1',
  sk: 'M2026-11',
  adds: [
    ['orders', 3],
    ['orders_22', 3],
    ['revenue', new Dec('12.50')],
  ],
  ttl: 1_800_000_000,
  leaderboard: { key: 'store#M2026-11#0', delta: 3 },
  firstSeq: '0'.repeat(39) + '1',
  lastSeq: '0'.repeat(39) + '9',
  lastApproxMs: 1_763_800_000_000,
};

describe('rowUpdateParams', () => {
  it('prints a deterministic, atomic ADD with placeholders in attribute order', () => {
    expect(rowUpdateParams('agg', row, { now: 1 })).toEqual({
      TableName: 'agg',
      Key: { pk: { S: 'store#ss-1' }, sk: { S: 'M2026-11' } },
      UpdateExpression: 'SET #u = :u, #ttl = :ttl, #lbk = :lbk ADD #a0 :v0, #a1 :v1, #a2 :v2, #lbv :lbv',
      ExpressionAttributeNames: {
        '#u': 'updatedAt',
        '#a0': 'orders',
        '#a1': 'orders_22',
        '#a2': 'revenue',
        '#ttl': 'ttl',
        '#lbk': 'lbk',
        '#lbv': 'lbv',
      },
      ExpressionAttributeValues: {
        ':u': { N: '1' },
        ':v0': { N: '3' },
        ':v1': { N: '3' },
        ':v2': { N: '12.5' },
        ':ttl': { N: '1800000000' },
        ':lbk': { S: 'store#M2026-11#0' },
        ':lbv': { N: '3' },
      },
    });
  });

  it('guards with the row watermark and prunes stale shards only if unchanged', () => {
    const input = rowUpdateParams(
      'agg',
      { ...row, leaderboard: undefined, ttl: undefined },
      {
        now: 1,
        watermark: { attr: 'w_abc', value: `${row.lastSeq}|1763800000`, first: row.firstSeq },
        prune: [{ attr: 'w_old', value: 'x|1' }],
      },
    );
    expect(input.UpdateExpression).toBe('SET #u = :u, #w = :w ADD #a0 :v0, #a1 :v1, #a2 :v2 REMOVE #p0');
    expect(input.ConditionExpression).toBe('(attribute_not_exists(#w) OR #w < :wf) AND #p0 = :p0');
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('writes min / max / last as conditional SETs that only win when they beat the stored value', () => {
    const base = {
      rollup: 'energy',
      pk: 'energy#sm-1',
      sk: 'ALL',
      attr: 'power',
      value: 230,
      time: 5,
      ttl: undefined,
    };
    expect(extremumUpdateParams('agg', { ...base, op: 'last' }, { now: 1 }).ConditionExpression).toBe(
      'attribute_not_exists(#t) OR #t < :t OR (#t = :t AND (attribute_type(#a, :tyBOOL) OR #a < :v))',
    );
    // a tie ranks the stored value's type too (booleans < numbers < strings), and true above false (last-tie.ts)
    const word = extremumUpdateParams('agg', { ...base, op: 'last', value: 'on' }, { now: 1 });
    expect(word.ConditionExpression).toBe(
      'attribute_not_exists(#t) OR #t < :t OR (#t = :t AND (attribute_type(#a, :tyBOOL) OR attribute_type(#a, :tyN) OR #a < :v))',
    );
    expect(word.ExpressionAttributeValues?.[':tyN']).toEqual({ S: 'N' });
    const yes = extremumUpdateParams('agg', { ...base, op: 'last', value: true }, { now: 1 });
    expect(yes.ConditionExpression).toBe('attribute_not_exists(#t) OR #t < :t OR (#t = :t AND (#a = :f))');
    expect(yes.ExpressionAttributeValues?.[':f']).toEqual({ BOOL: false });
    expect(
      extremumUpdateParams('agg', { ...base, op: 'last', value: false }, { now: 1 }).ConditionExpression,
    ).toBe('attribute_not_exists(#t) OR #t < :t');
    expect(extremumUpdateParams('agg', { ...base, op: 'min' }, { now: 1 }).ConditionExpression).toBe(
      'attribute_not_exists(#a) OR #a > :v',
    );
  });
});
