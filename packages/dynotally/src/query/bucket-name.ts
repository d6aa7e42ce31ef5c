import type { Bucket, ZoneCalendar } from '../time/index.ts';
import { zonedIso } from './zoned-iso.ts';

/** Label prefixes of buckets that are instant ranges: their labels are UTC wall times (`time/labels.ts`). */
const INSTANT_PREFIXES = new Set(['s', 'm', 'H', 'q']);

/**
 * How a window's description names a bucket: a calendar bucket by its label (`D2026-11-22`, `W2026-W48`,
 * `M2026-11`), which is local already; a minute, N-minute or hour bucket by its start in local time with the
 * zone's offset, since its label is the UTC wall time (`H2026-12-05T23:00` is Paris' midnight).
 *
 * @example
 * ```ts
 * bucketName(calendarFor('Europe/Paris'), hourBucket); // '2026-12-06T00:00+01:00' (label 'H2026-12-05T23:00')
 * bucketName(calendarFor('Europe/Paris'), dayBucket); // 'D2026-12-06'
 * ```
 */
export function bucketName(calendar: ZoneCalendar, bucket: Bucket): string {
  if (!INSTANT_PREFIXES.has(bucket.label.charAt(0))) return bucket.label;
  return bucketStart(calendar, bucket) ?? bucket.label;
}

/**
 * A bucket's start in local time with the zone's offset, whatever its granularity: how an explanation shows the
 * bucket beside its key, since minute and hour keys are UTC wall times (`H2026-12-05T22:15` starts at
 * `2026-12-06T04:00+05:45` in Kathmandu) and calendar keys are local dates. `null` for the all-time bucket.
 *
 * @example
 * ```ts
 * bucketStart(calendarFor('Asia/Kathmandu'), hourBucket); // '2026-12-06T04:00+05:45' (label 'H2026-12-05T22:15')
 * bucketStart(calendarFor('Asia/Kathmandu'), dayBucket); // '2026-12-06T00:00+05:45' (label 'D2026-12-06')
 * ```
 */
export function bucketStart(calendar: ZoneCalendar, bucket: Bucket): string | null {
  const iso = zonedIso(calendar, bucket.start);
  if (iso === null) return null;
  // whole minutes drop their `:00` seconds (a historical offset with seconds keeps them); a second bucket always
  // shows its seconds
  return bucket.label.charAt(0) !== 's' && /^.{16}:00[+-]/.test(iso) ? iso.slice(0, 16) + iso.slice(19) : iso;
}
