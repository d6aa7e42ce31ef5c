// Type tier: what defineRollup infers and what must not compile. Checked by tsc (`npx tsc --noEmit -p .`,
// part of `npm test`); at run time these tests only build rollups. Break the types and tsc fails here.
import { describe, expectTypeOf, it } from 'vitest';
import {
  defineRollup,
  type GroupOfRollup,
  type MeasuresOfRollup,
  type ValuesOfRollup,
} from './define-rollup.ts';
import type { Granularity } from './granularity-name.ts';
import { count, last, type MeasureDef, type MeasureOptions, max, min, sum } from './measures.ts';
import type { GroupValue } from './types.ts';

const store = defineRollup({
  name: 'store',
  groupBy: ['storeId', 'region'],
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['15m', 'day', 'month', 'all'],
  measures: {
    orders: count({ where: { type: 'order' } }),
    revenue: sum('amount', { where: { type: 'order' } }),
    cheapest: min('amount'),
    dearest: max('amount'),
    status: last('status'),
    daily: count({ granularities: ['day'] }),
  },
  retention: { '15m': '35d' },
  leaderboard: { measure: 'orders', granularities: ['all', 'month'] },
});

describe('defineRollup types', () => {
  it('infers the name, group and measure value types', () => {
    expectTypeOf(store.name).toEqualTypeOf<'store'>();
    expectTypeOf<GroupOfRollup<typeof store>>().toEqualTypeOf<{
      readonly storeId: GroupValue;
      readonly region: GroupValue;
    }>();
    expectTypeOf<MeasuresOfRollup<typeof store>>().toEqualTypeOf<
      'orders' | 'revenue' | 'cheapest' | 'dearest' | 'status' | 'daily'
    >();
    expectTypeOf<ValuesOfRollup<typeof store>>().toEqualTypeOf<{
      readonly orders: number;
      readonly revenue: number | string;
      readonly cheapest: number | string | null;
      readonly dearest: number | string | null;
      readonly status: number | string | boolean | null;
      // restricted to some granularities: a total no kept granularity answers leaves it out (null)
      readonly daily: number | null;
    }>();
  });

  it('types the item of predicate filters and keeps the measure value types', () => {
    const big = sum('amount', { where: (item) => item.type === 'order' && Number(item.amount) > 100 });
    expectTypeOf(big).toEqualTypeOf<MeasureDef<'sum', number | string>>();
    expectTypeOf(count({ where: (item) => item.type === 'order' })).toEqualTypeOf<
      MeasureDef<'count', number>
    >();
    expectTypeOf(count({ granularities: ['day'], storeAs: 'd' })).toEqualTypeOf<
      MeasureDef<'count', number | null>
    >();
    const options: MeasureOptions = {};
    expectTypeOf(count(options)).toEqualTypeOf<MeasureDef<'count', number | null>>();
  });

  it('infers the group of a groupBy function from its declared names', () => {
    const byStore = defineRollup({
      name: 'byStore',
      groupBy: {
        names: ['storeId', 'region'],
        fn: (item) => (item.type === 'order' ? { storeId: String(item.who), region: 'eu' } : undefined),
      },
      granularities: ['all'],
      measures: { n: count() },
    });
    expectTypeOf<GroupOfRollup<typeof byStore>>().toEqualTypeOf<{
      readonly storeId: GroupValue;
      readonly region: GroupValue;
    }>();
    // a plain function's group is what it returns
    const plain = defineRollup({
      name: 'plain',
      groupBy: (item) => ({ storeId: String(item.who) }),
      granularities: ['all'],
      measures: { n: count() },
    });
    expectTypeOf<GroupOfRollup<typeof plain>>().toEqualTypeOf<{ storeId: string }>();
  });

  it('takes a declared groupBy function typed to return a record of any names (the fold checks it, review s40x)', () => {
    const byRecord = defineRollup({
      name: 'byRecord',
      groupBy: { names: ['storeId'], fn: (item): Record<string, string> => ({ storeId: String(item.who) }) },
      granularities: ['all'],
      measures: { n: count() },
    });
    expectTypeOf<GroupOfRollup<typeof byRecord>>().toEqualTypeOf<{ readonly storeId: GroupValue }>();
  });

  it("checks a declared groupBy function's return type against its names", () => {
    // never run: tsc checks that each one does not compile (the fold would refuse each group: VALUE_INVALID)
    const typeOnly = () => {
      defineRollup({
        name: 'missing',
        // @ts-expect-error 'region' is declared but not returned
        groupBy: { names: ['storeId', 'region'], fn: (item) => ({ storeId: String(item.who) }) },
        granularities: ['all'],
        measures: { n: count() },
      });
      defineRollup({
        name: 'other',
        // @ts-expect-error returns 'userId', not the declared 'storeId'
        groupBy: { names: ['storeId'], fn: (item) => ({ userId: String(item.who) }) },
        granularities: ['all'],
        measures: { n: count() },
      });
      defineRollup({
        name: 'extra',
        // @ts-expect-error returns 'userId' beside the declared 'storeId'
        groupBy: { names: ['storeId'], fn: (item) => ({ storeId: String(item.who), userId: 'u' }) },
        granularities: ['all'],
        measures: { n: count() },
      });
      defineRollup({
        name: 'shapes',
        // @ts-expect-error a union of shapes: the view's group has no 'storeId'
        groupBy: {
          names: ['storeId'],
          fn: (item) =>
            item.type === 'order' ? { storeId: String(item.who) } : { userId: String(item.who) },
        },
        granularities: ['all'],
        measures: { n: count() },
      });
      defineRollup({
        name: 'value',
        // @ts-expect-error a group value is a string, number, bigint, boolean or { N }, not a Date
        groupBy: { names: ['day'], fn: () => ({ day: new Date() }) },
        granularities: ['all'],
        measures: { n: count() },
      });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it('granularities are a literal union', () => {
    expectTypeOf<'15m'>().toExtend<Granularity>();
    expectTypeOf<'60m'>().toExtend<Granularity>();
    expectTypeOf<'7m'>().not.toExtend<Granularity>();
    expectTypeOf<'hours'>().not.toExtend<Granularity>();
  });

  it('rejects at compile time what would throw at definition time', () => {
    // never run: each call would throw; tsc checks that each one does not compile
    const typeOnly = () => {
      defineRollup({
        name: 'typo',
        groupBy: 'id',
        // @ts-expect-error 'hours' is not a granularity
        granularities: ['hours'],
        measures: { n: count() },
      });
      defineRollup({
        name: 'odd',
        groupBy: 'id',
        // @ts-expect-error 7 does not divide 60
        granularities: ['7m'],
        measures: { n: count() },
      });
      defineRollup({
        name: 'lb',
        groupBy: 'id',
        granularities: ['day'],
        measures: { n: count(), peak: max('v') },
        // @ts-expect-error a leaderboard ranks a count or a sum, not a max
        leaderboard: { measure: 'peak', granularities: ['day'] },
      });
      defineRollup({
        name: 'lb2',
        groupBy: 'id',
        granularities: ['day'],
        measures: { n: count() },
        // @ts-expect-error not a measure of this rollup
        leaderboard: { measure: 'm', granularities: ['day'] },
      });
      defineRollup({
        name: 'ret',
        groupBy: 'id',
        granularities: ['day'],
        measures: { n: count() },
        // @ts-expect-error retention is keyed by granularity
        retention: { days: '7d' },
      });
      defineRollup({
        name: 'fmt',
        groupBy: 'id',
        // @ts-expect-error the format is 'iso8601'
        time: { attribute: 'createdAt', format: 'iso' },
        granularities: ['day'],
        measures: { n: count() },
      });
      // @ts-expect-error per-measure granularities are granularities too
      count({ granularities: ['dai'] });
      // @ts-expect-error sum needs the attribute to read
      sum();
      defineRollup({
        name: 'tz',
        groupBy: 'id',
        granularities: ['day'],
        measures: { n: count() },
        // @ts-expect-error ttlDeletes is 'subtract' or 'ignore'
        ttlDeletes: 'keep',
      });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
});
