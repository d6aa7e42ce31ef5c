import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bucket } from './bucket.ts';
import { type GranularitySpec, parseGranularity } from './granularity.ts';
import { instantIn } from './testing/arbitraries.ts';
import {
  type RefBucket,
  refCalendarBucket,
  refHoursInDay,
  refLocalParts,
  refStartOfDay,
  refUtcBucket,
  refWallBucket,
} from './testing/temporal-reference.ts';
import { ZoneCalendar } from './zone-calendar.ts';

const ZONES = [
  'UTC',
  'Europe/London',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Havana',
];
const IDS = ['second', 'minute', '5m', '15m', '30m', 'hour', 'day', 'week', 'month', 'year', 'all'];
const FINITE_IDS = IDS.filter((id) => id !== 'all');
const RUNS = 100;

function reference(zone: string, spec: GranularitySpec, t: number): RefBucket {
  switch (spec.kind) {
    case 'second':
    case 'minute':
      return refUtcBucket(spec.kind, t);
    case 'nminute':
      return refWallBucket(zone, 'q', spec.minutes! * 60_000, t);
    case 'hour':
      return refWallBucket(zone, 'H', 3_600_000, t);
    case 'all':
      return { label: 'ALL', start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY };
    default:
      return refCalendarBucket(zone, spec.kind, t);
  }
}

const plain = (b: Bucket) => ({ label: b.label, start: b.start, end: b.end });

describe.each(ZONES)('ZoneCalendar(%s)', (zone) => {
  const instant = instantIn(zone);

  it.each(IDS)('bucket(%s, t) contains t and equals the Temporal reference', (id) => {
    const cal = new ZoneCalendar(zone);
    const spec = parseGranularity(id);
    fc.assert(
      fc.property(instant, (t) => {
        const b = cal.bucket(spec, t);
        expect(b.start <= t && t < b.end, `${b.label} contains ${new Date(t).toISOString()}`).toBe(true);
        expect(plain(b)).toEqual(reference(zone, spec, t));
      }),
      { numRuns: RUNS },
    );
  });

  it.each(FINITE_IDS)('%s buckets tile the time line, round-trip through labels and sort by label', (id) => {
    const cal = new ZoneCalendar(zone);
    const spec = parseGranularity(id);
    fc.assert(
      fc.property(instant, (t) => {
        const b = cal.bucket(spec, t);
        const next = cal.next(b, spec);
        const prev = cal.previous(b, spec);
        expect(next.start).toBe(b.end);
        expect(prev.end).toBe(b.start);
        expect(next.end).toBeGreaterThan(next.start);
        expect(
          prev.label < b.label && b.label < next.label,
          `${prev.label} < ${b.label} < ${next.label}`,
        ).toBe(true);
        expect(plain(cal.previous(next, spec))).toEqual(plain(b));
        expect(plain(cal.bucketByLabel(b.label, spec))).toEqual(plain(b));
        if (spec.kind !== 'nminute') expect(plain(cal.bucketByLabel(b.label))).toEqual(plain(b));
      }),
      { numRuns: RUNS },
    );
  });

  it.each(FINITE_IDS)('%s labels sort in time order', (id) => {
    const cal = new ZoneCalendar(zone);
    const spec = parseGranularity(id);
    fc.assert(
      fc.property(instant, instant, (t1, t2) => {
        const [a, b] = [cal.bucket(spec, Math.min(t1, t2)), cal.bucket(spec, Math.max(t1, t2))];
        if (a.start === b.start) expect(a.label).toBe(b.label);
        else expect(a.label < b.label, `${a.label} < ${b.label}`).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(['hour', '30m', '15m'])('%s buckets of a local day add up to the day', (id) => {
    const cal = new ZoneCalendar(zone);
    const spec = parseGranularity(id);
    const daySpec = parseGranularity('day');
    fc.assert(
      fc.property(instant, (t) => {
        const day = cal.bucket(daySpec, t);
        expect(day.end - day.start).toBe(Math.round(refHoursInDay(zone, t) * 3_600_000));
        let b = cal.bucket(spec, day.start);
        expect(b.start).toBe(day.start);
        let sum = 0;
        let count = 0;
        while (b.start < day.end) {
          sum += b.end - b.start;
          count++;
          b = cal.next(b, spec);
        }
        expect(b.start).toBe(day.end);
        expect(sum).toBe(day.end - day.start);
        expect(count).toBeGreaterThanOrEqual(Math.floor(sum / (spec.minutes ?? 60) / 60_000));
      }),
      { numRuns: 40 },
    );
  });

  it('localParts, offsetMs and startOfLocalDay agree with Temporal', () => {
    const cal = new ZoneCalendar(zone);
    fc.assert(
      fc.property(instant, (t) => {
        const parts = cal.localParts(t);
        expect(parts).toEqual(refLocalParts(zone, t));
        expect(cal.startOfLocalDay(parts.year, parts.month, parts.day)).toBe(
          refStartOfDay(zone, parts.year, parts.month, parts.day),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('the last-bucket fast path agrees with a cold calendar along a random walk', () => {
    const specs = IDS.map(parseGranularity);
    fc.assert(
      fc.property(
        instant,
        fc.array(fc.integer({ min: -600_000, max: 3 * 3_600_000 }), { minLength: 1, maxLength: 60 }),
        (t0, steps) => {
          const warm = new ZoneCalendar(zone);
          let t = t0;
          for (const step of steps) {
            t += step;
            for (const spec of specs) {
              const b = warm.bucket(spec, t);
              expect(warm.bucket(spec, t)).toBe(b); // no allocation on a hit
              expect(plain(b)).toEqual(plain(new ZoneCalendar(zone).bucket(spec, t)));
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
