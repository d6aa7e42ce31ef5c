import { count, defineRollup } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { workerBanner } from './worker-banner.ts';

const rollup = (name: string) =>
  defineRollup({ name, groupBy: 'storeId', granularities: ['day'], measures: { n: count() } });

describe('workerBanner', () => {
  it('names the rollups, with "rollup" for one', () => {
    // A first-hour `npx dynotally worker` over the guide's one rollup said "(1 rollups)".
    expect(workerBanner('w-1', 'arn:s', 'orders-aggregates', [rollup('orders')])).toBe(
      'worker w-1 on arn:s → orders-aggregates (1 rollup: orders); Ctrl-C stops\n',
    );
    expect(workerBanner('w-1', 'arn:s', 'agg', [rollup('orders'), rollup('views')])).toBe(
      'worker w-1 on arn:s → agg (2 rollups: orders, views); Ctrl-C stops\n',
    );
  });
});
