import { describe, expect, it } from 'vitest';
import { conditionCheckParams } from './condition-check-params.ts';
import type { RowWrite } from './row-write.ts';
import { rowUpdateParams } from './update-params.ts';

const row: RowWrite = {
  rollup: 'store',
  pk: 'store#ss-1',
  sk: 'ALL',
  adds: [['orders', 3]],
  ttl: 1_800_000_000,
  leaderboard: undefined,
  firstSeq: '0'.repeat(39) + '1',
  lastSeq: '0'.repeat(39) + '9',
  lastApproxMs: 1_763_800_000_000,
};

describe('conditionCheckParams', () => {
  it("keeps a row write's key, condition and returned row, and changes nothing but a missing updatedAt", () => {
    const write = rowUpdateParams('agg', row, {
      now: 5,
      watermark: { attr: 'w_a', value: { N: '9' }, first: { N: '1' }, refusedBy: '~tx' },
    });
    expect(conditionCheckParams(write)).toEqual({
      TableName: 'agg',
      Key: { pk: { S: 'store#ss-1' }, sk: { S: 'ALL' } },
      UpdateExpression: 'SET #u = if_not_exists(#u, :u)',
      ConditionExpression:
        '((attribute_not_exists(#w) OR #w < :wf) AND attribute_not_exists(#wx)) AND attribute_exists(#ck)',
      // only the names and values the check uses: DynamoDB refuses the others
      ExpressionAttributeNames: { '#u': 'updatedAt', '#w': 'w_a', '#wx': '~tx', '#ck': 'pk' },
      ExpressionAttributeValues: { ':u': { N: '5' }, ':wf': { N: '1' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });
});
