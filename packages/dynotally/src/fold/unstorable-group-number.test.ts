// A groupBy function's number is keyed by its exact value, whatever its size: the key is text, so a 39-digit bigint
// (a UUID as a number), 1e200 or 5e-324 names a group, and a query naming the same value reads it
// (query/bad-input.test.ts). A number's text, `{ N }`, is what an item stores, and one DynamoDB would not store is
// VALUE_INVALID: the record is poison for every rollup, leaves no trace, and the rest of the batch is folded. NaN
// and ±Infinity are no number at all.
import { describe, expect, it } from 'vitest';
import { foldedRows, insertOf } from '../../../../test/support/group-fold.ts';
import { count, defineRollup, type GroupValue } from '../definition/index.ts';
import { foldBatch } from './fold-batch.ts';

const values = new Map<string, GroupValue>();
const rollups = [
  defineRollup({ name: 'byAttr', groupBy: 'g', granularities: ['all'], measures: { n: count() } }),
  defineRollup({
    name: 'byFn',
    groupBy: (item) => ({ v: values.get(item.k as string) as GroupValue }),
    granularities: ['day', 'all'],
    measures: { n: count() },
  }),
].map((r) => r.compiled);

const insert = (seq: number, k: string) => insertOf(seq, { g: { S: 'x' }, k: { S: k } });

const rows = foldedRows;

describe('a groupBy function returning a number', () => {
  it.each<[string, GroupValue, RegExp]>([
    ['the text of a number below 1e-130', { N: '1e-200' }, /not a number DynamoDB can store/],
    ['the text of 1e126', { N: '1e126' }, /not a number DynamoDB can store/],
    ['NaN', Number.NaN, /NaN, not a number DynamoDB can store/],
    ['Infinity', Number.POSITIVE_INFINITY, /Infinity, not a number DynamoDB can store/],
  ])('%s is VALUE_INVALID and leaves no trace', (_label, value, message) => {
    values.set('good', 'g-1');
    values.set('bad', value);
    const withPoison = foldBatch(rollups, [insert(1, 'good'), insert(2, 'bad'), insert(3, 'good')]);
    const without = foldBatch(rollups, [insert(1, 'good'), insert(3, 'good')]);
    expect(withPoison.poison.map((p) => p.error.code)).toEqual(['VALUE_INVALID']);
    expect(withPoison.poison[0]?.error.message).toMatch(message);
    expect(withPoison.poison[0]?.error.details).toMatchObject({ rollup: 'byFn', attribute: 'v' });
    expect(rows(withPoison)).toEqual(rows(without));
  });

  it.each<[string, GroupValue, string]>([
    ['the smallest subnormal', 5e-324, `byFn#n0.${'0'.repeat(323)}5`],
    ['1e-130', 1e-130, `byFn#n0.${'0'.repeat(129)}1`],
    ['a double of 1e126', 1e126, `byFn#n1${'0'.repeat(126)}`],
    ['a double just under 1e126', 9.99999999999999e125, `byFn#n${'9'.repeat(15)}${'0'.repeat(111)}`],
    ['-0 (the group 0)', -0, 'byFn#n0'],
    // keyed by the double's shortest text, as before (a query names it with that bigint)
    ['an integer beyond 2^53 as a double', 2 ** 60, 'byFn#n1152921504606847000'],
    ['a bigint of 38 digits', 10n ** 38n - 1n, `byFn#n${'9'.repeat(38)}`],
    ['a UUID as a bigint (39 digits)', 2n ** 128n - 1n, 'byFn#n340282366920938463463374607431768211455'],
    ['a bigint of 1e126', 10n ** 126n, `byFn#n1${'0'.repeat(126)}`],
  ])('%s is a group', (_label, value, pk) => {
    values.set('ok', value);
    const r = foldBatch(rollups, [insert(1, 'ok')]);
    expect(r.poison).toEqual([]);
    expect(new Set(rows(r).map((x) => x.pk))).toEqual(new Set(['byAttr#sx', pk]));
  });
});
