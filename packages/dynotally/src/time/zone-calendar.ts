import { IANAZone } from 'luxon';
import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';
import { setBounded } from './bounded-map.ts';
import { ALL_BUCKET, type Bucket, NO_BUCKET } from './bucket.ts';
import { civilFromDays, DAY_MS, daysFromCivil, daysInMonth, isoWeekday, mod } from './civil.ts';
import { type GranularitySpec, NMINUTE_SIZES, parseGranularity } from './granularity.ts';
import { assertInstant } from './instant.ts';
import { dayLabel, instantLabel, monthLabel, parseLabel, weekLabel, yearLabel } from './labels.ts';
import { ZoneOffsets } from './zone-offsets.ts';

/**
 * Wall-clock fields of an instant in a zone. `weekday` is ISO: 1 = Monday … 7 = Sunday.
 *
 * @example
 * ```ts
 * const { hour, weekday }: LocalParts = calendarFor('Asia/Kolkata').localParts(Date.now());
 * ```
 */
export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly weekday: number;
}

const HOUR_MS = 3_600_000;
const CALENDAR_CACHE_LIMIT = 10_000;
/** Size − 1 of the direct-mapped tables of recent minute and hour buckets (a power of two). */
const RECENT_MASK = 127;
const UTC_NAMES = new Set(
  ['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu', 'GMT', 'Etc/GMT']
    .concat(['Etc/GMT0', 'Etc/GMT+0', 'Etc/GMT-0', 'GMT0', 'GMT+0', 'GMT-0', 'Greenwich', 'Etc/Greenwich'])
    .map((z) => z.toLowerCase()),
);
const SPEC = {
  second: parseGranularity('second'),
  minute: parseGranularity('minute'),
  hour: parseGranularity('hour'),
  day: parseGranularity('day'),
  week: parseGranularity('week'),
  month: parseGranularity('month'),
  year: parseGranularity('year'),
  all: parseGranularity('all'),
} as const;
const PREFIX_KIND: Record<string, keyof typeof SPEC | 'nminute'> = {
  s: 'second',
  m: 'minute',
  q: 'nminute',
  H: 'hour',
  D: 'day',
  W: 'week',
  M: 'month',
  Y: 'year',
  A: 'all',
};
const LABEL_FORMS =
  "'s2026-11-22T13:05:09', 'm2026-11-22T13:05', 'q2026-11-22T12:15', 'H2026-11-22T12:15', 'D2026-11-22', 'W2026-W47', 'M2026-11', 'Y2026' or 'ALL'";

function frozen(label: string, start: number, end: number): Bucket {
  return Object.freeze({ label, start, end });
}

/**
 * Time buckets and local calendar arithmetic in one IANA time zone: pure, exact and fast.
 *
 * - `second`: UTC-aligned (every offset is a whole number of seconds).
 * - `minute`, N-minute and `hour`: aligned to the zone's local wall clock (in Asia/Kathmandu, +05:45, hours
 *   start at :15 UTC), cut at every offset change so that buckets always partition the time line (a DST change
 *   of 30 minutes, as in Australia/Lord_Howe, yields one 30-minute hour bucket). Where the offset is a whole
 *   number of minutes (every zone since 1972) a minute is the UTC minute; where it has seconds (local mean
 *   time, Africa/Monrovia −00:44:30 until 1972) minutes start on the local clock's minute too, so each minute
 *   lies inside one hour. Labels are `m`/`H`/`q` + the UTC wall time of the start (with `:SS` when it is not
 *   on a whole UTC minute).
 * - `day`, `week` (ISO, Monday first), `month`, `year`: the zone's calendar. A period starts at the first
 *   instant whose local date belongs to it (local midnight, or the end of a gap when midnight is skipped)
 *   and ends where the next one starts, so DST days last 23 or 25 hours. Labels `D2026-11-22`, `W2026-W47`
 *   (ISO week-year), `M2026-11`, `Y2026`. Where a fall-back crosses midnight the local date runs backwards
 *   for a while (America/Goose_Bay 2010-11-07 00:01 → 11-06 23:01; Antarctica/Casey 2010-03-05): those
 *   instants belong to the later period, the one whose `[start, end)` contains them, although
 *   `localParts` still shows the earlier date.
 * - `all`: `[-Infinity, Infinity)`, label `ALL`.
 *
 * `bucket()` returns the previous result for the same granularity, without allocating, while `t` stays
 * inside it; calendar periods are also cached by ordinal. Offsets are cached per 15-minute UTC slot and
 * looked up with Luxon only on a miss (see `ZoneOffsets`). Supported instants: years 0001 to 9998 (UTC).
 * Instances are not thread-safe but there are no threads; prefer {@link calendarFor}, which memoises them.
 *
 * @example
 * ```ts
 * const london = new ZoneCalendar('Europe/London');
 * const day = london.bucket(parseGranularity('day'), Date.UTC(2026, 2, 29, 12));
 * day.label; // 'D2026-03-29'
 * (day.end - day.start) / 3_600_000; // 23 (spring forward)
 * ```
 */
