import { describe, expect, it } from 'vitest';
import { parseGranularity } from './granularity.ts';
import {
  refCalendarBucket,
  refOffsetMs,
  refTransitions,
  refWallBucket,
} from './testing/temporal-reference.ts';
import { ZoneCalendar } from './zone-calendar.ts';

// Every zone this runtime knows, around each offset transition of 2010–2030 and at a few fixed instants:
// offsets and day / month / hour / 30-minute buckets equal the Temporal reference.
const ZONES = Intl.supportedValuesOf('timeZone');
const FIXED = [
  Date.UTC(1971, 5, 15, 12),
  Date.UTC(1999, 11, 31, 23, 59, 59, 999),
  Date.UTC(2087, 1, 28, 5, 45),
];
const g = parseGranularity;

describe('every IANA zone', () => {
  it.each(ZONES)('%s agrees with Temporal around its 2010–2030 transitions', (zone) => {
    const cal = new ZoneCalendar(zone);
    const transitions = refTransitions(zone, Date.UTC(2010, 0, 1), Date.UTC(2031, 0, 1));
    const instants = [
      ...FIXED,
      ...transitions.flatMap((tr) => [tr - 1, tr, tr + 25 * 60_000, tr - 3 * 3_600_000]),
    ];
    for (const t of instants) {
      const at = `${zone} ${new Date(t).toISOString()}`;
      expect(cal.offsetMs(t), at).toBe(refOffsetMs(zone, t));
      for (const kind of ['day', 'month'] as const) {
        expect({ ...cal.bucket(g(kind), t) }, at).toEqual(refCalendarBucket(zone, kind, t));
      }
      expect({ ...cal.bucket(g('hour'), t) }, at).toEqual(refWallBucket(zone, 'H', 3_600_000, t));
      expect({ ...cal.bucket(g('30m'), t) }, at).toEqual(refWallBucket(zone, 'q', 1_800_000, t));
    }
  });
});
