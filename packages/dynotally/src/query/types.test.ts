// Declare once, infer everywhere: group arguments and result keys come from the rollup definition.
import { describe, expectTypeOf, it } from 'vitest';
import {
  favouritesPerRestaurant,
  jobsPerCustomer,
  storeMetrics,
} from '../../../dynotally-cli/src/scenarios/rollups.ts';
import type { GroupValue } from '../definition/index.ts';
import { createQueryClient } from './query-client.ts';

const query = createQueryClient({
  clientConfig: { region: 'local' },
  table: 't',
  rollups: [jobsPerCustomer, storeMetrics, favouritesPerRestaurant],
});

describe('query client types', () => {
  it('infers groups and measure names from the rollup', () => {
    type Total = Awaited<ReturnType<typeof query.total<typeof storeMetrics>>>;
    expectTypeOf<Total['values']>().toEqualTypeOf<{ readonly orders: number; readonly views: number }>();
    expectTypeOf(query.total<typeof jobsPerCustomer>)
      .parameter(1)
      .toEqualTypeOf<{ readonly customerId: GroupValue }>();
    type Series = Awaited<ReturnType<typeof query.series<typeof storeMetrics>>>;
    expectTypeOf<Series['points'][number]['values']>().toEqualTypeOf<{
      readonly orders: number;
      readonly views: number;
    }>();
    type Top = Awaited<ReturnType<typeof query.top<typeof favouritesPerRestaurant>>>;
    expectTypeOf<Top['entries'][number]['group']>().toEqualTypeOf<
      { readonly restaurantId: GroupValue } | undefined
    >();
    // a misspelt measure or group attribute does not compile (checked by tsc; never run)
    const typeOnly = () => {
      // @ts-expect-error 'revenue' is not a measure of storeMetrics
      void query.explain.total(storeMetrics, { storeId: 's' }, { lastDays: 1 }, { measures: ['revenue'] });
      // @ts-expect-error storeMetrics groups by storeId
      void query.explain.total(storeMetrics, { store: 's' }, { lastDays: 1 });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
});