export class ZoneCalendar {
  /** The IANA zone name, as given. */
  readonly zone: string;
  private readonly offsets: ZoneOffsets | undefined;

  private lastSecond: Bucket = NO_BUCKET;
  private lastMinute: Bucket = NO_BUCKET;
  private lastHour: Bucket = NO_BUCKET;
  private lastDay: Bucket = NO_BUCKET;
  private lastWeek: Bucket = NO_BUCKET;
  private lastMonth: Bucket = NO_BUCKET;
  private lastYear: Bucket = NO_BUCKET;
  private readonly lastNminute: Bucket[] = new Array<Bucket>(61).fill(NO_BUCKET);
  /**
   * Recent minute and hour buckets, direct-mapped by minute / UTC hour number: late events step back a
   * bucket and the next event forward again, which would rebuild (and re-label) the bucket each time.
   */
  private readonly recentMinutes: Bucket[] = new Array<Bucket>(RECENT_MASK + 1).fill(NO_BUCKET);
  private readonly recentHours: Bucket[] = new Array<Bucket>(RECENT_MASK + 1).fill(NO_BUCKET);

  private readonly days = new Map<number, Bucket>();
  private readonly weeks = new Map<number, Bucket>();
  private readonly months = new Map<number, Bucket>();
  private readonly years = new Map<number, Bucket>();

  /**
   * @param zone an IANA zone name such as `'Europe/London'` or `'UTC'`.
   * @throws {DynotallyError} `UNKNOWN_TIME_ZONE` when the name is not a zone this runtime knows.
   */
  constructor(zone: string) {
    if (typeof zone !== 'string' || !IANAZone.isValidZone(zone)) {
      throw new DynotallyError(
        'UNKNOWN_TIME_ZONE',
        `time zone ${shownValue(zone)} is not a valid IANA time zone name: write e.g. 'UTC', 'Europe/London', 'America/New_York' or 'Asia/Kolkata'`,
        { details: { zone: shownDetail(zone) } },
      );
    }
    this.zone = zone;
    this.offsets = UTC_NAMES.has(zone.toLowerCase()) ? undefined : new ZoneOffsets(IANAZone.create(zone));
  }

  /**
   * The zone's UTC offset at instant `t`, in milliseconds (local − UTC). Cached per 15-minute UTC slot
   * (changes inside a slot, which a few zones had, are resolved to the second); always 0 for UTC.
   *
   * @example
   * ```ts
   * calendarFor('Asia/Kathmandu').offsetMs(Date.UTC(2026, 0, 1)); // 20_700_000 (+05:45)
   * ```
   */
  offsetMs(t: number): number {
    return this.offsets === undefined ? 0 : this.offsets.offsetMs(t);
  }

