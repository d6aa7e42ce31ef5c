// The two rollups of the 38-digit tests: `amounts` sums per group `g` (where 1e20 then 1e-19 cannot be stored), and
// `kinds` counts the same records per `kind` (a row the refused record reached, so it is taken back there).
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';

/**
 * Counts and sums `amount` per `g`, all time.
 *
 * @example
 * ```ts
 * new Applier({ client, table, rollups: [amounts, kinds] });
 * ```
 */
export const amounts = defineRollup({
  name: 'amounts',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
});

/**
 * Counts per `kind`, all time.
 *
 * @example
 * ```ts
 * new Applier({ client, table, rollups: [amounts, kinds] });
 * ```
 */
export const kinds = defineRollup({
  name: 'kinds',
  groupBy: 'kind',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
