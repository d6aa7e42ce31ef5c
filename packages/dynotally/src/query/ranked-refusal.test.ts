import { describe, expect, it } from 'vitest';
import { rankedRowVerdict } from './ranked-refusal.ts';

const E38 = `1${'0'.repeat(38)}`;

describe('rankedRowVerdict', () => {
  it('refuses a write whose other measure passes 38 digits, and keeps the row’s ranked value', () => {
    const row = { n: { N: E38 }, total: { N: '5' }, lbv: { N: '5' } };
    expect(
      rankedRowVerdict(
        row,
        [
          new Map([
            ['n', 1],
            ['total', 1],
          ]),
        ],
        'total',
      ),
    ).toEqual({
      refused: true,
      value: 5,
    });
  });

  it('takes the writes that fit, before and after a refused one', () => {
    const row = { n: { N: E38 }, total: { N: '5' }, lbv: { N: '5' } };
    const writes = [
      new Map([['total', 2]]),
      new Map([
        ['n', 1],
        ['total', 10],
      ]),
      new Map([['total', 3]]),
    ];
    expect(rankedRowVerdict(row, writes, 'total')).toEqual({ refused: true, value: 10 });
  });

  it('says nothing refused when every write fits, and counts from the measure on a row without lbv', () => {
    expect(rankedRowVerdict({ total: { N: '4' } }, [new Map([['total', 1]])], 'total')).toEqual({
      refused: false,
      value: 5,
    });
    expect(rankedRowVerdict(undefined, [new Map([['total', 1]])], 'total')).toEqual({
      refused: false,
      value: 1,
    });
  });

  it('a refused write without the ranked measure does not refuse the ranked value', () => {
    const row = { n: { N: E38 }, total: { N: '5' }, lbv: { N: '5' } };
    expect(rankedRowVerdict(row, [new Map([['n', 1]]), new Map([['total', 1]])], 'total')).toEqual({
      refused: false,
      value: 6,
    });
  });
});
