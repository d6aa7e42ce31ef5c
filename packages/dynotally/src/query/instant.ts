import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';
import { MAX_INSTANT, MIN_INSTANT } from '../time/index.ts';
import { isoInstantMs } from '../time/iso-instant.ts';
import { isoRefusal } from '../time/iso-refusal.ts';
import type { Instant } from './window-spec.ts';

/**
 * Epoch milliseconds of an {@link Instant}. ISO strings must carry a zone (`Z` or `±HH:MM`), so they never
 * depend on the machine's local zone; they are read by the parser the fold reads event times with
 * (`isoInstantMs`: a fraction of any length is truncated to the millisecond, a leap second `:60` is the minute's
 * last millisecond), so a query and the fold place the same text alike.
 *
 * @throws {DynotallyError} `QUERY_INVALID` naming the argument.
 * @example
 * ```ts
 * toEpochMs('2026-11-22T13:05:00Z', 'from'); // 1795352700000
 * toEpochMs(new Date(0), 'to'); // 0
 * ```
 */
export function toEpochMs(value: Instant, name: string): number {
  let t: number;
  if (typeof value === 'number') t = value;
  else if (value instanceof Date) t = value.getTime();
  else if (typeof value === 'string') {
    t = isoInstantMs(value);
    if (Number.isNaN(t)) throw notAnInstant(value, name);
  } else t = Number.NaN;
  if (!Number.isInteger(t) || t < MIN_INSTANT || t >= MAX_INSTANT) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `${name} ${shownValue(asText(value))} is not a usable instant: give a Date, whole epoch milliseconds or an ISO-8601 string with a zone, from 0001-01-02 to 9998-12-31 UTC (a day inside years 0001–9998, so that its date is inside them in every zone)`,
      { details: { argument: name, value: shownDetail(asText(value)) } },
    );
  }
  return t;
}

/** `String(value)`, or what {@link shownValue} shows of a value `String` throws on (an object without a prototype). */
function asText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return shownValue(value);
  }
}

/** Why a string is no instant: a day its month does not have, an hour past 23 (`isoRefusal`), or the form. */
function notAnInstant(value: string, name: string): DynotallyError {
  const why = isoRefusal(value);
  return new DynotallyError(
    'QUERY_INVALID',
    why !== undefined
      ? `${name} ${shownValue(value)} ${why}`
      : `${name} ${shownValue(value)} is not an ISO-8601 instant with a zone: write e.g. '2026-11-22T13:05:00Z' or '2026-11-22T13:05:00+05:30', a Date, or epoch milliseconds`,
    { details: { argument: name, value } },
  );
}
