/**
 * Milliseconds in a (UTC, 86 400-second) day.
 *
 * @example
 * ```ts
 * Math.floor(Date.UTC(2026, 10, 22) / DAY_MS); // 20_414
 * ```
 */
export const DAY_MS = 86_400_000;

/**
 * A proleptic Gregorian calendar date.
 *
 * @example
 * ```ts
 * const d: CivilDate = civilFromDays(0); // { year: 1970, month: 1, day: 1 }
 * ```
 */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * Floor modulo: the result has the sign of `n` (so `mod(-1, 7) === 6`). Exact for safe integers.
 *
 * @example
 * ```ts
 * mod(-90_000, 3_600_000); // 3_510_000
 * ```
 */
export function mod(a: number, n: number): number {
  return a - Math.floor(a / n) * n;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
 *
 * @example
 * ```ts
 * daysFromCivil(2026, 11, 22); // 20_414
 * ```
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * The proleptic Gregorian date of a day number (days since 1970-01-01; Hinnant's `civil_from_days`).
 *
 * @example
 * ```ts
 * civilFromDays(20_414); // { year: 2026, month: 11, day: 22 }
 * ```
 */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * ISO weekday of a day number: 1 = Monday … 7 = Sunday.
 *
 * @example
 * ```ts
 * isoWeekday(0); // 4 (1970-01-01 was a Thursday)
 * ```
 */
export function isoWeekday(days: number): number {
  return mod(days + 3, 7) + 1;
}

/**
 * Number of days in a month of the proleptic Gregorian calendar.
 *
 * @example
 * ```ts
 * daysInMonth(2024, 2); // 29
 * ```
 */
export function daysInMonth(year: number, month: number): number {
  return month === 12 ? 31 : daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

/**
 * An ISO-8601 week: the week-year (the year of its Thursday) and the week number 1–53.
 *
 * @example
 * ```ts
 * const w: IsoWeek = isoWeekOfDays(daysFromCivil(2024, 12, 30)); // { weekYear: 2025, week: 1 }
 * ```
 */
export interface IsoWeek {
  readonly weekYear: number;
  readonly week: number;
}

/**
 * The ISO week that contains a day number (weeks start on Monday; week 1 holds the year's first Thursday).
 *
 * @example
 * ```ts
 * isoWeekOfDays(daysFromCivil(2027, 1, 1)); // { weekYear: 2026, week: 53 }
 * ```
 */
export function isoWeekOfDays(days: number): IsoWeek {
  const thursday = days - isoWeekday(days) + 4;
  const weekYear = civilFromDays(thursday).year;
  const week = Math.floor((thursday - daysFromCivil(weekYear, 1, 1)) / 7) + 1;
  return { weekYear, week };
}

/**
 * Day number of the Monday that starts ISO week `week` of `weekYear` (no range check on `week`).
 *
 * @example
 * ```ts
 * civilFromDays(mondayOfIsoWeek(2026, 1)); // { year: 2025, month: 12, day: 29 }
 * ```
 */
export function mondayOfIsoWeek(weekYear: number, week: number): number {
  const jan4 = daysFromCivil(weekYear, 1, 4);
  return jan4 - isoWeekday(jan4) + 1 + (week - 1) * 7;
}