  /**
   * The bucket of granularity `spec` that contains instant `t` (epoch ms). Hot path: while `t` stays in
   * the bucket last returned for `spec`, that same object is returned.
   *
   * @throws {DynotallyError} `VALUE_INVALID` when `t` is not an instant in years 0001–9998;
   *   `GRANULARITY_INVALID` when `spec` did not come from {@link parseGranularity}.
   * @example
   * ```ts
   * calendarFor('Asia/Kathmandu').bucket(parseGranularity('hour'), Date.UTC(2026, 10, 22, 12, 40)).label;
   * // 'H2026-11-22T12:15'
   * ```
   */
  bucket(spec: GranularitySpec, t: number): Bucket {
    let b: Bucket;
    switch (spec.kind) {
      case 'day':
        b = this.lastDay;
        if (t >= b.start && t < b.end) return b;
        this.lastDay = b = this.dayBucket(t);
        return b;
      case 'hour':
        b = this.lastHour;
        if (t >= b.start && t < b.end) return b;
        b = this.recentHours[Math.floor(t / HOUR_MS) & RECENT_MASK] as Bucket;
        if (!(t >= b.start && t < b.end)) {
          b = this.wallAlignedBucket('H', HOUR_MS, t);
          this.recentHours[Math.floor(t / HOUR_MS) & RECENT_MASK] = b;
        }
        this.lastHour = b;
        return b;
      case 'month':
        b = this.lastMonth;
        if (t >= b.start && t < b.end) return b;
        this.lastMonth = b = this.monthBucket(t);
        return b;
      case 'minute':
        b = this.lastMinute;
        if (t >= b.start && t < b.end) return b;
        b = this.recentMinutes[Math.floor(t / 60_000) & RECENT_MASK] as Bucket;
        if (!(t >= b.start && t < b.end)) {
          b = this.wallAlignedBucket('m', 60_000, t);
          this.recentMinutes[Math.floor(t / 60_000) & RECENT_MASK] = b;
        }
        this.lastMinute = b;
        return b;
      case 'nminute': {
        const minutes = spec.minutes ?? 0;
        b = this.lastNminute[minutes] ?? NO_BUCKET;
        if (t >= b.start && t < b.end) return b;
        b = this.wallAlignedBucket('q', nminuteSize(spec), t);
        this.lastNminute[minutes] = b;
        return b;
      }
      case 'second':
        b = this.lastSecond;
        if (t >= b.start && t < b.end) return b;
        this.lastSecond = b = this.utcAlignedBucket('s', 1000, t);
        return b;
      case 'week':
        b = this.lastWeek;
        if (t >= b.start && t < b.end) return b;
        this.lastWeek = b = this.weekBucket(t);
        return b;
      case 'year':
        b = this.lastYear;
        if (t >= b.start && t < b.end) return b;
        this.lastYear = b = this.yearBucket(t);
        return b;
      case 'all':
        assertInstant(t);
        return ALL_BUCKET;
      default:
        throw invalidSpec(spec);
    }
  }

  /**
   * The bucket a label names (the inverse of `bucket(...).label`). N-minute labels (`q…`) do not say N, so
   * they need `spec`; for other labels `spec` is optional and, when given, must match. A calendar label may
   * name an empty bucket (`start === end`) when the zone skipped that whole day, as Pacific/Apia did on
   * 2011-12-30.
   *
   * @throws {DynotallyError} `GRANULARITY_INVALID` when the label is malformed, does not match `spec`, or
   *   names no bucket start in this zone.
   * @example
   * ```ts
   * calendarFor('Europe/London').bucketByLabel('D2026-10-25'); // 25-hour day
   * calendarFor('UTC').bucketByLabel('q2026-11-22T12:15', parseGranularity('15m'));
   * ```
   */
  bucketByLabel(label: string, spec?: GranularitySpec): Bucket {
    const s = this.specOfLabel(label, spec);
    const parsed = parseLabel(label);
    if (parsed === undefined) {
      throw new DynotallyError(
        'GRANULARITY_INVALID',
        `bucket label ${shownValue(label)} is malformed: write a label such as ${LABEL_FORMS} (years 0001–9998)`,
        { details: { label: shownDetail(label) } },
      );
    }
    switch (parsed.kind) {
      case 'all':
        return ALL_BUCKET;
      case 'day':
        return this.dayByOrdinal(parsed.days);
      case 'week':
        return this.weekByOrdinal(parsed.monday);
      case 'month':
        return this.monthByOrdinal(parsed.year * 12 + parsed.month - 1);
      case 'year':
        return this.yearByOrdinal(parsed.year);
      default: {
        const b = this.bucket(s, parsed.start);
        if (b.start === parsed.start) return b;
        throw new DynotallyError(
          'GRANULARITY_INVALID',
          `bucket label ${shownValue(label)} is not the start of a ${s.id} bucket in time zone ${this.zone}: the bucket containing that instant is ${JSON.stringify(b.label)}`,
          { details: { label: shownDetail(label), zone: this.zone, granularity: s.id, containing: b.label } },
        );
      }
    }
  }

