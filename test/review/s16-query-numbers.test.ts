// Review s16 (query client): exact sums across buckets. Each stored cell is exact (DynamoDB's 38 significant
// digits, 1e-130 … 1e126), but the query adds cells as 60-digit decimals, so a total over buckets whose values
// differ widely in magnitude was rounded, and returned as if exact ("Numbers are exact", docs/query.md). Fixed:
// the query adds with 300-digit decimals (any sum of DynamoDB numbers); since session 26 addNum is exact everywhere.
import { describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { MeasureAccumulator, readScalar } from '../../packages/dynotally/src/query/measure-value.ts';
import { Decimal } from '../oracle/decimal.ts';

const money = defineRollup({
  name: 'money',
  groupBy: 'g',
  granularities: ['day', 'month'],
  measures: { n: count(), amt: sum('amount') },
});

function total(cells: readonly string[]): unknown {
  const acc = new MeasureAccumulator(money.compiled.measures[1]!);
  for (const n of cells) acc.add(readScalar({ N: n })!);
  return acc.result();
}

describe('sums across buckets', () => {
  it('are exact for 38-digit cells of one magnitude', () => {
    const cells = ['99999999999999999999999999999999999999', '99999999999999999999999999999999999999', '0.5'];
    expect(total(cells)).toBe(cells.reduce((a, n) => a.plus(n), new Decimal(0)).toFixed());
  });

  // Was 12345678901234567890123456789012345678.1234567890123456789012 (60 digits); the exact sum has 76.
  it('are exact when a 38-digit integer day and a 38-digit fraction day are added', () => {
    const cells = ['12345678901234567890123456789012345678', '0.12345678901234567890123456789012345678'];
    expect(total(cells)).toBe(
      '12345678901234567890123456789012345678.12345678901234567890123456789012345678',
    );
  });
});
