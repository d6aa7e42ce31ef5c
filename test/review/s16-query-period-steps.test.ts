// Review s16 (query client): calendar offsets and lastDays / lastWeeks / lastMonths / lastYears walk one period
// at a time (resolve-window.ts `step`, and top()'s bucket offset), so an accepted count costs its size in
// calendar steps, synchronously: { calendar: 'day', offset: -100000 } planned in 5.2 s and { lastDays: 100000 }
// in 7.6 s of CPU in Europe/London on the review machine (about 50 µs a step), blocking the event loop of the
// process serving the query. Counted here by calendar calls, not by time, to stay light. Fixed (shift).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { favouritesPerRestaurant, storeMetrics } from '../../packages/dynotally-cli/src/scenarios/rollups.ts';
import { planningClient } from '../support/planning-client.ts';

const query = planningClient([storeMetrics, favouritesPerRestaurant], Date.UTC(2026, 10, 22));
afterEach(() => {
  vi.restoreAllMocks();
});

function calendarSteps(
  rollup: typeof storeMetrics | typeof favouritesPerRestaurant,
  plan: () => unknown,
): number {
  const cal = rollup.compiled.calendar;
  const previous = vi.spyOn(cal, 'previous');
  const next = vi.spyOn(cal, 'next');
  plan();
  const n = previous.mock.calls.length + next.mock.calls.length;
  vi.restoreAllMocks();
  return n;
}

describe('periods are not walked one at a time', () => {
  // Took 3,000 steps for 3,000 periods (and 100,000 for the largest count accepted). Fixed: ZoneCalendar.shift
  // jumps by ordinal (weeks, months, years) or one offset look-up a day (days), and calls neither.
  it('an offset or count of 3,000 periods takes a bounded number of calendar steps', () => {
    const store = { storeId: 's-1' };
    const steps = [
      calendarSteps(storeMetrics, () =>
        query.explain.total(storeMetrics, store, { calendar: 'day', offset: -3000 }),
      ),
      calendarSteps(storeMetrics, () => query.explain.total(storeMetrics, store, { lastDays: 3000 })),
      calendarSteps(favouritesPerRestaurant, () =>
        query.explain.top(favouritesPerRestaurant, { bucket: { calendar: 'month', offset: -3000 } }),
      ),
    ];
    // the cover of 3,000 days itself steps through its buckets; only the window's own edges are counted here
    expect(steps[0]).toBeLessThan(100);
    expect(steps[2]).toBeLessThan(100);
    expect(steps[1]).toBeLessThan(1000);
  });
});
