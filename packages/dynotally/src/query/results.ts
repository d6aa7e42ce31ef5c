import type { GroupValue, LastValue } from '../definition/index.ts';
import type { MeasureValue } from './measure-value.ts';
import type { CoverSummary, OmittedMeasure, RowSummary } from './plan-window.ts';
import type { PlannedRow, ReadRequest } from './request-params.ts';
import type { ResolvedWindow } from './window-spec.ts';

/**
 * A resolved window as returned: epoch ms edges, the same edges as ISO local time in the rollup's zone
 * (`null` for the all-time window's infinite edges), and how it was derived.
 *
 * @example
 * ```ts
 * result.window.fromIso; // '2026-11-21T13:06:00+00:00'
 * ```
 */
export interface WindowInfo extends ResolvedWindow {
  readonly zone: string;
  readonly fromIso: string | null;
  readonly toIso: string | null;
}

/**
 * What a call read: requests sent (every page and retry), items returned and read units consumed, as
 * DynamoDB reported them.
 *
 * @example
 * ```ts
 * const { requests, itemsRead, readUnits } = await query.total(jobs, { customerId: 'c-1' }, { last: '24h' });
 * ```
 */
export interface ReadCost {
  readonly requests: number;
  readonly itemsRead: number;
  readonly readUnits: number;
}

/**
 * The measures over one window for one group.
 *
 * @example
 * ```ts
 * const r: TotalResult<{ readonly jobs: number }> = await query.total(jobs, { customerId: 'c-1' }, { last: '24h' });
 * r.values.jobs; // 1234
 * ```
 */
export interface TotalResult<V = Readonly<Record<string, MeasureValue>>> extends ReadCost {
  /** One value per measure (by name, typed from the rollup); a measure named in `omitted` is `null`. */
  readonly values: V;
  readonly window: WindowInfo;
  /** Buckets used per granularity (coarse in the middle, fine at the edges). */
  readonly computedFrom: readonly CoverSummary[];
  /** Rows read per row kind. */
  readonly rows: readonly RowSummary[];
  /** Measures left out because no kept granularity answers the window exactly (only when none were listed). */
  readonly omitted: readonly OmittedMeasure[];
  /** Row attributes to which live (not yet flushed) deltas were added. */
  readonly liveAttributes: number;
}

/**
 * The totals of many groups over one window, read together.
 *
 * @example
 * ```ts
 * const r = await query.totalMany(jobs, [{ customerId: 'a' }, { customerId: 'b' }], { last: '24h' });
 * r.results[1].values.jobs;
 * ```
 */
export interface TotalManyResult<G, V = Readonly<Record<string, MeasureValue>>> extends ReadCost {
  readonly results: ReadonlyArray<{ readonly group: G; readonly values: V }>;
  readonly window: WindowInfo;
  readonly computedFrom: readonly CoverSummary[];
  /** Rows read per row kind, for each group. */
  readonly rows: readonly RowSummary[];
  readonly omitted: readonly OmittedMeasure[];
  /** Row attributes to which live (not yet flushed) deltas were added. */
  readonly liveAttributes: number;
}

/**
 * One point of a series: a bucket of the series' granularity in the rollup's zone.
 *
 * @example
 * ```ts
 * // { start: 1795305600000, end: 1795392000000, iso: '2026-11-22T00:00:00+00:00', label: 'D2026-11-22', values: { orders: 3 } }
 * ```
 */
export interface SeriesPoint<V = Readonly<Record<string, MeasureValue>>> {
  readonly start: number;
  readonly end: number;
  /** The bucket start as ISO local time with offset, in the rollup's zone. */
  readonly iso: string;
  readonly label: string;
  /** Gaps are `0` for count and sum, `null` for min, max and last. */
  readonly values: V;
}

/**
 * A series: one point per bucket, gaps filled.
 *
 * @example
 * ```ts
 * const s = await query.series(storeMetrics, { storeId: 's-1' }, { granularity: 'day', window: { lastDays: 30 } });
 * s.points.length; // 30
 * ```
 */
