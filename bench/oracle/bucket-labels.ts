import { Temporal } from '@js-temporal/polyfill';

/** The six benchmark bucket labels of one instant. */
export interface BucketLabels {
  minute: string;
  hour: string;
  day: string;
  month: string;
  year: string;
  all: 'ALL';
}

/**
 * Returns a function from epoch ms to the instant's bucket labels in `timeZone`, computed with the
 * Temporal polyfill alone (independent of dynotally's own time code). Results are cached: the
 * minute label per UTC minute, the zone's hour, day, month and year per UTC quarter-hour, since every
 * zone in use today has offsets and transitions on quarter-hour boundaries.
 *
 * Minute and hour labels are the UTC wall time of the bucket's start (the hour is the zone's hour,
 * which for Europe/London is always a whole UTC hour); day, month and year follow the zone's calendar.
 *
 * @example
 * ```ts
 * const labels = bucketLabeler('Europe/London');
 * labels(Date.UTC(2026, 9, 25, 0, 30)).day; // 'D2026-10-25' (01:30 BST)
 * ```
 */
export function bucketLabeler(timeZone: string): (epochMs: number) => BucketLabels {
  const byMinute = new Map<number, BucketLabels>();
  const byQuarter = new Map<number, Omit<BucketLabels, 'minute'>>();
  return (epochMs) => {
    const minuteStart = Math.floor(epochMs / 60_000) * 60_000;
    let labels = byMinute.get(minuteStart);
    if (labels === undefined) {
      const quarterStart = Math.floor(epochMs / 900_000) * 900_000;
      let coarse = byQuarter.get(quarterStart);
      if (coarse === undefined) {
        coarse = zoneLabels(quarterStart, timeZone);
        byQuarter.set(quarterStart, coarse);
      }
      const minute = `m${utcWallMinute(Temporal.Instant.fromEpochMilliseconds(minuteStart))}`;
      labels = { minute, ...coarse };
      byMinute.set(minuteStart, labels);
    }
    return labels;
  };
}

function zoneLabels(epochMs: number, timeZone: string): Omit<BucketLabels, 'minute'> {
  const zoned = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone);
  const hourStart = zoned.round({ smallestUnit: 'hour', roundingMode: 'floor' }).toInstant();
  const date = zoned.toPlainDate();
  return {
    hour: `H${utcWallMinute(hourStart)}`,
    day: `D${date.toString()}`,
    month: `M${date.toPlainYearMonth().toString()}`,
    year: `Y${String(zoned.year).padStart(4, '0')}`,
    all: 'ALL',
  };
}

/** `YYYY-MM-DDTHH:MM` of an instant in UTC. */
function utcWallMinute(instant: Temporal.Instant): string {
  return instant.toZonedDateTimeISO('UTC').toPlainDateTime().toString({ smallestUnit: 'minute' });
}
