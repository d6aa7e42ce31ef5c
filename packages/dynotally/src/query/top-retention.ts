import { DynotallyError } from '../errors/index.ts';
import type { Bucket, GranularitySpec } from '../time/index.ts';
import { historyRefusalDetails, historyRefusalText, refusedByHistory } from './history-refusal.ts';
import {
  formatAge,
  formatRetention,
  isRetained,
  neededRetention,
  retentionOf,
  type TimeContext,
} from './retention.ts';

/**
 * The `WINDOW_NOT_SERVABLE` error for a leaderboard bucket past its retention, or undefined while it is kept. A
 * ranked row carries its granularity's TTL like any row, so the index entries of such a bucket are being deleted:
 * ranking what is left would be a partial leaderboard passed off as whole. The bucket's retention is the
 * definition's, shortened by the rollup's retention history (rows written while a writer kept the granularity
 * for a shorter time carry that writer's TTL), as for totals and series.
 *
 * @example
 * ```ts
 * const refusal = topBucketRefusal(timeContext(c, Date.now(), history), plan.granularity, plan.bucket, c.name);
 * if (refusal !== undefined) throw refusal;
 * ```
 */
export function topBucketRefusal(
  ctx: TimeContext,
  g: GranularitySpec,
  bucket: Bucket,
  rollup: string,
): DynotallyError | undefined {
  if (g.kind === 'all' || isRetained(ctx, g, bucket)) return undefined;
  const base = { rollup, bucket: bucket.label, granularity: g.id };
  const history = refusedByHistory(ctx, [g], () => bucket.start);
  if (history !== undefined)
    return new DynotallyError(
      'WINDOW_NOT_SERVABLE',
      `top: the ${g.id} bucket ${bucket.label} of rollup '${rollup}' ${historyRefusalText(ctx, history)}; its leaderboard would be partial: ask for a later bucket`,
      { details: { ...base, ...historyRefusalDetails(history) } },
    );
  const kept = retentionOf(ctx, g);
  return new DynotallyError(
    'WINDOW_NOT_SERVABLE',
    `top: the ${g.id} bucket ${bucket.label} of rollup '${rollup}' ended ${formatAge(ctx.now - bucket.end)} ago, past ${g.id}'s retention (${formatRetention(kept)}): its leaderboard entries expired and DynamoDB's TTL deletes them, so a ranking of what is left would be partial. Ask for a later bucket, or keep ${g.id} longer (retention: { ${g.id}: '${neededRetention(ctx, bucket.end)}' }; buckets already expired do not come back)`,
    { details: { ...base, retention: formatRetention(kept) } },
  );
}
