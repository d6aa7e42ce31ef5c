import type { CompiledRollup } from '../definition/index.ts';
import type { RetentionHistory } from '../retention/index.ts';
import type { CellLocation } from './cell-location.ts';
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
import { selectMeasures } from './validate.ts';
import type { ResolvedWindow, WindowSpec } from './window-spec.ts';

/**
 * The pure plan of a `total`: the window, the cells per measure, and the rows (as runs of consecutive rows)
 * that hold them. No I/O; the same plan is sent by `total` and printed by `explain.total`.
 *
 * @example
 * ```ts
 * const plan = planTotal(jobs.compiled, { last: '24h' }, { now: Date.now() });
 * plan.rows; // [{ rowKind: 'hour', rows: 25, … }]
 * ```
 */
export interface TotalPlan {
  readonly rollup: CompiledRollup;
  readonly window: ResolvedWindow;
  readonly measures: readonly MeasureCells[];
  readonly omitted: readonly OmittedMeasure[];
  readonly computedFrom: readonly CoverSummary[];
  readonly rows: readonly RowSummary[];
  readonly runs: readonly RowRun[];
}

/**
 * Options of {@link planTotal}.
 *
 * @example
 * ```ts
 * const o: PlanTotalOptions = { now: Date.now(), measures: ['orders'] };
 * ```
 */
export interface PlanTotalOptions {
  /** The clock: "now" for rolling and calendar windows and for retention. */
  readonly now: number;
  /**
   * Measures to compute (default: all). Listed measures must all be servable for the window; without a
   * list, measures whose granularities cannot answer the window are left out and named in `omitted`.
   */
  readonly measures?: readonly string[] | undefined;
  /**
   * The rollup's retention history (the query client reads it): a bucket is kept only as long as the shortest
   * retention of the writers that may have written it. Absent: the definition's retention alone.
   */
  readonly history?: RetentionHistory | undefined;
}

/**
 * Plans a total: resolves the window, covers it exactly with the fewest kept buckets (coarse in the
 * middle, fine at the edges), and locates the rows and attributes to read.
 *
 * @throws {DynotallyError} `UNKNOWN_MEASURE`, `QUERY_INVALID`, `DURATION_INVALID`, `WINDOW_NOT_SERVABLE`.
 * @example
 * ```ts
 * const plan = planTotal(storeMetrics.compiled, { lastDays: 30 }, { now: Date.UTC(2026, 10, 22, 12) });
 * plan.runs.length; // 1 (a Query of 2 month rows)
 * ```
 */
export function planTotal(c: CompiledRollup, spec: WindowSpec, options: PlanTotalOptions): TotalPlan {
  const ctx = timeContext(c, options.now, options.history);
  const measures = selectMeasures(c, options.measures);
  const union = [...new Set(measures.flatMap((m) => granularitiesOf(c, m)))];
  const window = resolveWindow(spec, ctx, union);
  const { served, failed } = coverMeasures(
    c,
    ctx,
    measures,
    window.from,
    window.to,
    window.kind === 'rolling',
  );
  const first = failed[0];
  if (first !== undefined && (options.measures !== undefined || served.length === 0)) throw first.error;
  const omitted = failed.flatMap((f) =>
    f.measures.map((m) => ({ measure: m.name, reason: f.error.message })),
  );
  const cells: CellLocation[] = served.flatMap((s) => s.cells);
  const { computedFrom, rows, runs } = summarize(cells, c.calendar);
  return { rollup: c, window, measures: served, omitted, computedFrom, rows, runs };
}