  /**
   * The bucket right after `b`, of the same granularity: `next(b).start === b.end`. Empty calendar
   * periods (a skipped day) are stepped over. N-minute buckets need their `spec`.
   *
   * @throws {DynotallyError} `GRANULARITY_INVALID` for the `all` bucket or a label that names no kind;
   *   `VALUE_INVALID` past the supported range.
   * @example
   * ```ts
   * const utc = calendarFor('UTC');
   * utc.next(utc.bucketByLabel('M2026-12')).label; // 'M2027-01'
   * ```
   */
  next(b: Bucket, spec?: GranularitySpec): Bucket {
    return this.bucket(this.neighbourSpec(b, spec), b.end);
  }

  /**
   * The bucket right before `b`, of the same granularity: `previous(b).end === b.start`. Empty calendar
   * periods are stepped over. N-minute buckets need their `spec`.
   *
   * @throws {DynotallyError} `GRANULARITY_INVALID` for the `all` bucket or a label that names no kind;
   *   `VALUE_INVALID` before the supported range.
   * @example
   * ```ts
   * const utc = calendarFor('UTC');
   * utc.previous(utc.bucketByLabel('W2027-W01')).label; // 'W2026-W53'
   * ```
   */
  previous(b: Bucket, spec?: GranularitySpec): Bucket {
    return this.bucket(this.neighbourSpec(b, spec), b.start - 1);
  }

  /**
   * The bucket `n` periods after `b` (before it for a negative `n`), of the same granularity: what `n` calls of
   * {@link ZoneCalendar.next} (or {@link ZoneCalendar.previous}) return, without walking the periods one by one
   * for calendar kinds: weeks, months and years by their ordinal (none is ever empty), days by one offset look-up
   * a day (a skipped date, such as Pacific/Apia's 2011-12-30, is stepped over as `next` and `previous` do).
   * Other kinds step one period at a time.
   *
   * @throws {DynotallyError} as {@link ZoneCalendar.next}: `VALUE_INVALID` past the supported range.
   * @example
   * ```ts
   * const london = calendarFor('Europe/London');
   * london.shift(london.bucketByLabel('M2026-11'), -1000).label; // 'M1943-07'
   * ```
   */
  shift(b: Bucket, n: number, spec?: GranularitySpec): Bucket {
    const s = this.neighbourSpec(b, spec);
    if (n === 0) return b;
    const parsed =
      s.kind === 'day' || s.kind === 'week' || s.kind === 'month' || s.kind === 'year'
        ? parseLabel(b.label)
        : undefined;
    switch (parsed?.kind) {
      case 'week':
        return inRange(this.weekByOrdinal(dayInRange(parsed.monday + 7 * n)));
      case 'month': {
        const ordinal = parsed.year * 12 + parsed.month - 1 + n;
        dayInRange(daysFromCivil(Math.floor(ordinal / 12), mod(ordinal, 12) + 1, 1));
        return inRange(this.monthByOrdinal(ordinal));
      }
      case 'year':
        dayInRange(daysFromCivil(parsed.year + n, 1, 1));
        return inRange(this.yearByOrdinal(parsed.year + n));
      case 'day': {
        const dir = n < 0 ? -1 : 1;
        let day = parsed.days;
        // a day is empty when its midnight and the next one are one instant (a skipped date)
        for (let left = Math.abs(n); left > 0; ) {
          day = dayInRange(day + dir);
          if (this.wallToInstant(day * DAY_MS) !== this.wallToInstant((day + 1) * DAY_MS)) left--;
        }
        return inRange(this.dayByOrdinal(day));
      }
      default: {
        let out = b;
        for (let i = 0; i < Math.abs(n); i++) out = n < 0 ? this.previous(out, s) : this.next(out, s);
        return out;
      }
    }
  }

  /**
   * Local wall-clock fields of instant `t` in this zone.
   *
   * @throws {DynotallyError} `VALUE_INVALID` when `t` is not an instant in years 0001–9998.
   * @example
   * ```ts
   * calendarFor('America/New_York').localParts(Date.UTC(2026, 10, 22, 13, 5));
   * // { year: 2026, month: 11, day: 22, hour: 8, minute: 5, second: 0, millisecond: 0, weekday: 7 }
   * ```
   */
  localParts(t: number): LocalParts {
    assertInstant(t);
    const local = t + this.offsetMs(t);
    const days = Math.floor(local / DAY_MS);
    const ms = local - days * DAY_MS;
    const { year, month, day } = civilFromDays(days);
    return {
      year,
      month,
      day,
      hour: Math.floor(ms / HOUR_MS),
      minute: Math.floor(ms / 60_000) % 60,
      second: Math.floor(ms / 1000) % 60,
      millisecond: ms % 1000,
      weekday: isoWeekday(days),
    };
  }

