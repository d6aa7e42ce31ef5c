// Two rollups for the tests of a record refused for 38 digits: its sum's row refuses it, and its max lives in
// another rollup's row, which never refuses it (so a refused record's trace there is visible).
import { count, defineRollup, max, sum } from '../../packages/dynotally/src/definition/index.ts';

/** `sums`: the total of `amount` per `g`, all time. */
export const sums = defineRollup({
  name: 'sums',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { total: sum('amount') },
});

/** `peaks`: the count and the max of `amount` per `kind`, all time. */
export const peaks = defineRollup({
  name: 'peaks',
  groupBy: 'kind',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), top: max('amount') },
});
