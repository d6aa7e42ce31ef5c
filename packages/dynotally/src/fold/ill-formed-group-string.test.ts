// A group string DynamoDB cannot store as it is: one with a lone surrogate (half of a character outside the Basic
// Multilingual Plane, as `name.slice(0, 3)` leaves of 'ab😀'). DynamoDB stores strings as UTF-8, which has no such
// half: on DynamoDB Local, rows keyed 'x\uD800', 'x\uDBFF' and 'x\uD83D' were one row (its `n` was 3), so different
// groups a groupBy function returned were counted together, and the key read back was none of them. Such a record is
// now poison (VALUE_INVALID) for every rollup, as an item attribute holding one would be, and a query naming such a
// string is GROUP_INVALID. Whole characters (emoji, any plane) are groups as before.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../test/support/error-of.ts';
import { foldedRows, GROUP_FOLD_AT, insertOf } from '../../../../test/support/group-fold.ts';
import { planningClient } from '../../../../test/support/planning-client.ts';
import { count, defineRollup } from '../definition/index.ts';
import { foldBatch } from './fold-batch.ts';

const byAttr = defineRollup({
  name: 'byAttr',
  groupBy: 'g',
  granularities: ['all'],
  measures: { n: count() },
});
const byFn = defineRollup({
  name: 'byFn',
  groupBy: (item) => ({ name: String(item.name).slice(0, 3) }),
  granularities: ['day', 'all'],
  measures: { n: count() },
});
const rollups = [byAttr.compiled, byFn.compiled];

const insert = (seq: number, name: string, g: AttributeValue = { S: 'x' }) =>
  insertOf(seq, { g, name: { S: name } });

const rows = foldedRows;

describe('a group string with a lone surrogate', () => {
  it.each<[string, DynamoDBRecord]>([
    ["a groupBy function cutting an emoji in half ('ab😀'.slice(0, 3))", insert(2, 'ab😀')],
    ['a groupBy function returning a lone low surrogate', insert(2, 'a\uDC00b')],
    ['an item attribute holding a lone high surrogate', insert(2, 'abc', { S: 'x\uD800' })],
  ])('%s is VALUE_INVALID and leaves no trace', (_label, poison) => {
    const withPoison = foldBatch(rollups, [insert(1, 'abc'), poison, insert(3, 'abc')]);
    const without = foldBatch(rollups, [insert(1, 'abc'), insert(3, 'abc')]);
    expect(withPoison.poison.map((p) => p.error.code)).toEqual(['VALUE_INVALID']);
    expect(withPoison.poison[0]?.error.message).toMatch(/lone surrogate/);
    expect(rows(withPoison)).toEqual(rows(without));
  });

  it('whole characters of any plane are groups', () => {
    const r = foldBatch(rollups, [insert(1, '😀é!'), insert(2, 'é€'), insert(3, 'x', { S: '𝒳\uFFFD' })]);
    expect(r.poison).toEqual([]);
    expect(new Set(rows(r).map((x) => x.pk))).toEqual(
      new Set(['byAttr#sx', 'byAttr#s𝒳\uFFFD', 'byFn#s😀é', 'byFn#sé€', 'byFn#sx']),
    );
  });

  it('is GROUP_INVALID in a query (it read another group, or none)', () => {
    const query = planningClient([byAttr, byFn], GROUP_FOLD_AT);
    for (const [r, group] of [
      [byAttr, { g: 'x\uD800' }],
      [byFn, { name: 'ab\uD83D' }],
      [byAttr, { g: '\uDC00' }],
    ] as const) {
      const e = errorOf(() => query.explain.total(r as never, group as never, 'all'));
      expect(e.code, JSON.stringify(group)).toBe('GROUP_INVALID');
      expect(e.message).toMatch(/lone surrogate/);
    }
    expect(query.explain.total(byAttr, { g: '😀' }, 'all').requests).toHaveLength(1);
  });
});
