import { DynotallyError } from '../errors/index.ts';
import { MAX_INSTANT, MIN_INSTANT } from '../time/index.ts';
import type { Instant } from './window-spec.ts';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Epoch milliseconds of an {@link Instant}. ISO strings must carry a zone (`Z` or `±HH:MM`), so they never
 * depend on the machine's local zone.
 *
 * @throws {DynotallyError} `QUERY_INVALID` naming the argument.
 * @example
 * ```ts
 * toEpochMs('2026-11-22T13:05:00Z', 'from'); // 1795439100000
 * toEpochMs(new Date(0), 'to'); // 0
 * ```
 */
export function toEpochMs(value: Instant, name: string): number {
  let t: number;
  if (typeof value === 'number') t = value;
  else if (value instanceof Date) t = value.getTime();
  else if (typeof value === 'string') {
    if (!ISO_WITH_ZONE.test(value)) {
      throw new DynotallyError(
        'QUERY_INVALID',
        `${name} ${JSON.stringify(value)} is not an ISO-8601 instant with a zone: write e.g. '2026-11-22T13:05:00Z' or '2026-11-22T13:05:00+05:30', a Date, or epoch milliseconds`,
        { details: { argument: name, value } },
      );
    }
    t = Date.parse(value);
    // Date.parse rolls '2026-02-30' over to 2 March: a day its month does not have is refused instead
    const [y, mo, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
    if (Number.isInteger(t) && d > daysInMonth(y, mo)) {
      throw new DynotallyError(
        'QUERY_INVALID',
        `${name} ${JSON.stringify(value)} is not a day of the calendar (month ${mo} of ${y} has ${daysInMonth(y, mo)} days): write a date that exists`,
        { details: { argument: name, value } },
      );
    }
  } else t = Number.NaN;
  if (!Number.isInteger(t) || t < MIN_INSTANT || t >= MAX_INSTANT) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `${name} ${JSON.stringify(String(value))} is not a usable instant: give a Date, whole epoch milliseconds or an ISO-8601 string with a zone, from 0001-01-02 to 9998-12-31 UTC (a day inside years 0001–9998, so that its date is inside them in every zone)`,
      { details: { argument: name, value: String(value) } },
    );
  }
  return t;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
