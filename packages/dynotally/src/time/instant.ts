import { DynotallyError } from '../errors/index.ts';
import { DAY_MS, daysFromCivil } from './civil.ts';

/**
 * First supported instant, 0001-01-01T00:00:00Z. Together with {@link MAX_INSTANT} this keeps every
 * bucket label's (week-)year within four digits, so labels sort as strings.
 *
 * @example
 * ```ts
 * new Date(MIN_INSTANT).toISOString(); // '0001-01-01T00:00:00.000Z'
 * ```
 */
export const MIN_INSTANT: number = daysFromCivil(1, 1, 1) * DAY_MS;

/**
 * First instant past the supported range, 9999-01-01T00:00:00Z (exclusive).
 *
 * @example
 * ```ts
 * new Date(MAX_INSTANT).toISOString(); // '9999-01-01T00:00:00.000Z'
 * ```
 */
export const MAX_INSTANT: number = daysFromCivil(9999, 1, 1) * DAY_MS;

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
    `time ${String(t)} is not a usable instant: give epoch milliseconds between 0001-01-01 and 9999-01-01 (check that epoch seconds were not read as milliseconds, or the reverse)`,
    { details: { value: t, min: MIN_INSTANT, max: MAX_INSTANT } },
  );
}
