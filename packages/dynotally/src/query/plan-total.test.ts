import { describe, expect, it } from 'vitest';
import {
  energyPerMeter,
  jobsPerCustomer,
  storeMetrics,
} from '../../../dynotally-cli/src/scenarios/rollups.ts';
import { count, defineRollup, last, max, sum } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { planTotal } from './plan-total.ts';

const H = 3_600_000;
const M = 60_000;
const D = 86_400_000;

/** The attributes read from each row, by sort key. */
function attrsByRow(plan: ReturnType<typeof planTotal>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of plan.measures)
    for (const c of m.cells) out.set(c.row.label, [...(out.get(c.row.label) ?? []), c.attr]);
  return out;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isDynotallyError(e) ? e.code : `not a DynotallyError: ${String(e)}`;
  }
  return undefined;
}

describe('S0 jobsPerCustomer: rolling 24 h at minute precision', () => {
  const c = jobsPerCustomer.compiled;

  it('is ONE Query of 25 hour rows: hour totals in the middle, minute attributes at the two edges', () => {
    const now = Date.UTC(2026, 10, 22, 13, 5, 30);
    const plan = planTotal(c, { last: '24h' }, { now });
    expect(plan.window).toMatchObject({
      from: Date.UTC(2026, 10, 21, 13, 6),
      to: Date.UTC(2026, 10, 22, 13, 6),
      rounded: true,
      precision: 'minute',
    });
    expect(plan.runs).toHaveLength(1);
    expect(plan.runs[0]?.rows).toHaveLength(25);
    expect(plan.runs[0]?.rows[0]?.label).toBe('H2026-11-21T13:00');
    expect(plan.runs[0]?.rows[24]?.label).toBe('H2026-11-22T13:00');
    const rows = attrsByRow(plan);
    expect(rows.get('H2026-11-21T13:00')).toEqual(Array.from({ length: 54 }, (_, i) => `jobs_${i + 6}`));
    expect(rows.get('H2026-11-21T14:00')).toEqual(['jobs']);
    expect(rows.get('H2026-11-22T12:00')).toEqual(['jobs']);
    expect(rows.get('H2026-11-22T13:00')).toEqual([
      'jobs_0',
      'jobs_1',
      'jobs_2',
      'jobs_3',
      'jobs_4',
      'jobs_5',
    ]);
    // the cells tile the window exactly
    const cells = plan.measures[0]?.cells.map((x) => x.bucket) ?? [];
    expect(cells[0]?.start).toBe(plan.window.from);
    expect(cells[cells.length - 1]?.end).toBe(plan.window.to);
    for (let i = 1; i < cells.length; i++) expect(cells[i]?.start).toBe(cells[i - 1]?.end);
  });

  it('on an exact hour is 24 whole hour rows and is not rounded', () => {
    const now = Date.UTC(2026, 10, 22, 13);
    const plan = planTotal(c, { last: '24h' }, { now });
    expect(plan.window).toMatchObject({ from: now - 24 * H, to: now, rounded: false });
    expect(plan.runs).toHaveLength(1);
    expect(plan.runs[0]?.rows).toHaveLength(24);
    expect(plan.computedFrom).toEqual([expect.objectContaining({ granularity: 'hour', buckets: 24 })]);
  });

  it('ending at 23:59:59.999 rounds up to the next midnight; ending at 00:00 exactly does not move', () => {
    const a = planTotal(
      c,
      { last: '24h', at: Date.UTC(2026, 10, 22, 23, 59, 59, 999) },
      { now: Date.UTC(2026, 10, 23) },
    );
    expect(a.window).toMatchObject({
      from: Date.UTC(2026, 10, 22),
      to: Date.UTC(2026, 10, 23),
      rounded: true,
    });
    // a whole UTC day: one day attribute in the month row
    expect(a.computedFrom).toEqual([
      expect.objectContaining({ granularity: 'day', buckets: 1, first: 'D2026-11-22' }),
    ]);
    expect([...attrsByRow(a).entries()]).toEqual([['M2026-11', ['jobs_22']]]);
    const b = planTotal(c, { last: '24h', at: Date.UTC(2026, 10, 23) }, { now: Date.UTC(2026, 10, 23) });
    expect(b.window).toMatchObject({
      from: Date.UTC(2026, 10, 22),
      to: Date.UTC(2026, 10, 23),
      rounded: false,
    });
  });

  it('a 7-day window uses whole days from month rows and hours at the edges', () => {
    const now = Date.UTC(2026, 10, 22, 13, 5);
    const plan = planTotal(c, { last: '7d' }, { now });
    const grans = plan.computedFrom.map((s) => [s.granularity, s.buckets]);
    expect(grans).toEqual(
      expect.arrayContaining([
        ['day', 6],
        ['hour', 10 + 13],
        ['minute', 55 + 5],
      ]),
    );
    const hours = plan.rows.find((r) => r.rowKind === 'hour');
    expect(hours?.rows).toBe(11 + 14);
    expect(plan.rows.find((r) => r.rowKind === 'month')?.rows).toBe(1);
  });

  it('past minute retention (8 d), a rolling 30 d is answered to the hour and says so', () => {
    const now = Date.UTC(2026, 10, 22, 13, 5, 30);
    const plan = planTotal(c, { last: '30d' }, { now });
    expect(plan.window).toMatchObject({
      precision: 'hour',
      rounded: true,
      to: Date.UTC(2026, 10, 22, 14),
      from: Date.UTC(2026, 10, 22, 14) - 30 * D,
    });
    expect(plan.computedFrom.map((s) => s.granularity).sort()).toEqual(['day', 'hour']);
  });

  it('an explicit edge on a minute boundary 12 days ago is WINDOW_NOT_SERVABLE naming minute retention and hour', () => {
    const now = Date.UTC(2026, 10, 22, 13, 5);
    let error: unknown;
    try {
      planTotal(c, { from: Date.UTC(2026, 10, 10, 12, 55), to: Date.UTC(2026, 10, 22, 13) }, { now });
    } catch (e) {
      error = e;
    }
    expect(isDynotallyError(error, 'WINDOW_NOT_SERVABLE')).toBe(true);
    expect((error as { details: unknown }).details).toMatchObject({
      edge: 'from',
      granularity: 'minute',
      retention: '8d',
      needed: '13d',
      alternative: 'hour',
    });
    expect(String((error as Error).message)).toMatch(/retention: \{ minute: '13d' \}/);
    const rounded = planTotal(
      c,
      { from: Date.UTC(2026, 10, 10, 12, 55), to: Date.UTC(2026, 10, 22, 13, 5), round: 'outward' },
      { now },
    );
    expect(rounded.window).toMatchObject({
      from: Date.UTC(2026, 10, 10, 12),
      to: Date.UTC(2026, 10, 22, 13, 5),
      precision: 'hour/minute',
      rounded: true,
    });
  });
});

