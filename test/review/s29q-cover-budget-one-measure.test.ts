// Review s29q (query client, read side): one measure over the cover budget sank the whole call, on some dates only.
// Finding: a rollup kept at minute, hour and day with `peak: max('v', { granularities: ['minute'] })`. Asked for
// `{ calendar: 'year' }` without a measure list, total() answers `n` and names `peak` in `omitted` from 9 January on
// (the year's first minutes are past their 8 days, so no minute cover exists), but on 1–8 January the whole call
// was QUERY_INVALID ("the window needs more than 200000 minute buckets"): the year's minutes are all still kept
// (the future ones too), so `peak`'s cover was attempted, and coverWindow's budget error escaped coverMeasures,
// which only caught a missing cover. The same for any future period (`{ calendar: 'month', offset: 1 }` of a
// second-kept measure), and for series: a monthly series of next year failed as a whole, since the series' shared
// budget was charged each point's largest cover (`peak`'s 44,640 minutes a month). Counts the rollup can answer
// with 365 day buckets were refused because another measure would need half a million.
// Mechanism: coverMeasures (query/plan-window.ts) turned `coverWindow(...) === undefined` into a failed group, but
// let coverWindow's QUERY_INVALID (over MAX_COVER_CELLS) propagate out of planTotal / planSeries; planSeries threw
// once the sum over points of the largest measure's cells passed MAX_COVER_CELLS.
// Fix: coverMeasures treats the budget error as that group's failure, and planSeries counts each measure's cells
// over the points against the bound: without a measure list a measure past it is omitted with that reason (like
// one with no cover); with a list, or when no measure is left, the QUERY_INVALID is thrown as before.
// Break-check: without the try/catch in coverMeasures the total case fails with QUERY_INVALID; with the old
// shared series budget the series case does.
import { describe, expect, it } from 'vitest';
import { count, defineRollup, max } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { planningClient } from '../support/planning-client.ts';

const peaks = defineRollup({
  name: 'peaks',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['minute', 'hour', 'day'],
  measures: { n: count(), peak: max('v', { granularities: ['minute'] }) },
});
const group = { g: 'a' };
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
};

describe('a measure whose cover is over the budget', () => {
  it('is omitted from a total on 3 January as on 12 January, the others answered', () => {
    for (const now of [Date.UTC(2026, 0, 3, 12), Date.UTC(2026, 0, 12, 12)]) {
      const plan = planningClient([peaks], now).explain.total(peaks, group, { calendar: 'year' });
      expect(plan.omitted.map((o) => o.measure)).toEqual(['peak']);
      expect(plan.computedFrom).toMatchObject([{ granularity: 'day', buckets: 365, measures: ['n'] }]);
    }
    const jan3 = planningClient([peaks], Date.UTC(2026, 0, 3, 12)).explain.total(peaks, group, {
      calendar: 'year',
    });
    expect(jan3.omitted[0]?.reason).toMatch(/more than 200000 minute buckets/);
  });

  it('is omitted from a series of a future period', () => {
    const query = planningClient([peaks], Date.UTC(2026, 5, 15));
    const plan = query.explain.series(peaks, group, {
      granularity: 'month',
      window: { calendar: 'year', offset: 1 },
    });
    expect(plan.omitted.map((o) => o.measure)).toEqual(['peak']);
    expect(plan.computedFrom).toMatchObject([{ granularity: 'day', buckets: 365 }]);
  });

  it('is still QUERY_INVALID when listed, or when no other measure is asked for', () => {
    const query = planningClient([peaks], Date.UTC(2026, 0, 3, 12));
    expect(
      codeOf(() => query.explain.total(peaks, group, { calendar: 'year' }, { measures: ['peak'] })),
    ).toBe('QUERY_INVALID');
    expect(
      codeOf(() => query.explain.total(peaks, group, { calendar: 'year' }, { measures: ['n', 'peak'] })),
    ).toBe('QUERY_INVALID');
    expect(codeOf(() => query.explain.total(peaks, group, { calendar: 'year' }, { measures: ['n'] }))).toBe(
      'ok',
    );
  });
});