  /**
   * The first instant of a local date: local midnight, or the end of the gap when midnight is skipped.
   *
   * @throws {DynotallyError} `VALUE_INVALID` for an impossible date or a year outside 0001–9998.
   * @example
   * ```ts
   * calendarFor('America/Havana').startOfLocalDay(2026, 3, 8); // 01:00 local, DST starts at midnight
   * ```
   */
  startOfLocalDay(year: number, month: number, day: number): number {
    const valid =
      Number.isInteger(year) &&
      Number.isInteger(month) &&
      Number.isInteger(day) &&
      year >= 1 &&
      year <= 9998 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month);
    if (!valid) {
      throw new DynotallyError(
        'VALUE_INVALID',
        `${year}-${month}-${day} is not a calendar date: give a year 1–9998, a month 1–12 and a day that exists in that month`,
        { details: { year, month, day } },
      );
    }
    return this.wallToInstant(daysFromCivil(year, month, day) * DAY_MS);
  }

  // ── buckets ──────────────────────────────────────────────────────────────────────────────────────

  private utcAlignedBucket(prefix: 's', size: number, t: number): Bucket {
    assertInstant(t);
    const start = t - mod(t, size);
    return frozen(instantLabel(prefix, start), start, start + size);
  }

  /** A bucket of the local wall-clock grid of `size`, cut at offset changes. */
  private wallAlignedBucket(prefix: 'm' | 'H' | 'q', size: number, t: number): Bucket {
    assertInstant(t);
    const offsets = this.offsets;
    if (offsets === undefined) {
      const start = t - mod(t, size);
      return frozen(instantLabel(prefix, start), start, start + size);
    }
    const offset = offsets.offsetMs(t);
    const aligned = t - mod(t + offset, size);
    const alignedEnd = aligned + size;
    const start = offsets.offsetMs(aligned) === offset ? aligned : offsets.findChange(aligned, t);
    const end =
      offsets.offsetMs(alignedEnd - 1) === offset ? alignedEnd : offsets.findChange(t, alignedEnd - 1);
    return frozen(instantLabel(prefix, start), start, end);
  }

  private localDays(t: number): number {
    assertInstant(t);
    return Math.floor((t + this.offsetMs(t)) / DAY_MS);
  }

  // Where a fall-back crosses midnight, an instant's local date can be earlier than that of the period
  // that contains it; the `while` loops move such instants to the period whose [start, end) holds them.

  private dayBucket(t: number): Bucket {
    let days = this.localDays(t);
    let b = this.dayByOrdinal(days);
    while (t >= b.end) b = this.dayByOrdinal(++days);
    return b;
  }

  private weekBucket(t: number): Bucket {
    const days = this.localDays(t);
    let monday = days - isoWeekday(days) + 1;
    let b = this.weekByOrdinal(monday);
    while (t >= b.end) {
      monday += 7;
      b = this.weekByOrdinal(monday);
    }
    return b;
  }

  private monthBucket(t: number): Bucket {
    const { year, month } = civilFromDays(this.localDays(t));
    let ordinal = year * 12 + month - 1;
    let b = this.monthByOrdinal(ordinal);
    while (t >= b.end) b = this.monthByOrdinal(++ordinal);
    return b;
  }

  private yearBucket(t: number): Bucket {
    let year = civilFromDays(this.localDays(t)).year;
    let b = this.yearByOrdinal(year);
    while (t >= b.end) b = this.yearByOrdinal(++year);
    return b;
  }

  private dayByOrdinal(days: number): Bucket {
    let b = this.days.get(days);
    if (b === undefined) {
      b = frozen(dayLabel(days), this.wallToInstant(days * DAY_MS), this.wallToInstant((days + 1) * DAY_MS));
      setBounded(this.days, days, b, CALENDAR_CACHE_LIMIT);
    }
    return b;
  }

  private weekByOrdinal(monday: number): Bucket {
    let b = this.weeks.get(monday);
    if (b === undefined) {
      const start = this.wallToInstant(monday * DAY_MS);
      b = frozen(weekLabel(monday), start, this.wallToInstant((monday + 7) * DAY_MS));
      setBounded(this.weeks, monday, b, CALENDAR_CACHE_LIMIT);
    }
    return b;
  }

  /** `ordinal` = year × 12 + month − 1. */
  private monthByOrdinal(ordinal: number): Bucket {
    let b = this.months.get(ordinal);
    if (b === undefined) {
      const year = Math.floor(ordinal / 12);
      const month = ordinal - year * 12 + 1;
      const start = this.wallToInstant(daysFromCivil(year, month, 1) * DAY_MS);
      const end = this.wallToInstant(daysFromCivil(year, month + 1, 1) * DAY_MS); // month 13 = next January
      b = frozen(monthLabel(year, month), start, end);
      setBounded(this.months, ordinal, b, CALENDAR_CACHE_LIMIT);
    }
    return b;
  }

  private yearByOrdinal(year: number): Bucket {
    let b = this.years.get(year);
    if (b === undefined) {
      const start = this.wallToInstant(daysFromCivil(year, 1, 1) * DAY_MS);
      b = frozen(yearLabel(year), start, this.wallToInstant(daysFromCivil(year + 1, 1, 1) * DAY_MS));
      setBounded(this.years, year, b, CALENDAR_CACHE_LIMIT);
    }
    return b;
  }

  private wallToInstant(wall: number): number {
    return this.offsets === undefined ? wall : this.offsets.wallToInstant(wall);
  }

  // ── labels → specs ───────────────────────────────────────────────────────────────────────────────

  private specOfLabel(label: string, spec: GranularitySpec | undefined): GranularitySpec {
    const kind = typeof label === 'string' ? PREFIX_KIND[label.charAt(0)] : undefined;
    if (spec !== undefined) {
      if (kind === spec.kind) return spec;
      throw new DynotallyError(
        'GRANULARITY_INVALID',
        `bucket label ${shownValue(label)} is not a ${spec.id} label: give a label of that granularity, e.g. ${exampleLabel(spec)}`,
        { details: { label: shownDetail(label), granularity: spec.id } },
      );
    }
    if (kind === 'nminute') {
      throw new DynotallyError(
        'GRANULARITY_INVALID',
        `bucket label ${shownValue(label)} is an N-minute label, which does not say N: pass its granularity too, e.g. parseGranularity('15m')`,
        { details: { label: shownDetail(label) } },
      );
    }
    if (kind === undefined) {
      throw new DynotallyError(
        'GRANULARITY_INVALID',
        `bucket label ${shownValue(label)} is malformed: write a label such as ${LABEL_FORMS}`,
        { details: { label: shownDetail(label) } },
      );
    }
    return SPEC[kind];
  }

  private neighbourSpec(b: Bucket, spec: GranularitySpec | undefined): GranularitySpec {
    const s = this.specOfLabel(b.label, spec);
    if (s.kind !== 'all') return s;
    throw new DynotallyError(
      'GRANULARITY_INVALID',
      "the 'all' bucket has no next or previous bucket: enumerate buckets of a finite granularity such as 'day' instead",
      { details: { label: b.label } },
    );
  }
}

