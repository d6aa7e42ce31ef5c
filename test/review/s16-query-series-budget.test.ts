// Review s16 (query client): a series is bounded like a total. A total refuses a window needing more than
// MAX_COVER_CELLS (200,000) buckets, but a series covered each of its up to 10,000 points with a budget of its
// own: a yearly series of a rollup kept by day planned 365 day cells per point, without a bound. 9,996 years
// (0002–9998) planned 3.65 million cells: 1.5 GB of heap and 11 s of CPU before any request (a Lambda of 1 GB
// dies). Now the series' points share one budget and the call is QUERY_INVALID, as the total is.
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { MAX_COVER_CELLS } from '../../packages/dynotally/src/query/index.ts';
import { jobsPerCustomer } from '../../packages/dynotally-cli/src/scenarios/rollups.ts';
import { planningClient } from '../support/planning-client.ts';

const query = planningClient([jobsPerCustomer], Date.UTC(2026, 10, 22)); // minute (8 days), hour (400 days), day (forever)
const customer = { customerId: 'c-1' };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
};

describe('series budget', () => {
  it('a series needing more than MAX_COVER_CELLS buckets in all is QUERY_INVALID, like the same total', () => {
    expect(MAX_COVER_CELLS).toBe(200_000);
    const millennium = { from: '1000-01-01T00:00:00Z', to: '2000-01-01T00:00:00Z' }; // 365,242 days
    expect(codeOf(() => query.explain.total(jobsPerCustomer, customer, millennium))).toBe('QUERY_INVALID');
    const started = Date.now();
    expect(
      codeOf(() => query.explain.series(jobsPerCustomer, customer, { granularity: 'year', ...millennium })),
    ).toBe('QUERY_INVALID');
    expect(Date.now() - started).toBeLessThan(30_000);
    // within the budget: a century of years (36,524 day cells) is planned, one point per year
    const century = query.explain.series(jobsPerCustomer, customer, {
      granularity: 'year',
      from: '1900-01-01T00:00:00Z',
      to: '2000-01-01T00:00:00Z',
    });
    expect(century.computedFrom).toMatchObject([{ granularity: 'day', buckets: 36_524 }]);
  });
});
