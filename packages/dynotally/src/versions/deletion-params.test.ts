import { describe, expect, it } from 'vitest';
import { deletionRecordParams, isRowOfPrefix, retiredRowsScanParams } from './deletion-params.ts';
import { versionKeyPrefix } from './version-prefix.ts';

describe('deleting a retired version: which rows', () => {
  it('matches the version prefix exactly, never another version, rollup or a control item', () => {
    const v1 = versionKeyPrefix('store', 1);
    const v2 = versionKeyPrefix('store', 2);
    expect(isRowOfPrefix(v1, 'store#ss1')).toBe(true);
    expect(isRowOfPrefix(v1, 'store')).toBe(true); // a rollup without group-by
    expect(isRowOfPrefix(v1, 'store.v2#ss1')).toBe(false);
    expect(isRowOfPrefix(v1, 'storeX#ss1')).toBe(false);
    expect(isRowOfPrefix(v1, '~ctl#store')).toBe(false);
    expect(isRowOfPrefix(v2, 'store.v2#ss1')).toBe(true);
    expect(isRowOfPrefix(v2, 'store.v20#ss1')).toBe(false);
    expect(isRowOfPrefix(v2, 'store#ss1')).toBe(false);
  });

  it('scans keys only, filtered on the prefix and the prefix with its separator, from the cursor', () => {
    const p = retiredRowsScanParams('agg', 'store.v2', { pk: { S: 'x' }, sk: { S: 'y' } }, 500);
    expect(p).toMatchObject({
      TableName: 'agg',
      Limit: 500,
      ProjectionExpression: '#pk, #sk',
      FilterExpression: '#pk = :p OR begins_with(#pk, :pp)',
      ExpressionAttributeValues: { ':p': { S: 'store.v2' }, ':pp': { S: 'store.v2#' } },
      ExclusiveStartKey: { pk: { S: 'x' }, sk: { S: 'y' } },
    });
  });

  it('records progress only while the version is retired and its deletion has not ended', () => {
    const p = deletionRecordParams('agg', 'store', 1, { startedAt: 5, deleted: 10, pages: 2, endedAt: 9 });
    expect(p.ConditionExpression).toBe('#v.#state = :retired AND attribute_not_exists(#v.#del.#end)');
    expect(p.ExpressionAttributeNames).toEqual({
      '#v': 'v1',
      '#state': 'state',
      '#del': 'deletion',
      '#end': 'endedAt',
    });
    expect(p.ExpressionAttributeValues?.[':d']).toEqual({
      M: { startedAt: { N: '5' }, deleted: { N: '10' }, pages: { N: '2' }, endedAt: { N: '9' } },
    });
  });
});
