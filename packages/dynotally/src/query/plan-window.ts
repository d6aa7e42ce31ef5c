import type { CompiledMeasure, CompiledRollup } from '../definition/index.ts';
import { type DynotallyError, isDynotallyError } from '../errors/index.ts';
import type { GranularitySpec, ZoneCalendar } from '../time/index.ts';
import { bucketStart } from './bucket-name.ts';
import { type CellLocation, locateCell } from './cell-location.ts';
import { type CoverCell, coverWindow } from './cover.ts';
import { notServable } from './not-servable.ts';
import type { TimeContext } from './retention.ts';
import { type RowRead, type RowRun, rowReads, rowRuns } from './row-reads.ts';

/**
 * The cells that answer one measure over one window.
 *
 * @example
 * ```ts
 * plan.measures[0].cells.map((c) => c.attr); // ['jobs_6', …, 'jobs', …, 'jobs_5']
 * ```
 */
export interface MeasureCells {
  readonly measure: CompiledMeasure;
  readonly cells: readonly CellLocation[];
}

/**
 * How a result was computed: per granularity, how many buckets were used (first and last label, with the start
 * of each in the rollup's time zone), for which measures, and which row kind holds them.
 *
 * @example
 * ```ts
 * // { granularity: 'hour', buckets: 23, first: 'H2026-11-21T14:00', last: 'H2026-11-22T12:00',
 * //   firstStart: '2026-11-21T19:45+05:45', lastStart: '2026-11-22T17:45+05:45', measures: ['jobs'], rowKind: 'hour' }
 * ```
 */
export interface CoverSummary {
  readonly granularity: string;
  readonly buckets: number;
  /** The first bucket's key (label): a UTC wall time for second, minute and hour buckets, else a local date. */
  readonly first: string;
  readonly last: string;
  /**
   * The first bucket's start in the rollup's time zone with its offset (`2026-12-06T04:00+05:45`), `null` for the
   * all-time bucket: what {@link CoverSummary.first} means locally. Absent from summaries made without a zone.
   */
  readonly firstStart?: string | null;
  /** The last bucket's start in the rollup's time zone, as {@link CoverSummary.firstStart}. */
  readonly lastStart?: string | null;
  readonly measures: readonly string[];
  readonly rowKind: string;
}

/**
 * Rows read, per row kind.
 *
 * @example
 * ```ts
 * // { rowKind: 'hour', rows: 25, first: 'H2026-11-21T13:00', last: 'H2026-11-22T13:00' }
 * ```
 */
export interface RowSummary {
  readonly rowKind: string;
  readonly rows: number;
  readonly first: string;
  readonly last: string;
}

/**
 * A measure left out of a result because no kept granularity answers its window exactly.
 *
 * @example
 * ```ts
 * // { measure: 'peak', reason: "'from' … is not on a bucket boundary of any granularity … align it to a day …" }
 * ```
 */
export interface OmittedMeasure {
  readonly measure: string;
  readonly reason: string;
}

/**
 * The granularities measure `m` is kept at.
 *
 * @example
 * ```ts
 * granularitiesOf(c, c.measures[0]).map((g) => g.id); // ['minute', 'hour', 'day']
 * ```
 */
export function granularitiesOf(c: CompiledRollup, m: CompiledMeasure): GranularitySpec[] {
  return c.granularities.filter((g) => m.granularities.has(g.id));
}

/**
 * Measures grouped by the granularities they are kept at (measures of one group share a cover).
 *
 * @example
 * ```ts
 * measureGroups(c, c.measures).length; // 1 when every measure is kept at every granularity
 * ```
 */
export function measureGroups(
  c: CompiledRollup,
  measures: readonly CompiledMeasure[],
): Array<{ granularities: GranularitySpec[]; measures: CompiledMeasure[] }> {
  const groups = new Map<string, { granularities: GranularitySpec[]; measures: CompiledMeasure[] }>();
  for (const m of measures) {
    const grans = granularitiesOf(c, m);
    const key = grans.map((g) => g.id).join(',');
    let g = groups.get(key);
    if (g === undefined) {
      g = { granularities: grans, measures: [] };
      groups.set(key, g);
    }
    g.measures.push(m);
  }
  return [...groups.values()];
}

