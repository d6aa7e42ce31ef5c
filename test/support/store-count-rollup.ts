// The smallest rollup a test can count with: orders per store, all time.
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';

/**
 * What {@link storeCountRollup} is defined from, for a test that needs another definition of rollup `store`.
 *
 * @example
 * ```ts
 * const monthly = defineRollup({ ...storeCountConfig, granularities: ['all', 'month'] });
 * ```
 */
export const storeCountConfig = {
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
} as const;

/**
 * Rollup `store`: a count `n` per `storeId`, `all` granularity only (one row per store, `store#s<id>`), event time
 * from `t` in epoch milliseconds.
 *
 * @example
 * ```ts
 * const { compiled } = storeCountRollup;
 * await registerVersions(client, table, [compiled], { firstVersion: 'building' });
 * ```
 */
export const storeCountRollup = defineRollup(storeCountConfig);
