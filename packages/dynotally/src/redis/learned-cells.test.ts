import { describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../definition/index.ts';
import { unreadAttrs } from './learned-cells.ts';

const base = { groupBy: 'g', time: { attribute: 't', format: 'epoch-millis' } } as const;

describe('unreadAttrs', () => {
  it("names the cells of counts, own and packed, not a sum's nor an attribute the rollup does not place", () => {
    const money = defineRollup({
      ...base,
      name: 'money',
      granularities: ['day', 'month', 'all'],
      measures: { n: count(), total: sum('amount') },
    });
    expect([...unreadAttrs(money.compiled, 'ALL', ['n', 'total', 'other'])]).toEqual(['n']);
    expect([...unreadAttrs(money.compiled, 'M2026-11', ['n', 'n_22', 'total', 'total_22'])].sort()).toEqual([
      'n',
      'n_22',
    ]);
    expect(unreadAttrs(undefined, 'ALL', ['n']).size).toBe(0);
  });
});
