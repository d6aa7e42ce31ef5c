import { civilFromDays, daysFromCivil, daysInMonth } from './civil.ts';
import { isoInstantMs } from './iso-instant.ts';

const DATE_THEN_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ]/;
/** A date, its separator and an hour, then the rest (`:MM…` and the zone). */
const DATE_HOUR = /^(\d{4}-\d{2}-\d{2}[Tt ])(\d{2})(:.*)$/s;
/** `24:00`, `24:00:00` or `24:00:00.000…`, then the zone: ISO 8601's end of a day. */
const END_OF_DAY = /^(\d{4})-(\d{2})-(\d{2})([Tt ])24:00((?::00(?:\.0+)?)?)([Zz+-].*)$/s;

/**
 * Why a text that looks like an ISO-8601 instant is not read as one, when the reason is more specific than its
 * form: a day its month does not have (which `Date.parse` would roll over into the next month), or an hour past
 * 23 (ISO 8601 writes a day's end as `24:00`; dynotally reads hours 00–23, so `24:00` is refused, with the next
 * day's start suggested). Undefined for any other text (the caller then describes the form it expects). The
 * query's arguments and the fold's event times share it, so both say the same thing about the same text.
 *
 * @example
 * ```ts
 * isoRefusal('2026-02-30T10:00:00Z'); // 'is not a day of the calendar (month 2 of 2026 has 28 days): write a date that exists'
 * isoRefusal('2026-12-06T24:00:00Z'); // "writes the end of its day as hour 24, … write the next day's start, '2026-12-07T00:00:00Z'"
 * isoRefusal('yesterday'); // undefined
 * ```
 */
export function isoRefusal(value: string): string | undefined {
  const m = DATE_THEN_TIME.exec(value);
  const y = Number(m?.[1]);
  const mo = Number(m?.[2]);
  const d = Number(m?.[3]);
  if (m !== null && mo >= 1 && mo <= 12 && d > daysInMonth(y, mo))
    return `is not a day of the calendar (month ${mo} of ${y} has ${daysInMonth(y, mo)} days): write a date that exists`;
  const hour = DATE_HOUR.exec(value);
  // an hour past 23 in text that is an instant otherwise: say so (ISO 8601 itself writes a day's end as 24:00)
  if (hour !== null && Number(hour[2]) > 23 && !Number.isNaN(isoInstantMs(`${hour[1]}00${hour[3]}`))) {
    const next = nextDayStart(value);
    return next === undefined
      ? `has hour ${hour[2]}: hours are 00–23 (in event times and queries alike)`
      : `writes the end of its day as hour 24, which is not read: hours are 00–23 (in event times and queries alike); write the next day's start, '${next}'`;
  }
  return undefined;
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
