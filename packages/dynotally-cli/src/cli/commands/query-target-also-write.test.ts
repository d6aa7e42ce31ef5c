// A query's `--group` and plan (measures, window) with a rollout configuration: the changed definition in `rollups`,
// the serving one in `alsoWrite`, each with a group attribute or a measure the other lacks. Before the control item
// is read either definition may serve, so flags that fit either pass; once it is read, the serving one decides.
import { count, defineRollup, type GroupValue, type QueryClient, sum } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { checkQueryTarget, checkServingTarget, planFirst } from './query-kit.ts';

const base = {
  name: 'orders',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
} as const;
/** The serving definition: orders per store, with views. */
const serving = defineRollup({ ...base, groupBy: 'storeId', measures: { n: count(), views: count() } });
/** The change rolling out: orders per store and region, with amounts. */
const changed = defineRollup({
  ...base,
  groupBy: ['storeId', 'region'],
  measures: { n: count(), amount: sum('amount') },
});
const settings = {
  rollups: [changed],
  alsoWrite: [serving],
  tables: { aggregate: 'aggregates' },
  configPath: 'dynotally.config.ts',
} as unknown as Parameters<typeof planFirst>[0] & Parameters<typeof checkQueryTarget>[0];

const codeOf = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};
const total = (group: Record<string, GroupValue>, measures: string[]) => (explain: QueryClient['explain']) =>
  explain.total('orders', group, 'all', { measures });
const store = { storeId: 's-0' };
const storeRegion = { storeId: 's-0', region: 'eu' };

describe('a query target with the serving definition in alsoWrite', () => {
  it('passes, before the control item is read, a group or measure that fits either definition', () => {
    expect(codeOf(() => checkQueryTarget(settings, 'orders', store))).toBeUndefined();
    expect(codeOf(() => checkQueryTarget(settings, 'orders', storeRegion))).toBeUndefined();
    expect(codeOf(() => planFirst(settings, 'orders', total(store, ['views'])))).toBeUndefined();
    expect(codeOf(() => planFirst(settings, 'orders', total(storeRegion, ['amount'])))).toBeUndefined();
  });

  it("refuses what fits neither, with the configured definition's terms", () => {
    expect(() => checkQueryTarget(settings, 'orders', { region: 'eu' })).toThrow(
      "rollup 'orders' groups by storeId, region: give --group storeId=<value> --group region=<value>",
    );
    expect(codeOf(() => planFirst(settings, 'orders', total(storeRegion, ['nope'])))).toBe('UNKNOWN_MEASURE');
  });

  it('checks the group and the plan against the serving definition once it is known', () => {
    const target = (group: Record<string, GroupValue>, measures: string[]) => ({
      rollup: 'orders',
      group,
      plan: total(group, measures),
    });
    expect(codeOf(() => checkServingTarget(settings, serving, target(store, ['views'])))).toBeUndefined();
    expect(() => checkServingTarget(settings, serving, target(storeRegion, ['n']))).toThrow(
      "rollup 'orders' groups by storeId ('region' is not among them): give --group storeId=<value>",
    );
    expect(codeOf(() => checkServingTarget(settings, serving, target(store, ['amount'])))).toBe(
      'UNKNOWN_MEASURE',
    );
    expect(codeOf(() => checkServingTarget(settings, changed, target(store, ['n'])))).toBe('GROUP_INVALID');
  });
});
