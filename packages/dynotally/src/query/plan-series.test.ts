import { describe, expect, it } from 'vitest';
import { jobsPerCustomer, storeMetrics } from '../../../dynotally-cli/src/scenarios/rollups.ts';
import { count, defineRollup, max } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { planSeries } from './plan-series.ts';
import { zonedIso } from './zoned-iso.ts';

const london = defineRollup({
  name: 'ldn',
  groupBy: 'g',
  timeZone: 'Europe/London',
  granularities: ['minute', 'hour', 'day', 'month'],
  measures: { n: count() },
}).compiled;

describe('planSeries', () => {
  it('hourly on the London fall-back day has 25 points, two of them at 01:00 local', () => {
    const plan = planSeries(
      london,
      { granularity: 'hour', window: { calendar: 'day', at: Date.UTC(2026, 9, 25, 12) } },
      { now: Date.UTC(2026, 9, 26) },
    );
    expect(plan.points).toHaveLength(25);
    const isos = plan.points.map((p) => zonedIso(london.calendar, p.bucket.start));
    expect(isos.slice(0, 3)).toEqual([
      '2026-10-25T00:00:00+01:00',
      '2026-10-25T01:00:00+01:00',
      '2026-10-25T01:00:00+00:00',
    ]);
    expect(isos[24]).toBe('2026-10-25T23:00:00+00:00');
    // hours have their own rows here: one Query of 25 rows
    expect(plan.runs).toHaveLength(1);
    expect(plan.runs[0]?.rows).toHaveLength(25);
  });

  it('hourly on the spring-forward day has 23 points', () => {
    const plan = planSeries(
      london,
      { granularity: 'hour', window: { calendar: 'day', at: Date.UTC(2026, 2, 29, 12) } },
      { now: Date.UTC(2026, 2, 30) },
    );
    expect(plan.points).toHaveLength(23);
  });

  it('S4: 30 days by day are 30 points from 2 month rows in one Query', () => {
    const plan = planSeries(
      storeMetrics.compiled,
      { granularity: 'day', window: { lastDays: 30 } },
      { now: Date.UTC(2026, 10, 22, 12) },
    );
    expect(plan.points).toHaveLength(30);
    expect(plan.points[0]?.bucket.label).toBe('D2026-10-24');
    expect(plan.runs.map((r) => r.rows.map((b) => b.label))).toEqual([['M2026-10', 'M2026-11']]);
    for (const p of plan.points)
      expect(p.measures.map((m) => m.cells.map((c) => c.attr))).toEqual([
        [`orders_${Number(p.bucket.label.slice(9))}`],
        [`views_${Number(p.bucket.label.slice(9))}`],
      ]);
  });

  it('weeks, not stored by S4, are summed from days; from/to are widened to whole buckets', () => {
    const plan = planSeries(
      storeMetrics.compiled,
      { granularity: 'week', from: Date.UTC(2026, 10, 4, 12), to: Date.UTC(2026, 10, 20) },
      { now: Date.UTC(2026, 10, 22) },
    );
    expect(plan.points.map((p) => p.bucket.label)).toEqual(['W2026-W45', 'W2026-W46', 'W2026-W47']);
    expect(plan.points[0]?.measures[0]?.cells).toHaveLength(7);
    expect(plan.window).toMatchObject({
      from: Date.UTC(2026, 10, 2),
      to: Date.UTC(2026, 10, 23),
      rounded: true,
    });
  });

  it('minutes older than their retention cannot be a series (WINDOW_NOT_SERVABLE); hours can', () => {
    const now = Date.UTC(2026, 10, 22, 13);
    let error: unknown;
    try {
      planSeries(
        jobsPerCustomer.compiled,
        { granularity: 'minute', from: now - 10 * 86_400_000, to: now - 9 * 86_400_000 },
        { now },
      );
    } catch (e) {
      error = e;
    }
    expect(isDynotallyError(error, 'WINDOW_NOT_SERVABLE')).toBe(true);
    const hours = planSeries(
      jobsPerCustomer.compiled,
      { granularity: 'hour', from: now - 10 * 86_400_000, to: now - 9 * 86_400_000 },
      { now },
    );
    expect(hours.points).toHaveLength(24);
  });

  // Review s38u: a series finer than every granularity a measure is kept at was refused (or the measure omitted)
  // for its first point's edge: "'to' 2026-12-07T06:01:00.000Z is not on a bucket boundary … pass round:
  // 'outward'", an edge the caller never gave and a round that does not help. It says the series is finer.
  const orders = defineRollup({
    name: 'orders',
    groupBy: 'storeId',
    timeZone: 'Europe/Paris',
    granularities: ['hour', 'day', 'month'],
    measures: { orders: count(), biggest: max('total', { granularities: ['day'] }) },
  }).compiled;
  const now = Date.UTC(2026, 11, 7, 6, 0, 30);

  it('a series finer than every kept granularity is refused as such, not for an edge', () => {
    let error: unknown;
    try {
      planSeries(orders, { granularity: 'minute', window: { last: '1h' } }, { now });
    } catch (e) {
      error = e;
    }
    expect(isDynotallyError(error, 'WINDOW_NOT_SERVABLE')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('a series by minute');
    expect(message).toContain("'orders'");
    expect(message).toContain('hour');
    expect(message).not.toContain('round');
    expect(message).not.toContain("'to'");
  });

  it('a measure kept only coarser than the series is omitted saying so; the others are served', () => {
    const plan = planSeries(orders, { granularity: 'hour', window: { calendar: 'day' } }, { now });
    expect(plan.points).toHaveLength(24);
    expect(plan.measures.map((m) => m.name)).toEqual(['orders']);
    const reason = plan.omitted.find((o) => o.measure === 'biggest')?.reason ?? '';
    expect(reason).toContain('a series by hour');
    expect(reason).toContain('day');
    expect(reason).not.toContain('round');
  });
});
