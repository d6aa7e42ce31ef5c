import type { CompiledMeasure, CompiledRollup, Granularity } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { RetentionHistory } from '../retention/index.ts';
import { type Bucket, type GranularitySpec, granularityOrder, parseGranularity } from '../time/index.ts';
import { bucketName } from './bucket-name.ts';
import type { CellLocation } from './cell-location.ts';
import { MAX_COVER_CELLS } from './cover.ts';
import { toEpochMs } from './instant.ts';
import {
  type CoverSummary,
  coverMeasures,
  granularitiesOf,
  type MeasureCells,
  type OmittedMeasure,
  type RowSummary,
  summarize,
} from './plan-window.ts';
import { resolveWindow } from './resolve-window.ts';
import { timeContext } from './retention.ts';
import type { RowRun } from './row-reads.ts';
import { onlyKeysOf, selectMeasures } from './validate.ts';
import type { Instant, ResolvedWindow, WindowSpec } from './window-spec.ts';

/**
 * The most points one series may have.
 *
 * @example
 * ```ts
 * MAX_SERIES_POINTS; // 10_000
 * ```
 */
export const MAX_SERIES_POINTS = 10_000;

/**
 * What a series asks for: one point per `granularity` bucket overlapping `[from, to)` (or the buckets
 * overlapping a {@link WindowSpec} such as `{ lastDays: 30 }`), in the rollup's zone.
 *
 * @example
 * ```ts
 * const s: SeriesSpec = { granularity: 'day', window: { lastDays: 30 } };
 * const h: SeriesSpec = { granularity: 'hour', from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z' };
 * ```
 */
export type SeriesSpec =
  | { readonly granularity: Granularity; readonly from: Instant; readonly to: Instant }
  | { readonly granularity: Granularity; readonly window: WindowSpec };

/**
 * One point's plan: its bucket and the cells per measure that make it.
 *
 * @example
 * ```ts
 * plan.points[0].bucket.label; // 'D2026-10-24'
 * ```
 */
export interface SeriesPointPlan {
  readonly bucket: Bucket;
  readonly measures: readonly MeasureCells[];
}

/**
 * The pure plan of a `series`.
 *
 * @example
 * ```ts
 * const plan = planSeries(storeMetrics.compiled, { granularity: 'day', window: { lastDays: 30 } }, { now });
 * plan.points.length; // 30
 * ```
 */
export interface SeriesPlan {
  readonly rollup: CompiledRollup;
  readonly granularity: GranularitySpec;
  readonly window: ResolvedWindow;
  readonly measures: readonly CompiledMeasure[];
  readonly points: readonly SeriesPointPlan[];
  readonly omitted: readonly OmittedMeasure[];
  readonly computedFrom: readonly CoverSummary[];
  readonly rows: readonly RowSummary[];
  readonly runs: readonly RowRun[];
}

/**
 * Plans a series: each point is covered like a total of its bucket, so a granularity that is not stored
 * (weeks from days) is summed from finer ones, and all points' rows are read together.
 *
 * @throws {DynotallyError} `QUERY_INVALID` (bad range, too many points, granularity 'all'),
 *   `GRANULARITY_INVALID`, `UNKNOWN_MEASURE`, `WINDOW_NOT_SERVABLE`.
 * @example
 * ```ts
 * planSeries(energy.compiled, { granularity: 'hour', window: { calendar: 'day' } }, { now: Date.now() });
 * ```
 */