export interface SeriesResult<V = Readonly<Record<string, MeasureValue>>> extends ReadCost {
  readonly granularity: string;
  readonly points: ReadonlyArray<SeriesPoint<V>>;
  readonly window: WindowInfo;
  readonly computedFrom: readonly CoverSummary[];
  readonly rows: readonly RowSummary[];
  readonly omitted: readonly OmittedMeasure[];
  /** Row attributes to which live (not yet flushed) deltas were added. */
  readonly liveAttributes: number;
}

/**
 * One leaderboard entry.
 *
 * @example
 * ```ts
 * // { rank: 1, group: { restaurantId: 'r-7' }, groupValues: ['r-7'], pk: 'favourites#sr-7', value: 42 }
 * ```
 */
export interface TopEntry<G, V extends number | string = number | string> {
  /** 1-based; ties get consecutive ranks, ordered by `pk`. */
  readonly rank: number;
  /**
   * The group, keyed by the rollup's groupBy attributes or its groupBy function's declared names (`undefined` for
   * a groupBy function without declared names: its names are not in the key).
   */
  readonly group: G | undefined;
  /** The group values in key order (for a groupBy function: in sorted attribute-name order). */
  readonly groupValues: readonly GroupValue[];
  readonly pk: string;
  /** The ranked measure in the bucket (stored plus live): a count's is a `number`, a sum's `number | string`. */
  readonly value: V;
}

/**
 * A leaderboard.
 *
 * @example
 * ```ts
 * const t = await query.top(favourites, { bucket: 'all', limit: 10 });
 * t.entries[0]?.group;
 * ```
 */
export interface TopResult<G, V extends number | string = number | string> extends ReadCost {
  readonly measure: string;
  readonly granularity: string;
  readonly bucket: {
    readonly label: string;
    readonly from: number;
    readonly to: number;
    readonly fromIso: string | null;
    readonly toIso: string | null;
  };
  readonly entries: ReadonlyArray<TopEntry<G, V>>;
  /** Groups whose live deltas were merged. */
  readonly liveGroups: number;
}

/**
 * The latest value of a `last` measure and its event time.
 *
 * @example
 * ```ts
 * // { value: 230, time: 1795439100000, iso: '2026-11-22T13:05:00+00:00', granularity: 'all', bucket: 'ALL' }
 * ```
 */
export interface LatestValue {
  /** What the source attribute held (numbers exact: a decimal string unless a safe integer). */
  readonly value: Exclude<LastValue, null>;
  readonly time: number;
  readonly iso: string | null;
  readonly granularity: string;
  readonly bucket: string;
}

/**
 * The latest values of a group's `last` measures (`null` when it has none yet).
 *
 * @example
 * ```ts
 * const l = await query.latest(energy, { deviceId: 'm-7' });
 * l.values.power?.value;
 * ```
 */
export interface LatestResult<M extends string> extends ReadCost {
  readonly values: Readonly<Partial<Record<M, LatestValue | null>>>;
}

/**
 * What a call would do, without sending anything: the exact requests, the rows and attributes they read,
 * and an upper estimate of their read units.
 *
 * @example
 * ```ts
 * const e = query.explain.total(jobs, { customerId: 'c-1' }, { last: '24h' });
 * e.requests[0].input; // QueryCommandInput
 * ```
 */
export interface Explanation {
  readonly call: 'total' | 'totalMany' | 'series' | 'top' | 'latest';
  readonly window: WindowInfo | undefined;
  readonly computedFrom: readonly CoverSummary[];
  readonly rows: readonly PlannedRow[];
  readonly requests: readonly ReadRequest[];
  /** Upper estimate (every packed attribute present); see `estimateRowBytes`. */
  readonly estimatedReadUnits: number;
  readonly omitted: readonly OmittedMeasure[];
  readonly notes: readonly string[];
}
