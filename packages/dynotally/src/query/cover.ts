import { DynotallyError } from '../errors/index.ts';
import { ALL_BUCKET, type Bucket, type GranularitySpec, granularityOrder } from '../time/index.ts';
import { isRetained, retainedFrom, type TimeContext } from './retention.ts';

/**
 * One bucket of one granularity used to answer a window.
 *
 * @example
 * ```ts
 * const cell: CoverCell = { granularity: parseGranularity('hour'), bucket: cal.bucket(hour, t) };
 * ```
 */
export interface CoverCell {
  readonly granularity: GranularitySpec;
  readonly bucket: Bucket;
}

/**
 * The most buckets one cover may use (a guard against, say, a year of seconds).
 *
 * @example
 * ```ts
 * MAX_COVER_CELLS; // 200_000
 * ```
 */
export const MAX_COVER_CELLS = 200_000;

/**
 * Covers `[from, to)` exactly with buckets of the given granularities that are still kept, preferring
 * coarse buckets: whole coarse buckets in the middle, finer ones only at the edges (e.g. a rolling 24 h at
 * minute precision is 23 whole hours and the minutes of the two partial hours). Granularities need not nest
 * (weeks and months): a coarse choice whose edges cannot be covered is abandoned for a finer one.
 * Returns `undefined` when no exact cover exists; `[ALL]` for the all-time window when `all` is kept.
 *
 * @throws {DynotallyError} `QUERY_INVALID` when the cover would need more than {@link MAX_COVER_CELLS} buckets.
 * @example
 * ```ts
 * const cells = coverWindow(ctx, ['minute', 'hour'].map(parseGranularity), from, to);
 * cells?.length; // e.g. 54 + 23 + 6
 * ```
 */
export function coverWindow(
  ctx: TimeContext,
  granularities: readonly GranularitySpec[],
  from: number,
  to: number,
): CoverCell[] | undefined {
  if (from === Number.NEGATIVE_INFINITY && to === Number.POSITIVE_INFINITY) {
    const all = granularities.find((g) => g.kind === 'all');
    return all === undefined ? undefined : [{ granularity: all, bucket: ALL_BUCKET }];
  }
  if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) return undefined;
  const coarseFirst = granularities
    .filter((g) => g.kind !== 'all')
    .sort((a, b) => granularityOrder(b) - granularityOrder(a));
  if (from === to) return [];
  // cheap necessary condition first: both edges must be kept boundaries of some granularity
  if (!coarseFirst.some((g) => edgeServable(ctx, g, from, 'from'))) return undefined;
  if (!coarseFirst.some((g) => edgeServable(ctx, g, to, 'to'))) return undefined;
  const budget = { left: MAX_COVER_CELLS };
  const fast = cover(ctx, coarseFirst, from, to, budget);
  if (fast !== undefined || nests(coarseFirst)) return fast;
  // Granularities that do not nest (weeks and months): the run-by-run cover takes each granularity's longest run,
  // and a shorter one may be what leaves edges the others can cover (weeks up to the first month that starts on
  // a Monday, then months). Search bucket by bucket instead, bounded by what is left of the budget.
  return searchCover(ctx, coarseFirst, from, to, budget.left);
}

/**
 * True when each granularity's boundaries are boundaries of every finer one (a bucket never straddles a finer
 * bucket's edge): then the longest run of each granularity never blocks a cover that exists. Weeks do not nest
 * in months or years, nor N-minute buckets whose sizes do not divide each other (10m and 15m).
 */
function nests(coarseFirst: readonly GranularitySpec[]): boolean {
  const kinds = new Set(coarseFirst.map((g) => g.kind));
  if (kinds.has('week') && (kinds.has('month') || kinds.has('year'))) return false;
  const sizes = coarseFirst.flatMap((g) =>
    g.kind === 'nminute' && g.minutes !== undefined ? [g.minutes] : [],
  );
  return sizes.every((a) => sizes.every((b) => a % b === 0 || b % a === 0));
}

/**
 * A cover found bucket by bucket from `from`, coarse first, backing out of dead ends (an instant from which `to`
 * cannot be reached is remembered, so none is tried twice). Undefined when there is none, or when finding one
 * would take more than `limit` buckets.
 */
