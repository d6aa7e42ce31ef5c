// Test-only: an independent reference built on @js-temporal/polyfill. Never imported by src.
import { Temporal } from '@js-temporal/polyfill';

/** A bucket as the reference computes it. */
export interface RefBucket {
  label: string;
  start: number;
  end: number;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** The zoned date-time of epoch ms `t` in `zone`. */
export function zoned(zone: string, t: number): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone);
}

/** UTC offset of `zone` at `t`, in ms. */
export function refOffsetMs(zone: string, t: number): number {
  return zoned(zone, t).offsetNanoseconds / 1e6;
}

function startOf(zone: string, date: Temporal.PlainDate): number {
  return date.toZonedDateTime(zone).epochMilliseconds; // no time given: Temporal's start of day
}

/** Day / ISO week / month / year bucket of `t` from Temporal's calendar arithmetic. */
export function refCalendarBucket(
  zone: string,
  kind: 'day' | 'week' | 'month' | 'year',
  t: number,
): RefBucket {
  const zdt = zoned(zone, t);
  const date = zdt.toPlainDate();
  let first: Temporal.PlainDate;
  let next: Temporal.PlainDate;
  let label: string;
  switch (kind) {
    case 'day':
      first = date;
      next = date.add({ days: 1 });
      label = `D${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
      break;
    case 'week':
      first = date.subtract({ days: date.dayOfWeek - 1 });
      next = first.add({ days: 7 });
      label = `W${pad(zdt.yearOfWeek!, 4)}-W${pad(zdt.weekOfYear!, 2)}`;
      break;
    case 'month':
      first = date.with({ day: 1 });
      next = first.add({ months: 1 });
      label = `M${pad(date.year, 4)}-${pad(date.month, 2)}`;
      break;
    case 'year':
      first = date.with({ month: 1, day: 1 });
      next = first.add({ years: 1 });
      label = `Y${pad(date.year, 4)}`;
      break;
  }
  const bucket = { label, start: startOf(zone, first), end: startOf(zone, next) };
  // A fall-back across midnight makes the local date run backwards (America/Goose_Bay 2010-11-07 00:01 →
  // 2010-11-06 23:01; Antarctica/Casey 2010-03-05 02:00 → 03-04 23:00): those instants lie past the end
  // of the period their local date names. Periods partition time as [start of P, start of P + 1), so the
  // period that contains them is the next one.
  if (t >= bucket.end) return refCalendarBucket(zone, kind, bucket.end);
  return bucket;
}

/**
 * Local-wall-clock-aligned bucket of `sizeMs` (hour, N minutes), cut at the zone's offset transitions as
 * Temporal reports them (`getTimeZoneTransition`).
 */
export function refWallBucket(zone: string, prefix: 'H' | 'q', sizeMs: number, t: number): RefBucket {
  const offset = refOffsetMs(zone, t);
  const local = t + offset;
  const aligned = t - (((local % sizeMs) + sizeMs) % sizeMs);
  let start = aligned;
  let end = aligned + sizeMs;
  let transition = zoned(zone, aligned).getTimeZoneTransition('next');
  while (transition !== null && transition.epochMilliseconds <= t) {
    start = transition.epochMilliseconds;
    transition = transition.getTimeZoneTransition('next');
  }
  if (transition !== null && transition.epochMilliseconds < end) end = transition.epochMilliseconds;
  const iso = new Date(start).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const seconds = iso.slice(17, 19);
  return { label: prefix + iso.slice(0, 16) + (seconds === '00' ? '' : `:${seconds}`), start, end };
}

/**
 * `refWallBucket` without Temporal's transition search (`getTimeZoneTransition` walks forward in steps until
 * it meets a change, which costs milliseconds per call far from one): Temporal's offsets at the bucket's ends
 * are compared with the offset at `t`, and a change between them is found by bisection to the millisecond.
 * Equal to `refWallBucket` when each side of `t` inside the bucket holds at most one offset change (tzdb's
 * changes are days apart; a bucket is at most an hour).
 */
export function refWallBucketByOffsets(
  zone: string,
  prefix: 'H' | 'q',
  sizeMs: number,
  t: number,
): RefBucket {
  const offset = refOffsetMs(zone, t);
  const local = t + offset;
  const aligned = t - (((local % sizeMs) + sizeMs) % sizeMs);
  const start = refOffsetMs(zone, aligned) === offset ? aligned : firstWithOffset(zone, aligned, t, offset);
  const last = aligned + sizeMs - 1;
  const end = refOffsetMs(zone, last) === offset ? last + 1 : firstOtherThan(zone, t, last, offset);
  const iso = new Date(start).toISOString();
  const seconds = iso.slice(17, 19);
  return { label: prefix + iso.slice(0, 16) + (seconds === '00' ? '' : `:${seconds}`), start, end };
}

/** The first instant in `(a, b]` whose offset is `offset` (the offset at `a` differs, at `b` it is `offset`). */
function firstWithOffset(zone: string, a: number, b: number, offset: number): number {
  let lo = a;
  let hi = b;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (refOffsetMs(zone, mid) === offset) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The first instant in `(a, b]` whose offset is not `offset` (the offset at `a` is `offset`, at `b` not). */
function firstOtherThan(zone: string, a: number, b: number, offset: number): number {
  let lo = a;
  let hi = b;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (refOffsetMs(zone, mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** UTC-aligned second / minute bucket. */
export function refUtcBucket(kind: 'second' | 'minute', t: number): RefBucket {
  const size = kind === 'second' ? 1000 : 60_000;
  const start = Math.floor(t / size) * size;
  const iso = new Date(start).toISOString();
  return {
    label: kind === 'second' ? `s${iso.slice(0, 19)}` : `m${iso.slice(0, 16)}`,
    start,
    end: start + size,
  };
}

/** Local wall-clock fields (ISO weekday). */
export function refLocalParts(zone: string, t: number) {
  const z = zoned(zone, t);
  return {
    year: z.year,
    month: z.month,
    day: z.day,
    hour: z.hour,
    minute: z.minute,
    second: z.second,
    millisecond: z.millisecond,
    weekday: z.dayOfWeek,
  };
}

/** Start of a local date, Temporal's way. */
export function refStartOfDay(zone: string, year: number, month: number, day: number): number {
  return startOf(zone, Temporal.PlainDate.from({ year, month, day }));
}

/** Hours in the local day containing `t` (fractional for 30-minute shifts). */
export function refHoursInDay(zone: string, t: number): number {
  return zoned(zone, t).hoursInDay;
}

/** Every offset transition of `zone` in `[from, to)`, in ms. */
export function refTransitions(zone: string, from: number, to: number): number[] {
  const out: number[] = [];
  let tr = zoned(zone, from - 1).getTimeZoneTransition('next');
  while (tr !== null && tr.epochMilliseconds < to) {
    out.push(tr.epochMilliseconds);
    tr = tr.getTimeZoneTransition('next');
  }
  return out;
}