describe('S4 storeMetrics: days packed in month rows', () => {
  const c = storeMetrics.compiled;

  it('last 30 days reads ≤ 2 month rows in one Query', () => {
    for (const now of [
      Date.UTC(2026, 10, 22, 12),
      Date.UTC(2026, 9, 30, 23, 30),
      Date.UTC(2026, 6, 31, 22),
    ]) {
      const plan = planTotal(c, { lastDays: 30 }, { now });
      expect(plan.runs).toHaveLength(1);
      expect(plan.runs[0]?.rows.length).toBeLessThanOrEqual(2);
      expect(plan.computedFrom.reduce((a, s) => a + s.buckets, 0)).toBeLessThanOrEqual(30);
    }
    const plan = planTotal(c, { lastDays: 30 }, { now: Date.UTC(2026, 10, 22, 12) });
    expect(plan.window).toMatchObject({ from: Date.UTC(2026, 9, 23, 23), to: Date.UTC(2026, 10, 23) }); // 24 Oct BST
    expect(plan.runs[0]?.rows.map((b) => b.label)).toEqual(['M2026-10', 'M2026-11']);
    expect(attrsByRow(plan).get('M2026-10')).toHaveLength(8 * 2); // 24–31 Oct, orders and views
  });

  it('the only exception: 30 days spanning all of February read 3 month rows (Feb as one month total)', () => {
    const plan = planTotal(c, { lastDays: 30 }, { now: Date.UTC(2026, 2, 1, 12) });
    expect(plan.runs[0]?.rows.map((b) => b.label)).toEqual(['M2026-01', 'M2026-02', 'M2026-03']);
    expect(attrsByRow(plan).get('M2026-02')).toEqual(['orders', 'views']);
  });

  it('last 3 months are three month totals; a week (not stored) is seven days', () => {
    const months = planTotal(c, { lastMonths: 3 }, { now: Date.UTC(2026, 10, 22) });
    expect(months.window).toMatchObject({ from: Date.UTC(2026, 7, 31, 23), to: Date.UTC(2026, 11, 1) });
    expect(months.computedFrom).toEqual([expect.objectContaining({ granularity: 'month', buckets: 3 })]);
    const week = planTotal(c, { calendar: 'week' }, { now: Date.UTC(2026, 10, 22) });
    expect(week.computedFrom).toEqual([
      expect.objectContaining({ granularity: 'day', buckets: 7, first: 'D2026-11-16' }),
    ]);
  });

  it('London DST days last 23 and 25 hours', () => {
    const spring = planTotal(
      c,
      { calendar: 'day', at: Date.UTC(2026, 2, 29, 12) },
      { now: Date.UTC(2026, 3, 1) },
    );
    expect(spring.window.to - spring.window.from).toBe(23 * H);
    expect(attrsByRow(spring).get('M2026-03')).toEqual(['orders_29', 'views_29']);
    const autumn = planTotal(
      c,
      { calendar: 'day', offset: -1, at: Date.UTC(2026, 9, 26, 12) },
      { now: Date.UTC(2026, 10, 1) },
    );
    expect(autumn.window).toMatchObject({ from: Date.UTC(2026, 9, 24, 23), to: Date.UTC(2026, 9, 26) });
    expect(autumn.window.to - autumn.window.from).toBe(25 * H);
  });

  it('all time reads the ALL row; a window finer than a day is not servable and names day', () => {
    const all = planTotal(c, 'all', { now: 0 });
    expect([...attrsByRow(all).entries()]).toEqual([['ALL', ['orders', 'views']]]);
    expect(codeOf(() => planTotal(c, { last: '15m' }, { now: Date.UTC(2026, 10, 22) }))).toBe(
      'WINDOW_NOT_SERVABLE',
    );
    try {
      planTotal(
        c,
        { from: Date.UTC(2026, 10, 1, 13), to: Date.UTC(2026, 10, 2) },
        { now: Date.UTC(2026, 10, 22) },
      );
    } catch (e) {
      expect(String(e)).toMatch(/align it to a day/);
    }
    expect(codeOf(() => planTotal(jobsPerCustomer.compiled, 'all', { now: 0 }))).toBe('WINDOW_NOT_SERVABLE');
  });
});