function searchCover(
  ctx: TimeContext,
  coarseFirst: readonly GranularitySpec[],
  from: number,
  to: number,
  limit: number,
): CoverCell[] | undefined {
  const dead = new Set<number>();
  const path: CoverCell[] = [];
  const stack: Array<{ at: number; next: number }> = [{ at: from, next: 0 }];
  let taken = 0;
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { at: number; next: number };
    if (top.at === to) return path;
    const g = coarseFirst[top.next++];
    if (g === undefined) {
      dead.add(top.at);
      stack.pop();
      path.pop();
      continue;
    }
    const b = ctx.calendar.bucket(g, top.at);
    if (b.start !== top.at || b.end > to || dead.has(b.end) || !isRetained(ctx, g, b)) continue;
    if (++taken > limit) return undefined;
    path.push({ granularity: g, bucket: b });
    stack.push({ at: b.end, next: 0 });
  }
  return undefined;
}

function cover(
  ctx: TimeContext,
  grans: readonly GranularitySpec[],
  from: number,
  to: number,
  budget: { left: number },
): CoverCell[] | undefined {
  if (from >= to) return [];
  for (const g of grans) {
    const run = wholeRun(ctx, g, from, to, budget);
    if (run === undefined) continue;
    const left = cover(ctx, grans, from, run.start, budget);
    if (left === undefined) continue;
    const right = cover(ctx, grans, run.end, to, budget);
    if (right === undefined) continue;
    return left.concat(run.cells, right);
  }
  return undefined;
}

/** The kept buckets of `g` lying wholly inside `[from, to)` (always contiguous), or undefined. */
function wholeRun(
  ctx: TimeContext,
  g: GranularitySpec,
  from: number,
  to: number,
  budget: { left: number },
): { start: number; end: number; cells: CoverCell[] } | undefined {
  const lo = Math.max(from, retainedFrom(ctx, g));
  if (lo >= to) return undefined;
  const cal = ctx.calendar;
  let b = cal.bucket(g, lo);
  if (b.start < lo) {
    if (b.end >= to) return undefined;
    b = cal.next(b, g);
  }
  const cells: CoverCell[] = [];
  while (b.end <= to) {
    if (b.end > b.start) {
      if (--budget.left < 0) {
        throw new DynotallyError(
          'QUERY_INVALID',
          `the window needs more than ${MAX_COVER_CELLS} ${g.id} buckets: narrow it, or keep a coarser granularity in the rollup`,
          { details: { granularity: g.id, limit: MAX_COVER_CELLS } },
        );
      }
      cells.push({ granularity: g, bucket: b });
    }
    if (b.end === to) break;
    b = cal.next(b, g);
  }
  if (cells.length === 0) return undefined;
  const first = cells[0] as CoverCell;
  const last = cells[cells.length - 1] as CoverCell;
  return { start: first.bucket.start, end: last.bucket.end, cells };
}

/**
 * True when `t` is a boundary of granularity `g` (a bucket starts there).
 *
 * @example
 * ```ts
 * isBoundary(cal, parseGranularity('hour'), Date.UTC(2026, 10, 22, 13)); // true in UTC
 * ```
 */
export function isBoundary(ctx: TimeContext, g: GranularitySpec, t: number): boolean {
  if (g.kind === 'all') return false;
  return ctx.calendar.bucket(g, t).start === t;
}

/**
 * Whether a window edge can be an edge of a cover at granularity `g`: on a boundary, with the adjacent
 * bucket inside the window still kept.
 *
 * @example
 * ```ts
 * edgeServable(ctx, minute, from, 'from'); // false once minutes 12 days ago have expired
 * ```
 */
export function edgeServable(ctx: TimeContext, g: GranularitySpec, t: number, side: 'from' | 'to'): boolean {
  if (!isBoundary(ctx, g, t)) return false;
  const inside = side === 'from' ? ctx.calendar.bucket(g, t) : ctx.calendar.bucket(g, t - 1);
  return isRetained(ctx, g, inside);
}
