import {
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  daysInMonth,
  isoWeekOfDays,
  mondayOfIsoWeek,
} from './civil.ts';

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

function pad4(n: number): string {
  return n >= 1000 ? `${n}` : `${n}`.padStart(4, '0');
}

let memoDays = Number.NaN;
let memoDate = '';

/** `YYYY-MM-DD` of a day number, remembering the last one (consecutive labels share their day). */
function isoDate(days: number): string {
  if (days !== memoDays) {
    const { year, month, day } = civilFromDays(days);
    memoDate = `${pad4(year)}-${PAD2[month]}-${PAD2[day]}`;
    memoDays = days;
  }
  return memoDate;
}

function stamp(t: number, seconds: 'always' | 'auto' | 'never'): string {
  const days = Math.floor(t / DAY_MS);
  const s = Math.floor((t - days * DAY_MS) / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor(s / 60) % 60;
  const ss = s % 60;
  const head = `${isoDate(days)}T${PAD2[hh]}:${PAD2[mm]}`;
  return seconds === 'always' || (seconds === 'auto' && ss !== 0) ? `${head}:${PAD2[ss]}` : head;
}

/**
 * Label of a bucket that is an instant range: `s` (second, `s2026-11-22T13:05:09`), `m` (minute,
 * `m2026-11-22T13:05`), `H` (hour) or `q` (N-minute), from the UTC wall time of `start`. Minute, hour and
 * N-minute labels carry `:SS` only when the start is not on a whole minute (historical offsets with seconds), which
 * keeps them sorting in time order.
 *
 * @example
 * ```ts
 * instantLabel('H', Date.UTC(2026, 10, 22, 12, 15)); // 'H2026-11-22T12:15'
 * ```
 */
export function instantLabel(prefix: 's' | 'm' | 'H' | 'q', start: number): string {
  return prefix + stamp(start, prefix === 's' ? 'always' : 'auto');
}

/**
 * Label of a local calendar day (days since 1970-01-01 of the local date).
 *
 * @example
 * ```ts
 * dayLabel(20_414); // 'D2026-11-22'
 * ```
 */
export function dayLabel(days: number): string {
  return `D${isoDate(days)}`;
}

/**
 * Label of the ISO week starting on the Monday `monday` (a day number): ISO week-year and 2-digit week.
 *
 * @example
 * ```ts
 * weekLabel(daysFromCivil(2026, 11, 16)); // 'W2026-W47'
 * ```
 */
export function weekLabel(monday: number): string {
  const { weekYear, week } = isoWeekOfDays(monday);
  return `W${pad4(weekYear)}-W${PAD2[week]}`;
}

/**
 * Label of a calendar month.
 *
 * @example
 * ```ts
 * monthLabel(2026, 11); // 'M2026-11'
 * ```
 */
export function monthLabel(year: number, month: number): string {
  return `M${pad4(year)}-${PAD2[month]}`;
}

/**
 * Label of a calendar year.
 *
 * @example
 * ```ts
 * yearLabel(2026); // 'Y2026'
 * ```
 */
export function yearLabel(year: number): string {
  return `Y${pad4(year)}`;
}

/**
 * A label taken apart; instant kinds carry the start instant, calendar kinds the ordinal of the period.
 *
 * @example
 * ```ts
 * const p: ParsedLabel | undefined = parseLabel('Y2026'); // { kind: 'year', year: 2026 }
 * ```
 */
export type ParsedLabel =
  | { readonly kind: 'all' }
  | { readonly kind: 'second' | 'minute' | 'hour' | 'nminute'; readonly start: number }
  | { readonly kind: 'day'; readonly days: number }
  | { readonly kind: 'week'; readonly monday: number }
  | { readonly kind: 'month'; readonly year: number; readonly month: number }
  | { readonly kind: 'year'; readonly year: number };

const INSTANT_RE = /^([smHq])(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_RE = /^D(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^W(\d{4})-W(\d{2})$/;
const MONTH_RE = /^M(\d{4})-(\d{2})$/;
const YEAR_RE = /^Y(\d{4})$/;
const INSTANT_KIND = { s: 'second', m: 'minute', H: 'hour', q: 'nminute' } as const;

function validDate(year: number, month: number, day: number): boolean {
  return (
    year >= 1 && year <= 9998 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/**
 * Parses a bucket label into its kind and period, or `undefined` when it is not a canonical label
 * (wrong shape, impossible date, week 53 of a 52-week year, year outside 0001–9998, a superfluous `:00`).
 *
 * @example
 * ```ts
 * parseLabel('M2026-11'); // { kind: 'month', year: 2026, month: 11 }
 * parseLabel('D2026-02-30'); // undefined
 * ```
 */
export function parseLabel(label: string): ParsedLabel | undefined {
  if (label === 'ALL') return { kind: 'all' };
  let m = INSTANT_RE.exec(label);
  if (m !== null) {
    const prefix = m[1] as 's' | 'm' | 'H' | 'q';
    const [y, mo, d, hh, mi] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const ss = m[7] === undefined ? 0 : Number(m[7]);
    if (!validDate(y, mo, d) || hh > 23 || mi > 59 || ss > 59) return undefined;
    const start = daysFromCivil(y, mo, d) * DAY_MS + hh * 3_600_000 + mi * 60_000 + ss * 1000;
    return instantLabel(prefix, start) === label ? { kind: INSTANT_KIND[prefix], start } : undefined;
  }
  m = DAY_RE.exec(label);
  if (m !== null) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return validDate(y, mo, d) ? { kind: 'day', days: daysFromCivil(y, mo, d) } : undefined;
  }
  m = WEEK_RE.exec(label);
  if (m !== null) {
    const [y, w] = [Number(m[1]), Number(m[2])];
    if (y < 1 || y > 9998 || w < 1) return undefined;
    const monday = mondayOfIsoWeek(y, w);
    return weekLabel(monday) === label ? { kind: 'week', monday } : undefined;
  }
  m = MONTH_RE.exec(label);
  if (m !== null) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    return validDate(y, mo, 1) ? { kind: 'month', year: y, month: mo } : undefined;
  }
  m = YEAR_RE.exec(label);
  if (m !== null) {
    const y = Number(m[1]);
    return y >= 1 && y <= 9998 ? { kind: 'year', year: y } : undefined;
  }
  return undefined;
}
