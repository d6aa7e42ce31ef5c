/**
 * A time bucket: the half-open interval `[start, end)` of epoch milliseconds and its label (the sort key
 * dynotally stores). Labels of one granularity sort as strings in time order. The `all` bucket is
 * `[-Infinity, Infinity)` with label `ALL`. Buckets returned by `ZoneCalendar` are frozen and shared.
 *
 * @example
 * ```ts
 * const b: Bucket = calendarFor('UTC').bucket(parseGranularity('day'), Date.UTC(2026, 10, 22, 13));
 * // { label: 'D2026-11-22', start: 1795305600000, end: 1795392000000 }
 * ```
 */
export interface Bucket {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The single all-time bucket.
 *
 * @example
 * ```ts
 * ALL_BUCKET.start; // -Infinity
 * ```
 */
export const ALL_BUCKET: Bucket = Object.freeze({
  label: 'ALL',
  start: Number.NEGATIVE_INFINITY,
  end: Number.POSITIVE_INFINITY,
});

/**
 * A bucket that contains no instant (its bounds are NaN); the initial value of the per-kind
 * "last bucket" fast path.
 *
 * @example
 * ```ts
 * const t = Date.now();
 * t >= NO_BUCKET.start && t < NO_BUCKET.end; // false
 * ```
 */
export const NO_BUCKET: Bucket = Object.freeze({ label: '', start: Number.NaN, end: Number.NaN });
