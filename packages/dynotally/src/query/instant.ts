import { DynotallyError } from '../errors/index.ts';
import { civilFromDays, daysFromCivil, daysInMonth } from '../time/civil.ts';
import { MAX_INSTANT, MIN_INSTANT } from '../time/index.ts';
import { isoInstantMs } from '../time/iso-instant.ts';
import type { Instant } from './window-spec.ts';

const DATE_THEN_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ]/;
/** A date, its separator and an hour, then the rest (`:MM…` and the zone). */
const DATE_HOUR = /^(\d{4}-\d{2}-\d{2}[Tt ])(\d{2})(:.*)$/s;
/** `24:00`, `24:00:00` or `24:00:00.000…`, then the zone: ISO 8601's end of a day. */
const END_OF_DAY = /^(\d{4})-(\d{2})-(\d{2})([Tt ])24:00((?::00(?:\.0+)?)?)([Zz+-].*)$/s;

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
      `${name} ${JSON.stringify(String(value))} is not a usable instant: give a Date, whole epoch milliseconds or an ISO-8601 string with a zone, from 0001-01-02 to 9998-12-31 UTC (a day inside years 0001–9998, so that its date is inside them in every zone)`,
      { details: { argument: name, value: String(value) } },
    );
  }
  return t;
}

/** Why a string is no instant: a day its month does not have (which `Date.parse` would roll over), or the form. */
function notAnInstant(value: string, name: string): DynotallyError {
  const m = DATE_THEN_TIME.exec(value);
  const y = Number(m?.[1]);
  const mo = Number(m?.[2]);
  const d = Number(m?.[3]);
  if (m !== null && mo >= 1 && mo <= 12 && d > daysInMonth(y, mo)) {
    return new DynotallyError(
      'QUERY_INVALID',
      `${name} ${JSON.stringify(value)} is not a day of the calendar (month ${mo} of ${y} has ${daysInMonth(y, mo)} days): write a date that exists`,
      { details: { argument: name, value } },
    );
  }
  const hour = DATE_HOUR.exec(value);
  // an hour past 23 in text that is an instant otherwise: say so (ISO 8601 itself writes a day's end as 24:00)
  if (hour !== null && Number(hour[2]) > 23 && !Number.isNaN(isoInstantMs(`${hour[1]}00${hour[3]}`))) {
    const next = nextDayStart(value);
    return new DynotallyError(
      'QUERY_INVALID',
      next === undefined
        ? `${name} ${JSON.stringify(value)} has hour ${hour[2]}: hours are 00–23 (as in event times)`
        : `${name} ${JSON.stringify(value)} writes the end of its day as hour 24, which is not read: hours are 00–23 (as in event times); write the next day's start, '${next}'`,
      { details: { argument: name, value } },
    );
  }
  return new DynotallyError(
    'QUERY_INVALID',
    `${name} ${JSON.stringify(value)} is not an ISO-8601 instant with a zone: write e.g. '2026-11-22T13:05:00Z' or '2026-11-22T13:05:00+05:30', a Date, or epoch milliseconds`,
    { details: { argument: name, value } },
  );
}

/** `value`'s `…T24:00…` (the end of a day) written as the next day's `…T00:00…`, the rest kept; else undefined. */
function nextDayStart(value: string): string | undefined {
  const m = END_OF_DAY.exec(value);
  if (m === null) return undefined;
  const [, y = '', mo = '', d = '', sep = '', seconds = '', zone = ''] = m;
  const next = civilFromDays(daysFromCivil(Number(y), Number(mo), Number(d)) + 1);
  const date = `${String(next.year).padStart(4, '0')}-${String(next.month).padStart(2, '0')}-${String(next.day).padStart(2, '0')}`;
  const text = `${date}${sep}00:00${seconds}${zone}`;
  return Number.isNaN(isoInstantMs(text)) ? undefined : text;
}
