import { DynotallyError } from '../errors/index.ts';
import { DAY_MS, daysFromCivil } from './civil.ts';

/**
 * First supported instant, 0001-01-02T00:00:00Z. Together with {@link MAX_INSTANT} this keeps every bucket
 * label's (week-)year within 0001–9998 in every zone, so labels have four digits, sort as strings and read
 * back: the range stays a day inside those years because a zone's offset (up to about 16 hours for the local
 * mean times of the first centuries) moves an instant's local date, and the labels of its hour buckets, by
 * up to a day. 0001-01-01 is a Monday and 9998-12-31 a Thursday, so ISO week-years stay inside too.
 *
 * @example
 * ```ts
 * new Date(MIN_INSTANT).toISOString(); // '0001-01-02T00:00:00.000Z'
 * ```
 */
export const MIN_INSTANT: number = daysFromCivil(1, 1, 2) * DAY_MS;

/**
 * First instant past the supported range, 9998-12-31T00:00:00Z (exclusive): see {@link MIN_INSTANT}.
 *
 * @example
 * ```ts
 * new Date(MAX_INSTANT).toISOString(); // '9998-12-31T00:00:00.000Z'
 * ```
 */
export const MAX_INSTANT: number = daysFromCivil(9998, 12, 31) * DAY_MS;

/**
 * Throws unless `t` is a number of epoch milliseconds in `[MIN_INSTANT, MAX_INSTANT)`.
 *
 * @throws {DynotallyError} `VALUE_INVALID`.
 * @example
 * ```ts
 * assertInstant(Date.now()); // ok
 * assertInstant(Number.NaN); // throws VALUE_INVALID
 * ```
 */
export function assertInstant(t: number): void {
  if (t >= MIN_INSTANT && t < MAX_INSTANT) return;
  throw new DynotallyError(
    'VALUE_INVALID',
    `time ${String(t)} is not a usable instant: give epoch milliseconds from 0001-01-02 to 9998-12-31 UTC, so that the date is within years 0001–9998 in every zone (check that epoch seconds were not read as milliseconds, or the reverse)`,
    { details: { value: t, min: MIN_INSTANT, max: MAX_INSTANT } },
  );
}
