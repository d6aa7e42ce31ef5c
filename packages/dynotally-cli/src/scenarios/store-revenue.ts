import { defineRollup, sum } from 'dynotally';
import { storeMetricsOptions } from './rollups.ts';

/**
 * S4 changed: {@link storeMetrics} plus `revenue`, the sum of the orders' `amount` — the dev stack's "change a
 * rollup" demo. Same name (`store`), so it is a second version of the same rollup: a new fingerprint, rows under
 * `store.v2#…`, built by a backfill while the stream writes it, serving once promoted.
 *
 * @example
 * ```ts
 * await query.total('store', { storeId: 'store-001' }, { lastDays: 30 }); // { orders, views, revenue } once promoted
 * ```
 */
const s4 = storeMetricsOptions();
export const storeMetricsWithRevenue = defineRollup({
  ...s4,
  measures: { ...s4.measures, revenue: sum('amount', { where: { type: 'order' } }) },
});
