import { type CivilDate, DAY_MS, daysFromCivil, daysInMonth } from './civil.ts';

/**
 * Epoch milliseconds of an ISO-8601 / RFC 3339 date-time with its zone, or `NaN` when `s` is not one. The fold
 * (event times) and the query (`from`, `to`, `at`) read strings with this one parser, so both accept and place the
 * same text alike, whatever the process's time zone.
 *
 * Accepted: `YYYY-MM-DD`, `T` (or `t`, or a space, as RFC 3339 allows), `HH:MM`, optional `:SS`, an optional
 * fraction of any number of digits after a `.` (truncated to the millisecond, as epoch fractions are floored),
 * then `Z` (or `z`), `±HH:MM`, `±HH:MM:SS` (an ISO 8601 extended offset with seconds, as local mean time has and
 * `zonedIso` prints; RFC 3339 has none) or `±HHMM`. The day must exist in its month, hours are 00–23, minutes 00–59, seconds
 * 00–60: a leap second (`23:59:60Z`) is read as the last millisecond of its minute (`23:59:59.999Z`), as the epoch
 * has no leap seconds. Built by arithmetic on the fields (no `Date.parse`, whose legacy forms read the process's
 * zone and roll impossible dates over); a scan of char codes, no allocation.
 *
 * @example
 * ```ts
 * isoInstantMs('2026-11-22T13:05:00+01:00'); // 1795349100000
 * isoInstantMs('2016-12-31T23:59:60Z'); // 1483228799999
 * isoInstantMs('1971-06-01T09:00:00-00:44:30'); // 44617470000
 * isoInstantMs('2026-02-29T10:00:00Z'); // NaN (2026 has no 29 February)
 * ```
 */
export function isoInstantMs(s: string): number {
  const len = s.length;
  if (len < 17 || !isDateAt(s)) return Number.NaN; // 'YYYY-MM-DDTHH:MMZ' is the shortest
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return Number.NaN; // 'T', 't', ' '
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  if (s.charCodeAt(13) !== 58 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return Number.NaN;
  let i = 16;
  let second = 0;
  let ms = 0;
  if (s.charCodeAt(i) === 58) {
    second = digits(s, i + 1, 2);
    if (second < 0 || second > 60) return Number.NaN;
    i += 3;
    if (s.charCodeAt(i) === 46) {
      const from = ++i;
      for (let d = s.charCodeAt(i) - 48; d >= 0 && d <= 9; d = s.charCodeAt(++i) - 48) {
        if (i - from < 3) ms = ms * 10 + d;
      }
      const n = i - from;
      if (n === 0) return Number.NaN;
      if (n === 1) ms *= 100;
      else if (n === 2) ms *= 10;
    }
  }
  let offsetS = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    i += 1; // 'Z', 'z'
  } else if (z === 43 || z === 45) {
    const oh = digits(s, i + 1, 2);
    const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
    const om = digits(s, i + 3 + colon, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
    i += 5 + colon;
    let os = 0;
    if (colon === 1 && s.charCodeAt(i) === 58) {
      os = digits(s, i + 1, 2); // extended ±HH:MM:SS (local mean time offsets, as zonedIso prints them)
      if (os < 0 || os > 59) return Number.NaN;
      i += 3;
    }
    offsetS = (z === 43 ? 1 : -1) * ((oh * 60 + om) * 60 + os);
  } else return Number.NaN;
  if (i !== len) return Number.NaN;
  if (second === 60) {
    second = 59;
    ms = 999;
  }
  const days = daysFromCivil(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2));
  return days * DAY_MS + ((hour * 60 + minute) * 60 + second - offsetS) * 1000 + ms;
}

/**
 * The calendar date of an ISO-8601 date alone, `YYYY-MM-DD` (a day its month has), or `undefined` when `s` is not
 * one. It names a day, not an instant: the fold reads it as the start of that day in the rollup's zone.
 *
 * @example
 * ```ts
 * isoDate('2026-11-22'); // { year: 2026, month: 11, day: 22 }
 * isoDate('2026-1-1'); // undefined
 * ```
 */
export function isoDate(s: string): CivilDate | undefined {
  if (s.length !== 10 || !isDateAt(s)) return undefined;
  return { year: digits(s, 0, 4), month: digits(s, 5, 2), day: digits(s, 8, 2) };
}

/** Whether `s` starts with `YYYY-MM-DD`, a day its month has. */
function isDateAt(s: string): boolean {
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  return (
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** The value of the `n` decimal digits at `at`, or -1 when one of them is no digit (or past the end). */
function digits(s: string, at: number, n: number): number {
  let x = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48; // NaN past the end, which fails the test below
    if (!(d >= 0 && d <= 9)) return -1;
    x = x * 10 + d;
  }
  return x;
}
