import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { planTop } from './plan-top.ts';

const favs = defineRollup({
  name: 'favs',
  groupBy: 'restaurantId',
  granularities: ['month', 'all'],
  measures: { favourites: count() },
  leaderboard: { measure: 'favourites', granularities: ['month', 'all'] },
}).compiled;
const NOW = Date.UTC(2026, 11, 6);
const AT = '2027-03-05T00:00:00Z';

const codeOf = (spec: Parameters<typeof planTop>[2]): string | undefined => {
  try {
    planTop(favs, 'aggregates', spec, NOW);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('top with at', () => {
  it('moves the current bucket of a unit or a { calendar } bucket', () => {
    expect(planTop(favs, 'aggregates', { bucket: 'month', at: AT }, NOW).bucket.label).toBe('M2027-03');
    expect(
      planTop(favs, 'aggregates', { bucket: { calendar: 'month', offset: -1 }, at: AT }, NOW).bucket.label,
    ).toBe('M2027-02');
  });

  it('is refused (QUERY_INVALID) beside a label, which names its period outright', () => {
    expect(codeOf({ bucket: 'M2026-11', at: AT })).toBe('QUERY_INVALID');
    expect(codeOf({ bucket: 'M2026-11' })).toBeUndefined();
  });

  it("is taken with 'all' (the default), which holds every instant: the dev dashboard passes its clock to every read", () => {
    expect([codeOf({ bucket: 'all', at: AT }), codeOf({ at: AT }), codeOf({ bucket: 'all' })]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(planTop(favs, 'aggregates', { at: AT }, NOW).bucket.label).toBe('ALL');
  });
});
