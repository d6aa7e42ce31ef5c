// A group value is a number DynamoDB stores, whichever way it comes: an item's `N` attribute always is one, and a
// groupBy function's `{ N: '1e-200' }` was refused, but the same number returned as a plain number (`1e-200`,
// `5e-324`, `1e200`) or as a bigint of more than 38 digits was counted under a key no item attribute and no query
// could name (a query's plain `5e-324` reads 0 from every rollup grouping by an attribute). Such a record is now
// poison (VALUE_INVALID) for every rollup: it leaves no trace, and the rest of the batch is folded.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { count, defineRollup, type GroupValue } from '../definition/index.ts';
import { foldBatch } from './fold-batch.ts';

const T = Date.UTC(2026, 2, 1, 12);
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

const insert = (seq: number, k: string): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/s',
  dynamodb: {
    SequenceNumber: String(seq),
    ApproximateCreationDateTime: T / 1000,
    NewImage: { id: { S: `i${seq}` }, g: { S: 'x' }, k: { S: k } },
  },
});

const rows = (r: ReturnType<typeof foldBatch>) =>
  r.coalescer.rowList().map((a) => ({ pk: a.pk, sk: a.sk, attrs: a.attrs, deltas: a.deltas.map(String) }));

describe('a groupBy function returning a number DynamoDB cannot store', () => {
  it.each<[string, GroupValue]>([
    ['the smallest subnormal', 5e-324],
    ['a negative subnormal', -5e-324],
    ['a double below 1e-130', 1e-131],
    ['a double of 1e126', 1e126],
    ['the largest double', Number.MAX_VALUE],
    ['a bigint of 41 digits', 10n ** 40n + 1n],
    ['a bigint of 1e126', 10n ** 126n],
    ['the text of a number below 1e-130', { N: '1e-200' }],
  ])('%s is VALUE_INVALID and leaves no trace', (_label, value) => {
    values.set('good', 'g-1');
    values.set('bad', value);
    const withPoison = foldBatch(rollups, [insert(1, 'good'), insert(2, 'bad'), insert(3, 'good')]);
    const without = foldBatch(rollups, [insert(1, 'good'), insert(3, 'good')]);
    expect(withPoison.poison.map((p) => p.error.code)).toEqual(['VALUE_INVALID']);
    expect(withPoison.poison[0]?.error.message).toMatch(/'v'.*not a number DynamoDB can store/);
    expect(withPoison.poison[0]?.error.details).toMatchObject({ rollup: 'byFn', attribute: 'v' });
    expect(rows(withPoison)).toEqual(rows(without));
  });

  it.each<[string, GroupValue, string]>([
    ['1e-130', 1e-130, 'byFn#n0.' + '0'.repeat(129) + '1'],
    ['a double just under 1e126', 9.99999999999999e125, `byFn#n${'9'.repeat(15)}${'0'.repeat(111)}`],
    ['-0 (the group 0)', -0, 'byFn#n0'],
    // keyed by the double's shortest text, as before (a query names it with that bigint)
    ['an integer beyond 2^53 as a double', 2 ** 60, 'byFn#n1152921504606847000'],
    ['a bigint of 38 digits', 10n ** 38n - 1n, `byFn#n${'9'.repeat(38)}`],
    ['a bigint of 1e125', 10n ** 125n, `byFn#n1${'0'.repeat(125)}`],
  ])('%s is a group', (_label, value, pk) => {
    values.set('ok', value);
    const r = foldBatch(rollups, [insert(1, 'ok')]);
    expect(r.poison).toEqual([]);
    expect(new Set(rows(r).map((x) => x.pk))).toEqual(new Set(['byAttr#sx', pk]));
  });
});