export function planSeries(
  c: CompiledRollup,
  spec: SeriesSpec,
  options: {
    readonly now: number;
    readonly measures?: readonly string[] | undefined;
    /** The rollup's retention history (see `PlanTotalOptions.history`). */
    readonly history?: RetentionHistory | undefined;
  },
): SeriesPlan {
  if (spec === null || typeof spec !== 'object') {
    throw new DynotallyError(
      'QUERY_INVALID',
      "a series needs { granularity, from, to } or { granularity, window }, e.g. { granularity: 'day', window: { lastDays: 30 } }",
      { details: { spec } },
    );
  }
  onlyKeysOf(
    spec,
    'window' in spec ? ['granularity', 'window'] : ['granularity', 'from', 'to'],
    'a series spec (one of { granularity, window } or { granularity, from, to })',
  );
  const g = parseGranularity(spec.granularity);
  if (g.kind === 'all') {
    throw new DynotallyError(
      'QUERY_INVALID',
      "a series of granularity 'all' has one point: use total(rollup, group, 'all') instead",
      { details: { granularity: 'all' } },
    );
  }
  const ctx = timeContext(c, options.now, options.history);
  const measures = selectMeasures(c, options.measures);
  const union = [...new Set(measures.flatMap((m) => granularitiesOf(c, m)))];
  let from: number;
  let to: number;
  let requested: ResolvedWindow | undefined;
  if ('window' in spec) {
    requested = resolveWindow(spec.window, ctx, union);
    if (requested.kind === 'all') {
      throw new DynotallyError('QUERY_INVALID', "a series needs a finite window, not 'all'", {
        details: { window: 'all' },
      });
    }
    from = requested.from;
    to = requested.to;
  } else {
    from = toEpochMs(spec.from, 'from');
    to = toEpochMs(spec.to, 'to');
    if (from >= to) {
      throw new DynotallyError(
        'QUERY_INVALID',
        `'from' (${new Date(from).toISOString()}) must be before 'to' (${new Date(to).toISOString()}): a series covers [from, to)`,
        { details: { from, to } },
      );
    }
  }
  const buckets: Bucket[] = [];
  let b = ctx.calendar.bucket(g, from);
  while (b.start < to) {
    if (buckets.length >= MAX_SERIES_POINTS) {
      throw new DynotallyError(
        'QUERY_INVALID',
        `the series has more than ${MAX_SERIES_POINTS} ${g.id} points: narrow the range or use a coarser granularity`,
        { details: { granularity: g.id, limit: MAX_SERIES_POINTS } },
      );
    }
    if (b.end > b.start) buckets.push(b);
    b = ctx.calendar.next(b, g);
  }
  const first = buckets[0] as Bucket;
  const last = buckets[buckets.length - 1] as Bucket;
  const window: ResolvedWindow = {
    kind: requested?.kind ?? 'explicit',
    from: first.start,
    to: last.end,
    rounded: first.start !== from || last.end !== to || (requested?.rounded ?? false),
    precision: g.id,
    requested: requested?.requested ?? { from, to },
    description: `${g.id} buckets ${bucketName(ctx.calendar, first)} … ${bucketName(ctx.calendar, last)} (${ctx.calendar.zone})`,
  };

  const points = buckets.map((bucket) => ({ bucket, served: [] as MeasureCells[] }));
  const omittedNames = new Map<string, string>();
  // each measure's cells over all points share the bound a total has (each point's cover has its own too); a
  // measure past it is left out like one no kept granularity answers, unless it was asked for by name
  const used = new Map<string, number>();
  let overBudget: DynotallyError | undefined;
  for (const point of points) {
    const pending = measures.filter((m) => !omittedNames.has(m.name));
    if (pending.length === 0) break;
    const { served, failed } = coverMeasures(c, ctx, pending, point.bucket.start, point.bucket.end);
    const firstFailure = failed[0];
    if (firstFailure !== undefined && options.measures !== undefined)
      throw seriesFailure(c, g, firstFailure.measures, firstFailure.error);
    for (const f of failed)
      for (const m of f.measures) omittedNames.set(m.name, seriesFailure(c, g, [m], f.error).message);
    for (const s of served) {
      const n = (used.get(s.measure.name) ?? 0) + s.cells.length;
      used.set(s.measure.name, n);
      if (n <= MAX_COVER_CELLS) continue;
      overBudget ??= new DynotallyError(
        'QUERY_INVALID',
        `the series needs more than ${MAX_COVER_CELLS} buckets in all (${buckets.length} ${g.id} points): narrow the range, use a coarser granularity, or keep a coarser granularity in the rollup`,
        { details: { granularity: g.id, points: buckets.length, limit: MAX_COVER_CELLS } },
      );
      if (options.measures !== undefined) throw overBudget;
      omittedNames.set(s.measure.name, overBudget.message);
    }
    point.served = served;
  }
  const kept = measures.filter((m) => !omittedNames.has(m.name));
  if (kept.length === 0) {
    const firstPoint = points.find((p) => p.served.length === 0) ?? points[0];
    const { failed } = coverMeasures(
      c,
      ctx,
      measures,
      firstPoint?.bucket.start ?? from,
      firstPoint?.bucket.end ?? to,
    );
    if (failed[0] !== undefined) throw seriesFailure(c, g, failed[0].measures, failed[0].error);
    if (overBudget !== undefined) throw overBudget;
  }
  const planned: SeriesPointPlan[] = points.map((p) => ({
    bucket: p.bucket,
    measures: p.served.filter((s) => !omittedNames.has(s.measure.name)),
  }));
  const cells: CellLocation[] = planned.flatMap((p) => p.measures.flatMap((s) => s.cells));
  const { computedFrom, rows, runs } = summarize(cells, c.calendar);
  return {
    rollup: c,
    granularity: g,
    window,
    measures: kept,
    points: planned,
    omitted: [...omittedNames.entries()].map(([measure, reason]) => ({ measure, reason })),
    computedFrom,
    rows,
    runs,
  };
}

/**
 * Why `measures` answer no point of a series by `g`: when every granularity they are kept at (but all time) is
 * coarser than `g`, each point is a bucket shorter than any kept one, so none is covered; that is said, instead of
 * `error`, the first point's edge ("'to' … is not on a bucket boundary … pass round"), which names an edge the
 * caller never gave and a round that does not help. Otherwise `error` as it is.
 */
function seriesFailure(
  c: CompiledRollup,
  g: GranularitySpec,
  measures: readonly CompiledMeasure[],
  error: DynotallyError,
): DynotallyError {
  const keptOf = (m: CompiledMeasure) => granularitiesOf(c, m).filter((x) => x.kind !== 'all');
  const coarser = (m: CompiledMeasure) => {
    const kept = keptOf(m);
    return kept.length > 0 && kept.every((x) => granularityOrder(x) > granularityOrder(g));
  };
  if (measures.length === 0 || !measures.every(coarser)) return error;
  const kept = [...new Map(measures.flatMap(keptOf).map((x) => [x.id, x])).values()].sort(
    (a, b) => granularityOrder(a) - granularityOrder(b),
  );
  const names = measures.map((m) => m.name);
  const what = `measure${names.length === 1 ? '' : 's'} ${names.map((n) => `'${n}'`).join(', ')}`;
  return new DynotallyError(
    'WINDOW_NOT_SERVABLE',
    `a series by ${g.id} has ${g.id} points, and ${what} ${names.length === 1 ? 'is' : 'are'} kept only by ${kept.map((x) => x.id).join(', ')}, whose buckets are longer: ask for a series by ${kept[0]?.id} or coarser, or keep ${names.length === 1 ? 'it' : 'them'} by ${g.id} too`,
    { details: { measures: names, granularity: g.id, kept: kept.map((x) => x.id) } },
  );
}
