// A window's description names its buckets in the rollup's zone: an hour bucket's label is its UTC wall time, so
// printing it beside the zone ('H2026-12-05T23:00 (Europe/Paris)') read as Paris' 23:00 when it is its midnight.
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { planSeries } from './plan-series.ts';

const paris = defineRollup({
  name: 'paris',
  groupBy: 'g',
  timeZone: 'Europe/Paris',
  granularities: ['second', '15m', 'hour', 'day'],
  measures: { n: count() },
}).compiled;
const kathmandu = defineRollup({
  name: 'ktm',
  groupBy: 'g',
  timeZone: 'Asia/Kathmandu',
  granularities: ['15m', 'day'],
  measures: { n: count() },
}).compiled;
const AT = Date.UTC(2026, 11, 6, 12);

describe('window descriptions name buckets in local time', () => {
  it('an hour series over a Paris day runs from its local midnight to 23:00', () => {
    const plan = planSeries(paris, { granularity: 'hour', window: { calendar: 'day', at: AT } }, { now: AT });
    expect(plan.window.description).toBe(
      'hour buckets 2026-12-06T00:00+01:00 … 2026-12-06T23:00+01:00 (Europe/Paris)',
    );
  });

  it('a day series keeps its day labels, which are local already', () => {
    const plan = planSeries(paris, { granularity: 'day', window: { lastDays: 2, at: AT } }, { now: AT });
    expect(plan.window.description).toBe('day buckets D2026-12-05 … D2026-12-06 (Europe/Paris)');
  });

  it('quarter hours in a zone 5:45 ahead', () => {
    const plan = planSeries(
      kathmandu,
      { granularity: '15m', window: { from: AT, to: AT + 1_800_000 } },
      { now: AT },
    );
    expect(plan.window.description).toBe(
      '15m buckets 2026-12-06T17:45+05:45 … 2026-12-06T18:00+05:45 (Asia/Kathmandu)',
    );
  });

  it('second buckets keep their seconds, also on a whole minute', () => {
    const plan = planSeries(
      paris,
      { granularity: 'second', window: { from: AT, to: AT + 2_000 } },
      { now: AT },
    );
    expect(plan.window.description).toBe(
      'second buckets 2026-12-06T13:00:00+01:00 … 2026-12-06T13:00:01+01:00 (Europe/Paris)',
    );
  });
});
