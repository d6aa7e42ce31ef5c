// Sums stay exact through the whole fold whatever path each value takes: integers and fixed-scale
// decimals as integers, a sum passing 2^53 or a rescale that would, exponents and long decimals as
// decimals, all within one cell and one batch; removes and modifies subtract exactly.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../definition/index.ts';
import { toDynamoN } from '../numbers/index.ts';
import { planWrites } from '../plan/index.ts';
import { foldBatch } from './fold-batch.ts';
import { Folder } from './fold-changes.ts';

const rollup = defineRollup({
  name: 'r',
  groupBy: 'g',
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
}).compiled;

type Img = Record<string, AttributeValue>;
const T = Date.UTC(2026, 2, 1, 12) / 1000;
let seq = 0;
function rec(kind: 'INSERT' | 'MODIFY' | 'REMOVE', oldImage?: Img, newImage?: Img): DynamoDBRecord {
  seq++;
  return {
    eventID: `e${seq}`,
    eventName: kind,
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/s',
    dynamodb: {
      ApproximateCreationDateTime: T,
      Keys: { pk: { S: 'k' } },
      SequenceNumber: String(seq),
      ...(oldImage === undefined ? {} : { OldImage: oldImage }),
      ...(newImage === undefined ? {} : { NewImage: newImage }),
    },
  };
}
const item = (amount: string, g = 'x'): Img => ({ g: { S: g }, amount: { N: amount } });

/** The `amt` of the all-time row of group x after folding `records` in one batch. */
function allTime(records: DynamoDBRecord[]): string | undefined {
  const { coalescer, poison } = foldBatch([rollup], records, { folder: new Folder([rollup]) });
  expect(poison).toEqual([]);
  const row = planWrites(coalescer, { now: 0 }).rows.find((r) => r.sk === 'ALL' && r.pk.endsWith('x'));
  const add = row?.adds.find(([a]) => a === 'amt');
  return add === undefined ? undefined : toDynamoN(add[1]);
}

describe('exact sums in the fold', () => {
  it('carries a sum past 2^53 exactly', () => {
    expect(
      allTime([rec('INSERT', undefined, item('9007199254740991')), rec('INSERT', undefined, item('2'))]),
    ).toBe('9007199254740993');
  });

  it('mixes scales, a rescale past 2^53, exponents and 29-digit decimals in one cell', () => {
    const records = [
      rec('INSERT', undefined, item('900719925474099')),
      rec('INSERT', undefined, item('0.01')), // rescales the sum to scale 2: past 2^53
      rec('INSERT', undefined, item('1e20')),
      rec('INSERT', undefined, item('12345678901234567890.123456789')),
      rec('INSERT', undefined, item('-0.5')),
    ];
    expect(allTime(records)).toBe('112346579621160041988.633456789');
  });

  it('subtracts removes and modifies exactly, down to zero (no write)', () => {
    const a = item('12.34');
    const b = item('0.66');
    const records = [
      rec('INSERT', undefined, a),
      rec('MODIFY', a, b),
      rec('REMOVE', b, undefined),
      rec('INSERT', undefined, item('7.10')),
      rec('REMOVE', item('7.1'), undefined),
    ];
    expect(allTime(records)).toBeUndefined();
    expect(allTime([rec('INSERT', undefined, a), rec('MODIFY', a, item('12.3401'))])).toBe('12.3401');
  });
});
