import { DynotallyError } from '../errors/index.ts';
import { type GranularitySpec, granularityOrder } from '../time/index.ts';
import { isBoundary } from './cover.ts';
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
 * The `WINDOW_NOT_SERVABLE` error for a window no kept granularity covers exactly, saying which edge fails
 * and which granularity and retention would serve it. `rolling`: the window is a rolling one, which takes no
 * `round`.
 *
 * @example
 * ```ts
 * throw notServable(ctx, grans, from, to, ['jobs']);
 * ```
 */
export function notServable(
  ctx: TimeContext,
  granularities: readonly GranularitySpec[],
  from: number,
  to: number,
  measures: readonly string[],
  rolling = false,
): DynotallyError {
  const grans = granularities
    .filter((g) => g.kind !== 'all')
    .sort((a, b) => granularityOrder(a) - granularityOrder(b));
  const what = `measure${measures.length === 1 ? '' : 's'} ${measures.map((m) => `'${m}'`).join(', ')}`;
  const kept = grans.map((g) => `${g.id} (kept ${formatRetention(retentionOf(ctx, g))})`).join(', ');
  const base = { measures, from, to, granularities: grans.map((g) => g.id) };
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    return new DynotallyError(
      'WINDOW_NOT_SERVABLE',
      `the all-time window needs the 'all' granularity, which ${what} ${measures.length === 1 ? 'is' : 'are'} not kept at: add 'all' to the rollup's granularities (and the measure's), or ask for a finite window`,
      { details: base },
    );
  }
  if (grans.length === 0) {
    return new DynotallyError(
      'WINDOW_NOT_SERVABLE',
      `${what} ${measures.length === 1 ? 'is' : 'are'} kept only all-time: ask for the 'all' window${measures.length === 1 ? '' : ''} (or latest() for a last() measure), or keep ${measures.length === 1 ? 'it' : 'them'} at finer granularities too`,
      { details: base },
    );
  }
  for (const [side, t] of [
    ['from', from],
    ['to', to],
  ] as const) {
    const iso = new Date(t).toISOString();
    const onBoundary = grans.filter((g) => isBoundary(ctx, g, t));
    if (onBoundary.length === 0) {
      const finest = grans[0];
      // a rolling window takes no `round` and its edges are not the caller's: only another window serves
      const advice = rolling
        ? `a rolling window's edges are rounded to the finest granularity the rollup keeps, not to these: ask for a calendar window instead (calendar: 'day', lastDays: 7, …; --calendar day, --last-days 7 on the command line)`
        : `align it${finest ? ` to ${an(finest.id)} ${finest.id}` : ''}, or pass round: 'outward' (or 'inward', 'nearest'; --round outward on the command line)`;
      return new DynotallyError(
        'WINDOW_NOT_SERVABLE',
        `'${side}' ${iso} is not on a bucket boundary of any granularity ${what} ${measures.length === 1 ? 'is' : 'are'} kept at (${kept}) in ${ctx.calendar.zone}: ${advice}`,
        { details: { ...base, edge: side, finest: finest?.id } },
      );
    }
    const kept2 = onBoundary.filter((g) =>
      isRetained(ctx, g, side === 'from' ? ctx.calendar.bucket(g, t) : ctx.calendar.bucket(g, t - 1)),
    );
    if (kept2.length === 0) {
      const bucketAt = (x: GranularitySpec) =>
        side === 'from' ? ctx.calendar.bucket(x, t) : ctx.calendar.bucket(x, t - 1);
      // a granularity the configured retention would keep, refused because its rows were written under a shorter
      // one (the retention history), is named first: that is what the caller cannot fix with a longer retention
      const history = refusedByHistory(ctx, onBoundary, () => (side === 'from' ? t : t - 1));
      if (history !== undefined) {
        const g = history.granularity.id;
        return new DynotallyError(
          'WINDOW_NOT_SERVABLE',
          `'${side}' ${iso} is on ${an(g)} ${g} boundary, but this ${g} bucket ${historyRefusalText(ctx, history)}: move the edge later, or to a coarser boundary`,
          { details: { ...base, edge: side, ...historyRefusalDetails(history) } },
        );
      }
      const g = onBoundary[0] as GranularitySpec;
      const edgeBucket = bucketAt(g);
      const longer = grans.filter(
        (x) => granularityOrder(x) > granularityOrder(g) && retentionOf(ctx, x) > retentionOf(ctx, g),
      );
      const alt = longer[0];
      return new DynotallyError(
        'WINDOW_NOT_SERVABLE',
        `'${side}' ${iso} is on ${an(g.id)} ${g.id} boundary, but ${g.id} buckets are kept ${formatRetention(retentionOf(ctx, g))} and this one ended ${formatAge(Math.max(0, ctx.now - edgeBucket.end))} ago: keep ${g.id} longer (retention: { ${g.id}: '${neededRetention(ctx, edgeBucket.end)}' })${alt ? `, or move the edge to ${an(alt.id)} ${alt.id} boundary (kept ${formatRetention(retentionOf(ctx, alt))})${rolling ? '' : ", or pass round: 'outward' (--round outward on the command line)"}` : ''}`,
        {
          details: {
            ...base,
            edge: side,
            granularity: g.id,
            retention: formatRetention(retentionOf(ctx, g)),
            needed: neededRetention(ctx, edgeBucket.end),
            alternative: alt?.id,
          },
        },
      );
    }
  }
  return new DynotallyError(
    'WINDOW_NOT_SERVABLE',
    `no combination of the buckets ${what} ${measures.length === 1 ? 'is' : 'are'} kept at (${kept}) covers [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) exactly (weeks and months do not nest): keep 'day' too, or align the window to one granularity`,
    { details: base },
  );
}

function an(id: string): string {
  return id === 'hour' ? 'an' : 'a';
}
