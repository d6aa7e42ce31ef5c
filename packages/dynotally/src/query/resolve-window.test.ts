// Calendar and rolling windows against an independent reference (Temporal), never src/time.
import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarFor, parseGranularity } from '../time/index.ts';
import { resolveWindow } from './resolve-window.ts';
import type { TimeContext } from './retention.ts';

const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu'] as const;
const UNITS = ['day', 'week', 'month', 'year'] as const;
const DAY = 86_400_000;

const atArb = fc.oneof(
  fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
  // local midnights ± 1 ms and DST changes
  fc
    .tuple(
      fc.constantFrom(
        Date.UTC(2026, 2, 29, 0),
        Date.UTC(2026, 9, 25, 0),
        Date.UTC(2026, 2, 8, 5),
        Date.UTC(2026, 10, 1, 4),
        Date.UTC(2026, 11, 31, 18, 15),
        Date.UTC(2026, 11, 31, 18, 30),
        Date.UTC(2027, 0, 1),
      ),
      fc.integer({ min: -2 * 3_600_000, max: 2 * 3_600_000 }),
      fc.constantFrom(0, -1, 1),
    )
    .map(([a, d, e]) => a + (e === 0 ? d : e)),
);

function ctxOf(zone: string, now: number): TimeContext {
  return { calendar: calendarFor(zone), now, retentionMs: new Map() };
}

/** Start of the `unit` period holding `at`, shifted by `offset` periods (Temporal). */
function periodStart(zone: string, at: number, unit: (typeof UNITS)[number], offset: number): number {
  const date = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone).toPlainDate();
  let start: Temporal.PlainDate;
  if (unit === 'day') start = date.add({ days: offset });
  else if (unit === 'week') start = date.subtract({ days: date.dayOfWeek - 1 }).add({ weeks: offset });
  else if (unit === 'month') start = date.with({ day: 1 }).add({ months: offset });
  else start = date.with({ month: 1, day: 1 }).add({ years: offset });
  return start.toZonedDateTime({ timeZone: zone }).epochMilliseconds;
}

function nextStart(zone: string, start: number, unit: (typeof UNITS)[number]): number {
  return periodStart(zone, start, unit, 1);
}

describe('resolveWindow', () => {
  it('calendar windows are whole local periods (DST, +05:30, +05:45), offset by whole periods', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom(...UNITS),
        atArb,
        fc.integer({ min: -14, max: 2 }),
        (zone, unit, at, offset) => {
          const w = resolveWindow({ calendar: unit, offset, at }, ctxOf(zone, at), []);
          const from = periodStart(zone, at, unit, offset);
          expect({ from: w.from, to: w.to }).toEqual({ from, to: nextStart(zone, from, unit) });
          expect(w.rounded).toBe(false);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('lastDays / lastWeeks / lastMonths / lastYears are N whole periods ending with the current one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom(...UNITS),
        atArb,
        fc.integer({ min: 1, max: 40 }),
        (zone, unit, at, n) => {
          const key = { day: 'lastDays', week: 'lastWeeks', month: 'lastMonths', year: 'lastYears' }[unit];
          const w = resolveWindow({ [key]: n, at } as never, ctxOf(zone, at), []);
          const currentStart = periodStart(zone, at, unit, 0);
          expect(w.from).toBe(periodStart(zone, at, unit, -(n - 1)));
          expect(w.to).toBe(nextStart(zone, currentStart, unit));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('rolling windows at minute precision end at the next minute boundary and last exactly the duration', () => {
    const grans = ['minute', 'hour', 'day'].map(parseGranularity);
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        atArb,
        fc.constantFrom('15m', '90s', '24h', '7d'),
        (zone, at, last) => {
          const w = resolveWindow({ last, at }, ctxOf(zone, at), grans);
          const to = Math.ceil(at / 60_000) * 60_000;
          const ms = { '15m': 900_000, '90s': 90_000, '24h': DAY, '7d': 7 * DAY }[last] as number;
          // 90 s is not whole minutes: the start goes to the nearest minute (the earlier one on a tie)
          const x = to - ms;
          const lower = Math.floor(x / 60_000) * 60_000;
          const from = x - lower <= 30_000 ? lower : lower + 60_000;
          expect({ from: w.from, to: w.to, precision: w.precision }).toEqual({
            from,
            to,
            precision: 'minute',
          });
          expect(w.rounded).toBe(to !== at || last === '90s');
        },
      ),
      { numRuns: 80 },
    );
  });

  it('rolling windows over day-or-coarser granularities are whole local days, even across DST', () => {
    const grans = ['day', 'month', 'year'].map(parseGranularity);
    const at = Date.UTC(2026, 2, 31, 10); // London, two days after the spring change
    const w = resolveWindow({ last: '7d', at }, ctxOf('Europe/London', at), grans);
    expect(w.precision).toBe('day');
    expect(w.to).toBe(Date.UTC(2026, 2, 31, 23)); // 1 April 00:00 BST
    expect(w.from).toBe(Date.UTC(2026, 2, 25, 0)); // 25 March 00:00 GMT: 7 local days
  });

  it('explicit instants accept Date, epoch ms and ISO with a zone', () => {
    const ctx = ctxOf('UTC', 0);
    const w = resolveWindow(
      { from: new Date(Date.UTC(2026, 0, 1)), to: '2026-01-02T05:30:00+05:30' },
      ctx,
      [],
    );
    expect({ from: w.from, to: w.to }).toEqual({ from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) });
  });
});
