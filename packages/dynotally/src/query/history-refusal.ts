import type { Bucket, GranularitySpec } from '../time/index.ts';
import { bucketRetention, formatAge, formatRetention, retentionOf, type TimeContext } from './retention.ts';

/**
 * A bucket the definition's retention would still keep, refused because its rows were written under a shorter
 * retention (the rollup's retention history) and may have been deleted.
 *
 * @example
 * ```ts
 * const why: HistoryRefusal = { granularity: hour, bucket, written: 10 * DAY, kept: 400 * DAY };
 * ```
 */
export interface HistoryRefusal {
  readonly granularity: GranularitySpec;
  readonly bucket: Bucket;
  /** The retention the bucket's rows may have been written under (ms). */
  readonly written: number;
  /** The definition's retention (ms). */
  readonly kept: number;
}

/**
 * Whether the retention history is why a window is refused: the first granularity (in the order given) whose
 * bucket at `at(g)` the definition's retention would still keep, but whose rows were written under a shorter one
 * that has passed. Undefined when the definition's retention alone refuses it (lengthening it is then the way
 * out, as the callers' own messages say).
 *
 * @example
 * ```ts
 * const why = refusedByHistory(ctx, grans, () => from);
 * if (why) throw new DynotallyError('WINDOW_NOT_SERVABLE', `its first ${why.granularity.id} bucket ${historyRefusalText(ctx, why)}`);
 * ```
 */
export function refusedByHistory(
  ctx: TimeContext,
  grans: readonly GranularitySpec[],
  at: (g: GranularitySpec) => number,
): HistoryRefusal | undefined {
  if (ctx.history === undefined) return undefined;
  for (const g of grans) {
    const bucket = ctx.calendar.bucket(g, at(g));
    const kept = retentionOf(ctx, g);
    const written = bucketRetention(ctx, g, bucket.start);
    if (written < kept && ctx.now < bucket.end + kept && !(ctx.now < bucket.end + written))
      return { granularity: g, bucket, written, kept };
  }
  return undefined;
}

/**
 * What a {@link HistoryRefusal} means, as the rest of a sentence about its bucket ("this hour bucket …").
 *
 * @example
 * ```ts
 * `'from' is on an hour boundary, but this hour bucket ${historyRefusalText(ctx, why)}: move the edge later`;
 * ```
 */
export function historyRefusalText(ctx: TimeContext, r: HistoryRefusal): string {
  const g = r.granularity.id;
  const kept = formatRetention(r.kept);
  return `was written while ${g} was kept ${formatRetention(r.written)} (the rollup's retention history), and it ended ${formatAge(Math.max(0, ctx.now - r.bucket.end))} ago: its rows carry that TTL and may be deleted, so it is not read as if kept ${kept}. Only buckets written after every writer kept ${g} ${kept} get the longer retention`;
}

/**
 * The error details of a {@link HistoryRefusal}.
 *
 * @example
 * ```ts
 * historyRefusalDetails(why); // { granularity: 'hour', retention: '400d', writtenUnder: '10d' }
 * ```
 */
export function historyRefusalDetails(r: HistoryRefusal): Record<string, string> {
  return {
    granularity: r.granularity.id,
    retention: formatRetention(r.kept),
    writtenUnder: formatRetention(r.written),
  };
}