/** The first and last local dates of years 0001–9998, as days from 1970, with a day either side for offsets. */
const FIRST_DAY = daysFromCivil(1, 1, 1) - 1;
const LAST_DAY = daysFromCivil(9998, 12, 31) + 1;

/** A shifted date, refused (VALUE_INVALID, as `bucket()` refuses its instants) past years 0001–9998. */
function dayInRange(day: number): number {
  if (day < FIRST_DAY || day > LAST_DAY) assertInstant(day * DAY_MS);
  return day;
}

/** A shifted bucket, refused as `bucket()` refuses its instants when it leaves years 0001–9998. */
function inRange(b: Bucket): Bucket {
  assertInstant(b.start);
  assertInstant(b.end - 1);
  return b;
}

function nminuteSize(spec: GranularitySpec): number {
  const minutes = spec.minutes;
  if (minutes !== undefined && NMINUTE_SIZES.includes(minutes)) return minutes * 60_000;
  throw invalidSpec(spec);
}

function invalidSpec(spec: GranularitySpec): DynotallyError {
  return new DynotallyError(
    'GRANULARITY_INVALID',
    `granularity ${JSON.stringify(spec)} is not valid: create granularities with parseGranularity(), e.g. parseGranularity('15m')`,
    { details: { spec } },
  );
}

function exampleLabel(spec: GranularitySpec): string {
  const t = Date.UTC(2026, 10, 22, 12, 15, 9);
  return spec.kind === 'all' ? "'ALL'" : `'${new ZoneCalendar('UTC').bucket(spec, t).label}'`;
}
