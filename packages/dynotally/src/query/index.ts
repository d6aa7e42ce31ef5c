export type { ClientContext, ReadOptions } from './client-context.ts';
export { type CoverCell, coverWindow, MAX_COVER_CELLS } from './cover.ts';
export { type LiveSnapshot, type LiveSource, mergeLive, noLiveSource } from './live-source.ts';
export type { MeasureValue } from './measure-value.ts';
export { type LatestRead, planLatest } from './plan-latest.ts';
export {
  MAX_SERIES_POINTS,
  planSeries,
  type SeriesPlan,
  type SeriesPointPlan,
  type SeriesSpec,
} from './plan-series.ts';
export { planTop, type TopBucket, type TopPlan, type TopSpec } from './plan-top.ts';
export { type PlanTotalOptions, planTotal, type TotalPlan } from './plan-total.ts';
export type { CoverSummary, MeasureCells, OmittedMeasure, RowSummary } from './plan-window.ts';
export type { LatestOptions } from './prepare-latest.ts';
export { MAX_GROUPS, type TotalOptions } from './prepare-total.ts';
export {
  type AnyRollup,
  createQueryClient,
  type GroupArg,
  type LastOf,
  type MeasureOf,
  type QueryClient,
  type QueryClientOptions,
  type QueryExplainer,
  type RankedValueOf,
  type RollupArg,
  type RollupFor,
  type SelectedValues,
  type ValuesOf,
} from './query-client.ts';
export { estimateRowBytes } from './read-units.ts';
export type { PlannedRow, ReadRequest } from './request-params.ts';
export { resolveWindow } from './resolve-window.ts';
export type {
  Explanation,
  LatestResult,
  LatestValue,
  ReadCost,
  SeriesPoint,
  SeriesResult,
  TopEntry,
  TopResult,
  TotalManyResult,
  TotalResult,
  WindowInfo,
} from './results.ts';
export { type TimeContext, timeContext } from './retention.ts';
export type { CalendarUnit, Instant, ResolvedWindow, Rounding, WindowSpec } from './window-spec.ts';
