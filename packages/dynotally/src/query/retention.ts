import type { CompiledRollup } from '../definition/index.ts';
import type { Bucket, GranularitySpec, ZoneCalendar } from '../time/index.ts';

const DAY_MS = 86_400_000;

/**
 * The time facts the planner needs about one rollup: its calendar, the query's "now" and how long each
 * granularity is kept.
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
}

/**
 * The time context of a rollup at `now`.
 *
 * @example
 * ```ts
 * const ctx = timeContext(storeMetrics.compiled, Date.now());
 * ```
 */
export function timeContext(c: CompiledRollup, now: number): TimeContext {
  return { calendar: c.calendar, now, retentionMs: c.retentionMs };
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
 * True while a bucket of `g` is still kept: the fold stops writing a row once `end + retention ≤ now`, and
 * DynamoDB's TTL deletes it after that.
 *
 * @example
 * ```ts
 * isRetained(ctx, minute, ctx.calendar.bucket(minute, Date.now() - 86_400_000)); // true
 * ```
 */
export function isRetained(ctx: TimeContext, g: GranularitySpec, b: Bucket): boolean {
  return b.end + retentionOf(ctx, g) > ctx.now;
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
  if (keep === Number.POSITIVE_INFINITY || g.kind === 'all') return Number.NEGATIVE_INFINITY;
  // the first bucket with end > now − keep is the one holding now − keep
  return ctx.calendar.bucket(g, ctx.now - keep).start;
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