/**
 * Covers `[from, to)` for every measure: located cells per measure, or the error saying why a group of
 * measures cannot be served (`rolling`: of a rolling window): `WINDOW_NOT_SERVABLE` when no kept granularity
 * covers it, `QUERY_INVALID` when the cover would need more than `MAX_COVER_CELLS` buckets.
 *
 * @example
 * ```ts
 * const { served, failed } = coverMeasures(c, ctx, measures, from, to);
 * ```
 */
export function coverMeasures(
  c: CompiledRollup,
  ctx: TimeContext,
  measures: readonly CompiledMeasure[],
  from: number,
  to: number,
  rolling = false,
): { served: MeasureCells[]; failed: Array<{ measures: CompiledMeasure[]; error: DynotallyError }> } {
  const served: MeasureCells[] = [];
  const failed: Array<{ measures: CompiledMeasure[]; error: DynotallyError }> = [];
  for (const group of measureGroups(c, measures)) {
    let cover: CoverCell[] | undefined;
    try {
      cover = coverWindow(ctx, group.granularities, from, to);
    } catch (e) {
      // over the cover's bucket budget: this group's measures cannot answer the window, like one with no cover
      // (the others still can: a measure kept by the minute alone must not sink a year of day-kept counts)
      if (!isDynotallyError(e, 'QUERY_INVALID')) throw e;
      failed.push({ measures: group.measures, error: e });
      continue;
    }
    if (cover === undefined) {
      failed.push({
        measures: group.measures,
        error: notServable(
          ctx,
          group.granularities,
          from,
          to,
          group.measures.map((m) => m.name),
          rolling,
        ),
      });
      continue;
    }
    for (const m of group.measures) served.push({ measure: m, cells: locate(c, m, cover) });
  }
  served.sort((a, b) => a.measure.index - b.measure.index);
  return { served, failed };
}

function locate(c: CompiledRollup, m: CompiledMeasure, cover: readonly CoverCell[]): CellLocation[] {
  return cover.map((cell) => locateCell(c, m, cell.granularity, cell.bucket));
}

/**
 * Summaries of the cells and rows a plan uses.
 *
 * @example
 * ```ts
 * const { computedFrom, rows, runs } = summarize(cellsOfAllMeasures, rollup.calendar);
 * ```
 */
export function summarize(
  cells: readonly CellLocation[],
  calendar: ZoneCalendar,
): {
  computedFrom: CoverSummary[];
  rows: RowSummary[];
  reads: RowRead[];
  runs: RowRun[];
} {
  const byGran = new Map<
    string,
    { cells: Map<string, CellLocation>; measures: Set<string>; rowKind: string }
  >();
  for (const cell of cells) {
    let s = byGran.get(cell.granularity.id);
    if (s === undefined) {
      s = { cells: new Map(), measures: new Set(), rowKind: cell.kind.row.id };
      byGran.set(cell.granularity.id, s);
    }
    s.cells.set(cell.bucket.label, cell);
    s.measures.add(cell.measure.name);
  }
  const computedFrom: CoverSummary[] = [...byGran.entries()].map(([granularity, s]) => {
    const sorted = [...s.cells.values()].sort((a, b) => a.bucket.start - b.bucket.start || 0);
    const first = sorted[0]?.bucket;
    const last = sorted[sorted.length - 1]?.bucket;
    return {
      granularity,
      buckets: sorted.length,
      first: first?.label ?? '',
      last: last?.label ?? '',
      firstStart: first === undefined ? null : bucketStart(calendar, first),
      lastStart: last === undefined ? null : bucketStart(calendar, last),
      measures: [...s.measures],
      rowKind: s.rowKind,
    };
  });
  const reads = rowReads(cells);
  const runs = rowRuns(reads);
  const perKind = new Map<string, RowRead[]>();
  for (const r of reads) {
    const list = perKind.get(r.kind.row.id) ?? [];
    list.push(r);
    perKind.set(r.kind.row.id, list);
  }
  const rows: RowSummary[] = [...perKind.entries()].map(([rowKind, list]) => ({
    rowKind,
    rows: list.length,
    first: list[0]?.bucket.label ?? '',
    last: list[list.length - 1]?.bucket.label ?? '',
  }));
  return { computedFrom, rows, reads, runs };
}