describe('zones with 30- and 45-minute offsets', () => {
  const rollupIn = (zone: string) =>
    defineRollup({
      name: 'z',
      groupBy: 'g',
      timeZone: zone,
      granularities: ['minute', 'hour', 'day', 'month'],
      measures: { n: count() },
    }).compiled;

  it('Asia/Kolkata: hours start at :30 UTC, days at 18:30 UTC', () => {
    const c = rollupIn('Asia/Kolkata');
    const plan = planTotal(
      c,
      { last: '24h', at: Date.UTC(2026, 10, 22, 13, 5) },
      { now: Date.UTC(2026, 10, 22, 13, 5) },
    );
    expect(plan.runs).toHaveLength(1);
    expect(plan.runs[0]?.rows).toHaveLength(25);
    expect(plan.runs[0]?.rows[0]?.label).toBe('H2026-11-21T12:30');
    const day = planTotal(c, { calendar: 'day' }, { now: Date.UTC(2026, 10, 22, 13, 5) });
    expect(day.window).toMatchObject({
      from: Date.UTC(2026, 10, 21, 18, 30),
      to: Date.UTC(2026, 10, 22, 18, 30),
    });
    // 23:59:59.999 local is the last instant of the day
    const edge = planTotal(
      c,
      { last: '1d', at: Date.UTC(2026, 10, 22, 18, 29, 59, 999) },
      { now: Date.UTC(2026, 10, 23) },
    );
    expect(edge.window).toMatchObject({ from: day.window.from, to: day.window.to });
    expect(edge.computedFrom).toEqual([
      expect.objectContaining({ granularity: 'day', buckets: 1, first: 'D2026-11-22' }),
    ]);
  });

  it('Asia/Kathmandu: hours start at :15 UTC; an explicit window between two local midnights is one day cell', () => {
    const c = rollupIn('Asia/Kathmandu');
    const plan = planTotal(
      c,
      { last: '24h', at: Date.UTC(2026, 10, 22, 13, 5) },
      { now: Date.UTC(2026, 10, 22, 13, 5) },
    );
    expect(plan.runs[0]?.rows).toHaveLength(25);
    expect(plan.runs[0]?.rows[0]?.label).toBe('H2026-11-21T12:15');
    expect(plan.runs[0]?.rows[24]?.label).toBe('H2026-11-22T12:15');
    // the keys are UTC wall times; each summary says where its first and last bucket start in the zone
    expect(plan.computedFrom).toEqual([
      expect.objectContaining({
        granularity: 'minute',
        first: 'm2026-11-21T13:05',
        firstStart: '2026-11-21T18:50+05:45',
        last: 'm2026-11-22T13:04',
        lastStart: '2026-11-22T18:49+05:45',
      }),
      expect.objectContaining({
        granularity: 'hour',
        first: 'H2026-11-21T13:15',
        firstStart: '2026-11-21T19:00+05:45',
        last: 'H2026-11-22T11:15',
        lastStart: '2026-11-22T17:00+05:45',
      }),
    ]);
    const midnight = Date.UTC(2026, 10, 21, 18, 15);
    const day = planTotal(c, { from: midnight, to: midnight + D }, { now: midnight + D });
    expect(day.computedFrom).toEqual([
      expect.objectContaining({ granularity: 'day', buckets: 1, first: 'D2026-11-22' }),
    ]);
    expect(codeOf(() => planTotal(c, { from: midnight, to: midnight + D - 1 }, { now: midnight + D }))).toBe(
      'WINDOW_NOT_SERVABLE',
    );
    const outward = planTotal(
      c,
      { from: midnight, to: midnight + D - 1, round: 'outward' },
      { now: midnight + D },
    );
    expect(outward.window).toMatchObject({ from: midnight, to: midnight + D });
    const inward = planTotal(
      c,
      { from: midnight, to: midnight + D - 1, round: 'inward' },
      { now: midnight + D },
    );
    expect(inward.window).toMatchObject({ from: midnight, to: midnight + D - M });
  });
});

