import type { GranularitySpec } from '../time/index.ts';
import { bucketRetention, formatAge, formatRetention, retentionOf, type TimeContext } from './retention.ts';

/**
 * Why a window no granularity serves is refused when the rollup's retention history is the reason: the first
 * granularity (fine → coarse) whose bucket at `from(g)` (the window's `edge` bucket) the definition's retention would still keep, but whose
 * rows were written under a shorter retention (and may be deleted). Undefined when the definition's retention
 * alone refuses the window (lengthening it is then the way out, as the callers' messages say).
 *
 * @example
 * ```ts
 * const why = refusedByHistory(ctx, grans, (g) => ctx.calendar.bucket(g, from).start);
 * if (why) throw new DynotallyError('WINDOW_NOT_SERVABLE', `… ${why.message}`);
 * ```
 */
export function refusedByHistory(
  ctx: TimeContext,
  grans: readonly GranularitySpec[],
  from: (g: GranularitySpec) => number,
  edge: 'first' | 'last' = 'first',
): { granularity: string; message: string; writtenUnder: string; retention: string } | undefined {
  if (ctx.history === undefined) return undefined;
  for (const g of grans) {
    const b = ctx.calendar.bucket(g, from(g));
    const kept = retentionOf(ctx, g);
    const written = bucketRetention(ctx, g, b.start);
    if (!(ctx.now < b.end + kept) || written >= kept || ctx.now < b.end + written) continue;
    const keptText = formatRetention(kept);
    const writtenText = formatRetention(written);
    return {
      granularity: g.id,
      retention: keptText,
      writtenUnder: writtenText,
      message: `its ${edge} ${g.id} bucket was written while ${g.id} was kept ${writtenText} (the rollup's retention history) and ended ${formatAge(Math.max(0, ctx.now - b.end))} ago: its rows carry that TTL and may be deleted, so it is not read as if kept ${keptText}. Only buckets written after every writer kept ${g.id} ${keptText} get the longer retention: start the window later (keeping ${g.id} longer changes nothing for rows already written)`,
    };
  }
  return undefined;
}
