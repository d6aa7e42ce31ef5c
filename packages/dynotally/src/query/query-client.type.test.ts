// Type tier: a query client accepts only the rollups it was given (or their names) and infers group
// arguments and result values from them. Checked by tsc (`npx tsc --noEmit -p .`, part of `npm test`);
// nothing here sends a request.
import { describe, expectTypeOf, it } from 'vitest';
import { count, defineRollup, type GroupValue, last, max, sum } from '../definition/index.ts';
import { type AnyRollup, createQueryClient } from './query-client.ts';

const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'customerId',
  granularities: ['minute', 'hour', 'day'],
  measures: { jobs: count() },
});
const store = defineRollup({
  name: 'store',
  groupBy: ['storeId', 'region'],
  granularities: ['day', 'month', 'all'],
  measures: { orders: count(), revenue: sum('amount'), peak: max('amount', { granularities: ['day'] }) },
  leaderboard: { measure: 'orders', granularities: ['all'] },
});
const favourites = defineRollup({
  name: 'favourites',
  groupBy: 'restaurantId',
  granularities: ['month', 'all'],
  measures: { favourites: count() },
  leaderboard: { measure: 'favourites', granularities: ['month', 'all'] },
});
const meters = defineRollup({
  name: 'meters',
  groupBy: 'deviceId',
  granularities: ['hour', 'all'],
  measures: { wh: sum('wh'), power: last('watts', { granularities: ['all'] }) },
});

const query = createQueryClient({
  clientConfig: { region: 'local' },
  table: 't',
  rollups: [jobs, store, favourites],
});
const window = { last: '24h' } as const;

// Only the types of these calls are checked: they are never called.
const calls = {
  total: () => query.total(jobs, { customerId: 'c-1' }, window),
  byName: () => query.total('store', { storeId: 's', region: 'eu' }, window),
  some: () => query.total(store, { storeId: 's', region: 'eu' }, window, { measures: ['revenue'] }),
  many: () => query.totalMany('jobs', [{ customerId: 'a' }, { customerId: 'b' }], window),
  series: () => query.series(store, { storeId: 's', region: 'eu' }, { granularity: 'day', window }),
  top: () => query.top(store, { bucket: 'all' }),
  topByName: () => query.top('favourites', { bucket: 'month' }),
  latest: () =>
    createQueryClient({ clientConfig: {}, table: 't', rollups: [meters] }).latest(meters, { deviceId: 'm' }),
};
type Result<K extends keyof typeof calls> = Awaited<ReturnType<(typeof calls)[K]>>;

describe('query client types', () => {
  it('types a count as a number and a sum as number | string', () => {
    expectTypeOf<Result<'total'>['values']>().toEqualTypeOf<{ readonly jobs: number }>();
    expectTypeOf<Result<'byName'>['values']>().toEqualTypeOf<{
      readonly orders: number;
      readonly revenue: number | string;
      readonly peak: number | string | null;
    }>();
  });

  it('narrows values to the measures asked for', () => {
    expectTypeOf<Result<'some'>['values']>().toEqualTypeOf<{ readonly revenue: number | string }>();
  });

  it('infers group keys, by rollup and by name', () => {
    expectTypeOf<Result<'many'>['results'][number]['group']>().toEqualTypeOf<{
      readonly customerId: GroupValue;
    }>();
    expectTypeOf<Result<'many'>['results'][number]['values']>().toEqualTypeOf<{ readonly jobs: number }>();
    expectTypeOf<Result<'top'>['entries'][number]['group']>().toEqualTypeOf<
      { readonly storeId: GroupValue; readonly region: GroupValue } | undefined
    >();
  });

  it('types series points, leaderboard values and latest values', () => {
    expectTypeOf<Result<'series'>['points'][number]['values']['orders']>().toEqualTypeOf<number>();
    // a leaderboard ranks a count or a sum: a rollup with only counts ranks numbers
    expectTypeOf<Result<'topByName'>['entries'][number]['value']>().toEqualTypeOf<number>();
    expectTypeOf<Result<'top'>['entries'][number]['value']>().toEqualTypeOf<number | string>();
    expectTypeOf<Result<'latest'>['values']>().toEqualTypeOf<
      Readonly<Partial<Record<'power', import('./results.ts').LatestValue | null>>>
    >();
    expectTypeOf<NonNullable<Result<'latest'>['values']['power']>['value']>().toEqualTypeOf<
      number | string | boolean
    >();
  });

  it('accepts only the rollups the client was given', () => {
    const typeOnly = () => {
      // @ts-expect-error meters was not given to this client
      void query.total(meters, { deviceId: 'm' }, window);
      // @ts-expect-error nor a rollup named 'meters'
      void query.explain.total('meters', { deviceId: 'm' }, window);
      // @ts-expect-error jobs groups by customerId
      void query.total(jobs, { storeId: 's' }, window);
      // @ts-expect-error store groups by storeId and region
      void query.explain.total('store', { storeId: 's' }, window);
      // @ts-expect-error 'views' is not a measure of store
      void query.total(store, { storeId: 's', region: 'eu' }, window, { measures: ['views'] });
      // @ts-expect-error 'fortnight' is not a granularity
      void query.series(jobs, { customerId: 'c' }, { granularity: 'fortnight', window });
      const energy = createQueryClient({ clientConfig: {}, table: 't', rollups: [meters] });
      // @ts-expect-error latest reads `last` measures only
      void energy.latest(meters, { deviceId: 'm' }, { measures: ['wh'] });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it('a client over rollups known only at run time accepts any rollup or name', () => {
    const loaded: AnyRollup[] = [jobs, store];
    const loose = createQueryClient({ clientConfig: {}, table: 't', rollups: loaded });
    const call = () => loose.total('anything', { any: 'group' }, window);
    expectTypeOf<Awaited<ReturnType<typeof call>>['values']>().toEqualTypeOf<
      Readonly<Record<string, number | string | boolean | null>>
    >();
    expectTypeOf(loose.total<typeof meters>).toBeFunction();
  });
});