describe('measures kept at different granularities', () => {
  it('S3: a rolling 24 h serves wh from hours and lists power and peak as omitted; asking for peak by the hour fails', () => {
    const c = energyPerMeter.compiled;
    const now = Date.UTC(2026, 10, 22, 13, 5);
    const plan = planTotal(c, { last: '24h' }, { now });
    expect(plan.measures.map((m) => m.measure.name)).toEqual(['wh']);
    expect(plan.omitted.map((o) => o.measure)).toEqual(['power', 'peak']);
    expect(plan.rows).toEqual([expect.objectContaining({ rowKind: 'day', rows: 2 })]);
    // asked alone, peak's finest granularity is the day: the rolling window rounds to today
    expect(planTotal(c, { last: '24h' }, { now, measures: ['peak'] }).window).toMatchObject({
      precision: 'day',
      from: Date.UTC(2026, 10, 22),
      to: Date.UTC(2026, 10, 23),
    });
    const hours = { from: Date.UTC(2026, 10, 21, 13), to: Date.UTC(2026, 10, 22, 13) };
    expect(codeOf(() => planTotal(c, hours, { now, measures: ['peak'] }))).toBe('WINDOW_NOT_SERVABLE');
    expect(codeOf(() => planTotal(c, hours, { now, measures: ['wh'] }))).toBeUndefined();
    const today = planTotal(c, { calendar: 'day' }, { now, measures: ['wh', 'peak'] });
    expect(today.measures.map((m) => m.measure.name)).toEqual(['wh', 'peak']);
  });

  it('a measure a rolling window omits is pointed to a calendar window, not to round (which a rolling window does not take)', () => {
    // the guide's `query total orders --last 24h` said of biggest (kept per day) "align it to a day, or pass round:
    // 'outward'", which neither the CLI's --last nor { last } can do
    const c = energyPerMeter.compiled;
    const now = Date.UTC(2026, 10, 22, 13, 5);
    const peak = planTotal(c, { last: '24h' }, { now }).omitted.find((o) => o.measure === 'peak');
    expect(peak?.reason).toMatch(
      /is not on a bucket boundary .*: .*ask for a calendar window instead \(calendar: 'day'/,
    );
    expect(peak?.reason).not.toContain('round:');
    // an explicit window still can be rounded
    const hours = { from: Date.UTC(2026, 10, 21, 13), to: Date.UTC(2026, 10, 22, 13) };
    const explicit = planTotal(c, hours, { now }).omitted.find((o) => o.measure === 'peak');
    expect(explicit?.reason).toContain("pass round: 'outward'");
    // and the CLI's flag for it is named beside the option (review s38u: the CLI prints the message as it is)
    expect(explicit?.reason).toContain('--round outward on the command line');
  });

  it('min, max and last are planned on their own granularities', () => {
    const c = defineRollup({
      name: 'mix',
      groupBy: 'g',
      granularities: ['hour', 'day', 'all'],
      measures: {
        n: count(),
        total: sum('x'),
        hi: max('x', { granularities: ['day'] }),
        at: last('x', { granularities: ['all'] }),
      },
    }).compiled;
    const plan = planTotal(c, { lastDays: 2 }, { now: Date.UTC(2026, 10, 22, 5) });
    expect(plan.measures.map((m) => m.measure.name)).toEqual(['n', 'total', 'hi']);
    expect(plan.measures[2]?.cells.map((x) => x.attr)).toEqual(['hi', 'hi']);
    expect(plan.omitted.map((o) => o.measure)).toEqual(['at']);
  });
});
