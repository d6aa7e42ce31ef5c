import { DateTime } from 'luxon';
import type { BucketLabels } from '../oracle/bucket-labels.ts';

/**
 * Bucket labels of an event time the way a team writes it in its stream Lambda: one Luxon
 * `DateTime` per event, formatted per granularity (no caching). Same label format as the oracle.
 *
 * @example
 * ```ts
 * luxonBucketLabels(Date.UTC(2026, 9, 25, 1, 30), 'Europe/London').hour; // 'H2026-10-25T01:00'
 * ```
 */
export function luxonBucketLabels(epochMs: number, zone: string): BucketLabels {
  const local = DateTime.fromMillis(epochMs, { zone });
  const utc = DateTime.fromMillis(epochMs, { zone: 'utc' });
  return {
    minute: `m${utc.toFormat("yyyy-MM-dd'T'HH:mm")}`,
    hour: `H${local.startOf('hour').toUTC().toFormat("yyyy-MM-dd'T'HH:mm")}`,
    day: `D${local.toFormat('yyyy-MM-dd')}`,
    month: `M${local.toFormat('yyyy-MM')}`,
    year: `Y${local.toFormat('yyyy')}`,
    all: 'ALL',
  };
}
