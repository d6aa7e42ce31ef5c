import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { GRANULARITIES } from '../oracle/canonical.ts';

/** Zone of the benchmark's calendar buckets (the oracle and the baselines use the same). */
export const S4_ZONE = 'Europe/London';

/**
 * The end-to-end benchmark's rollup: the S4 store metrics at every granularity the oracle and the
 * naive and Powertools baselines count (minute, hour, day, month, year, all — one list,
 * `GRANULARITIES`, shared by all of them), orders and views counted by event type, per store.
 * Stored as three rows per store and time: hour rows holding minutes, month rows holding days,
 * the all-time row holding years.
 *
 * @example
 * ```ts
 * const applier = new Applier({ client, table: 'bench-agg', rollups: [benchStoreRollup] });
 * ```
 */
export const benchStoreRollup = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: S4_ZONE,
  granularities: [...GRANULARITIES],
  measures: {
    orders: count({ where: { type: 'order' } }),
    views: count({ where: { type: 'view' } }),
  },
});
