import { count, defineRollup, last, max } from '../../packages/dynotally/src/definition/index.ts';
import { GRANULARITIES } from '../oracle/canonical.ts';
import { S4_ZONE } from './s4-rollup.ts';

/**
 * The bench's S4 rollup plus two extrema on orders, the largest amount and the latest one (`max`, `last`):
 * min / max / last are conditional writes of their own (one per bucket and measure), so this rollup shows
 * how many such writes an event costs and how many requests carry them, on UpdateItem (one each) and on
 * PartiQL (25 a request). The oracle checks its counts; its extrema are not compared (a `max` is not exact
 * under the workload's removes, by design).
 *
 * @example
 * ```ts
 * const applier = new Applier({ client, table: 'bench-agg', rollups: [benchStoreExtremaRollup] });
 * ```
 */
export const benchStoreExtremaRollup = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: S4_ZONE,
  granularities: [...GRANULARITIES],
  measures: {
    orders: count({ where: { type: 'order' } }),
    views: count({ where: { type: 'view' } }),
    largestOrder: max('amount', { where: { type: 'order' } }),
    lastOrder: last('amount', { where: { type: 'order' } }),
  },
});
