// ZoneCalendar.shift jumps n periods at once (weeks, months and years by ordinal, days one offset look-up a day):
// it must land exactly where n calls of next / previous do, in zones whose days are 23, 23.5, 25 or 47 hours, and
// across the dates zones skipped (Pacific/Apia's 2011-12-30, Pacific/Kwajalein's 1993-08-21, Asia/Manila's
// 1844-12-31), where a walk steps over the empty day.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGranularity } from './granularity.ts';
import { instantIn } from './testing/arbitraries.ts';
import { ZoneCalendar } from './zone-calendar.ts';

const DAY = 86_400_000;
const SKIPS: ReadonlyArray<readonly [string, number]> = [
  ['Pacific/Apia', Date.UTC(2011, 11, 30)],
  ['Pacific/Kwajalein', Date.UTC(1993, 7, 21)],
  ['Asia/Manila', Date.UTC(1844, 11, 31)],
];
const ZONES = ['Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', ...SKIPS.map(([z]) => z)];
const KINDS = ['day', 'week', 'month', 'year'] as const;

function walk(cal: ZoneCalendar, id: string, t: number, n: number): string {
  const g = parseGranularity(id);
  let b = cal.bucket(g, t);
  for (let i = 0; i < Math.abs(n); i++) b = n < 0 ? cal.previous(b, g) : cal.next(b, g);
  return `${b.label} ${b.start} ${b.end}`;
}

function jump(cal: ZoneCalendar, id: string, t: number, n: number): string {
  const g = parseGranularity(id);
  const b = cal.shift(cal.bucket(g, t), n, g);
  return `${b.label} ${b.start} ${b.end}`;
}

describe('ZoneCalendar.shift lands where walking does', () => {
  it.each(ZONES)('%s: any calendar kind, up to 400 periods either way', (zone) => {
    const cal = new ZoneCalendar(zone);
    fc.assert(
      fc.property(
        instantIn(zone),
        fc.constantFrom(...KINDS),
        fc.integer({ min: -400, max: 400 }),
        (t, id, n) => {
          expect(jump(cal, id, t, n)).toBe(walk(cal, id, t, n));
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each(SKIPS)('%s: days across the skipped date', (zone, skipped) => {
    const cal = new ZoneCalendar(zone);
    fc.assert(
      fc.property(fc.integer({ min: -40, max: 40 }), fc.integer({ min: -60, max: 60 }), (from, n) => {
        const t = skipped + from * DAY + DAY / 2;
        expect(jump(cal, 'day', t, n)).toBe(walk(cal, 'day', t, n));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a shift out of years 0001-9998 as walking does (VALUE_INVALID)', () => {
    const cal = new ZoneCalendar('Europe/London');
    for (const id of KINDS) {
      const b = cal.bucket(parseGranularity(id), Date.UTC(2026, 10, 22));
      expect(() => cal.shift(b, -3_000_000, parseGranularity(id))).toThrow(/0001/);
    }
  });
});
