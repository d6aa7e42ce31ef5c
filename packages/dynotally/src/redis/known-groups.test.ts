import { describe, expect, it } from 'vitest';
import { count, defineRollup, max, sum } from '../definition/index.ts';
import { rollupsWithSums } from './known-groups.ts';

const base = {
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day'],
} as const;

describe('rollupsWithSums', () => {
  it('names the rollups with a sum (whose groups need their hints known), not counts nor extrema', () => {
    const money = defineRollup({ ...base, name: 'money', measures: { n: count(), total: sum('amount') } });
    const jobs = defineRollup({ ...base, name: 'jobs', measures: { n: count(), top: max('amount') } });
    const fees = defineRollup({
      ...base,
      name: 'fees',
      measures: { f: sum('fee', { granularities: ['day'] }) },
    });
    expect(rollupsWithSums([money.compiled, jobs.compiled, fees.compiled])).toBe('money,fees');
    expect(rollupsWithSums([jobs.compiled])).toBe('');
  });
});
