import { count, defineRollup, sum } from 'dynotally';

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
export const storeMetricsWithRevenue = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: 'Europe/London',
  granularities: ['day', 'month', 'year', 'all'],
  measures: {
    orders: count({ where: { type: 'order' } }),
    views: count({ where: { type: 'view' } }),
    revenue: sum('amount', { where: { type: 'order' } }),
  },
});
