import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  daysInMonth,
  isoWeekday,
  isoWeekOfDays,
  mod,
  mondayOfIsoWeek,
} from './civil.ts';

const dayNumber = fc.integer({ min: daysFromCivil(1, 1, 1), max: daysFromCivil(9998, 12, 31) });

describe('civil calendar arithmetic', () => {
  it('round-trips day numbers and agrees with Date', () => {
    fc.assert(
      fc.property(dayNumber, (days) => {
        const { year, month, day } = civilFromDays(days);
        expect(daysFromCivil(year, month, day)).toBe(days);
        const d = new Date(days * DAY_MS);
        expect([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]).toEqual([year, month, day]);
        expect(isoWeekday(days)).toBe(d.getUTCDay() === 0 ? 7 : d.getUTCDay());
      }),
      { numRuns: 5000 },
    );
  });

  it('computes ISO weeks like Temporal', () => {
    fc.assert(
      fc.property(dayNumber, (days) => {
        const { year, month, day } = civilFromDays(days);
        const p = Temporal.PlainDate.from({ year, month, day });
        const w = isoWeekOfDays(days);
        expect(w).toEqual({ weekYear: p.yearOfWeek, week: p.weekOfYear });
        expect(mondayOfIsoWeek(w.weekYear, w.week)).toBe(days - isoWeekday(days) + 1);
      }),
      { numRuns: 3000 },
    );
  });

  it('knows month lengths and floor modulo', () => {
    expect([daysInMonth(2024, 2), daysInMonth(2100, 2), daysInMonth(2000, 2), daysInMonth(2026, 12)]).toEqual(
      [29, 28, 29, 31],
    );
    expect([mod(-1, 7), mod(7, 7), mod(-90_000, 3_600_000)]).toEqual([6, 0, 3_510_000]);
    expect(civilFromDays(0)).toEqual({ year: 1970, month: 1, day: 1 });
  });
});
