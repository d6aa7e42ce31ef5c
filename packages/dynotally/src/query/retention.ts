import type { CompiledRollup } from '../definition/index.ts';
import { liveUntil, type RetentionHistory, retentionAt } from '../retention/index.ts';
import type { Bucket, GranularitySpec, ZoneCalendar } from '../time/index.ts';

const DAY_MS = 86_400_000;

/**
 * The time facts the planner needs about one rollup: its calendar, the query's "now", how long each
 * granularity is kept, and the retentions its rows were written under (`history`, read from the rollup's
 * retention history item; absent for rollups written before that item existed: the definition's retention
 * alone then decides).
 *
 * @example
 * ```ts
 * const ctx: TimeContext = { calendar: c.calendar, now: Date.now(), retentionMs: c.retentionMs };
 * ```
 */
export interface TimeContext {
  readonly calendar: ZoneCalendar;
  readonly now: number;
  readonly retentionMs: ReadonlyMap<string, number>;
  readonly history?: RetentionHistory | undefined;
}

/**
 * The time context of a rollup at `now`, with its retention history when one was read.
 *
 * @example
 * ```ts
 * const ctx = timeContext(storeMetrics.compiled, Date.now());
 * ```
 */
export function timeContext(c: CompiledRollup, now: number, history?: RetentionHistory): TimeContext {
  return { calendar: c.calendar, now, retentionMs: c.retentionMs, history };
}

/**
 * How long granularity `g` is kept after its buckets end (Infinity = forever).
 *
 * @example
 * ```ts
 * retentionOf(ctx, parseGranularity('minute')); // 691_200_000 (8 days)
 * ```
 */
export function retentionOf(ctx: TimeContext, g: GranularitySpec): number {
  return ctx.retentionMs.get(g.id) ?? Number.POSITIVE_INFINITY;
}

/**
 * How long the bucket of `g` starting at `start` is kept: the definition's retention, shortened to the
 * retention of any writer the history says may have written it (its rows carry that writer's TTL).
 *
 * @example
 * ```ts
 * bucketRetention(ctx, hour, bucket.start); // 10 days for an hour a 10-day writer was live at
 * ```
 */
export function bucketRetention(ctx: TimeContext, g: GranularitySpec, start: number): number {
  return retentionAt(retentionOf(ctx, g), ctx.history?.get(g.id), start);
}

/**
 * True while a bucket of `g` is still kept: the fold stops writing a row once `end + retention ≤ now`, and
 * DynamoDB's TTL deletes it after that. The retention is the bucket's own ({@link bucketRetention}).
 *
 * @example
 * ```ts
 * isRetained(ctx, minute, ctx.calendar.bucket(minute, Date.now() - 86_400_000)); // true
 * ```
 */
export function isRetained(ctx: TimeContext, g: GranularitySpec, b: Bucket): boolean {
  if (g.kind === 'all') return true;
  return b.end + bucketRetention(ctx, g, b.start) > ctx.now;
}

/**
 * The first instant from which buckets of `g` are still kept (`-Infinity` when kept forever).
 *
 * @example
 * ```ts
 * retainedFrom(ctx, minute); // start of the minute bucket 8 days ago
 * ```
 */
export function retainedFrom(ctx: TimeContext, g: GranularitySpec): number {
  const keep = retentionOf(ctx, g);
  if (g.kind === 'all') return Number.NEGATIVE_INFINITY;
  const entries = ctx.history?.get(g.id) ?? [];
  if (entries.every((e) => e.retentionMs >= keep)) {
    if (keep === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
    // the first bucket with end > now − keep is the one holding now − keep
    return ctx.calendar.bucket(g, ctx.now - keep).start;
  }
  // The bucket retention only grows with the bucket's start (fewer writers may have written later buckets),
  // so the kept buckets are still the ones from some bucket on. Walk the pieces where it is constant, earliest
  // first: the first piece holding a kept bucket holds the first one.
  const edges = [...new Set(entries.map(liveUntil))].sort((a, b) => a - b);
  let pieceStart = Number.NEGATIVE_INFINITY;
  for (const edge of [...edges, Number.POSITIVE_INFINITY]) {
    // buckets starting in [pieceStart, edge] share one retention (liveUntil ≥ start keeps an entry)
    const r = bucketRetention(ctx, g, edge === Number.POSITIVE_INFINITY ? pieceStart + 1 : edge);
    if (r === Number.POSITIVE_INFINITY) return firstStartAtOrAfter(ctx, g, pieceStart);
    let b = ctx.calendar.bucket(g, ctx.now - r); // the first bucket with end > now − r
    if (b.start < pieceStart) b = ctx.calendar.bucket(g, firstStartAtOrAfter(ctx, g, pieceStart));
    if (b.start <= edge && b.end + r > ctx.now) return b.start;
    pieceStart = edge + 1;
  }
  return ctx.now; // nothing kept (not reached: the last piece's retention is the definition's)
}

function firstStartAtOrAfter(ctx: TimeContext, g: GranularitySpec, t: number): number {
  if (t === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  const b = ctx.calendar.bucket(g, t);
  return b.start >= t ? b.start : ctx.calendar.next(b, g).start;
}

/**
 * A retention as the user writes it: `'8d'`, `'36h'`, `'forever'`.
 *
 * @example
 * ```ts
 * formatRetention(691_200_000); // '8d'
 * ```
 */
export function formatRetention(ms: number): string {
  if (ms === Number.POSITIVE_INFINITY) return 'forever';
  if (ms % DAY_MS === 0) return `${ms / DAY_MS}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.ceil(ms / 1000)}s`;
}

/**
 * The retention (whole days, as a duration string) a bucket ending at `end` would need to still be kept.
 *
 * @example
 * ```ts
 * neededRetention(ctx, Date.now() - 12 * 86_400_000); // '13d'
 * ```
 */
export function neededRetention(ctx: TimeContext, end: number): string {
  return `${Math.max(1, Math.floor((ctx.now - end) / DAY_MS) + 1)}d`;
}

/**
 * An age for messages: `'12.4 days'`, `'5.0 hours'`.
 *
 * @example
 * ```ts
 * formatAge(1_037_370_000); // '12.0 days'
 * ```
 */
export function formatAge(ms: number): string {
  return ms >= DAY_MS ? `${(ms / DAY_MS).toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} hours`;
}
