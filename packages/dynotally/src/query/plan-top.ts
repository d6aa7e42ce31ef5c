import type { QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { CompiledMeasure, CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { shownValue } from '../strings/shown-value.ts';
import { AGGREGATE_TABLE } from '../tables/index.ts';
import { ALL_BUCKET, type Bucket, type GranularitySpec, parseGranularity } from '../time/index.ts';
import { toEpochMs } from './instant.ts';
import { findMeasure, onlyKeysOf } from './validate.ts';
import type { CalendarUnit, Instant } from './window-spec.ts';

/**
 * The most entries one `top` returns.
 *
 * @example
 * ```ts
 * await query.top(favourites, { limit: MAX_TOP_LIMIT });
 * ```
 */
export const MAX_TOP_LIMIT = 1000;

/**
 * Which bucket a leaderboard ranks: `'all'`; the current `'day' | 'week' | 'month' | 'year'` (at `at`,
 * default now); `{ calendar: 'month', offset: -1 }` for an earlier one; or a bucket label such as
 * `'M2026-11'`.
 *
 * @example
 * ```ts
 * const b: TopBucket = { calendar: 'month', offset: -1 };
 * ```
 */
export type TopBucket =
  | 'all'
  | CalendarUnit
  | { readonly calendar: CalendarUnit; readonly offset?: number }
  | string;

/**
 * What `top` asks for.
 *
 * @example
 * ```ts
 * const spec: TopSpec = { measure: 'favourites', bucket: 'month', limit: 10 };
 * ```
 */
export interface TopSpec<M extends string = string> {
  /** The ranked measure (default: the rollup's leaderboard measure). */
  readonly measure?: M;
  /** Default `'all'`. */
  readonly bucket?: TopBucket;
  /** Default 10, at most 1000. */
  readonly limit?: number;
  /** The instant that counts as now when choosing the current bucket. */
  readonly at?: Instant;
}

/**
 * The pure plan of a `top`: the ranked bucket, the index partitions (one per shard) and the first page of
 * each partition's `Query` (descending by the ranked value; zero values skipped).
 *
 * @example
 * ```ts
 * planTop(favourites.compiled, 'aggregates', { bucket: 'all' }, Date.now()).shardKeys; // ['favourites#ALL#0']
 * ```
 */
export interface TopPlan {
  readonly rollup: CompiledRollup;
  readonly measure: CompiledMeasure;
  readonly granularity: GranularitySpec;
  readonly bucket: Bucket;
  readonly limit: number;
  readonly shardKeys: readonly string[];
  /**
   * The `Query` for one shard, descending, `pageSize` items per page: the positive values (`lbv > 0`), or
   * with `negative` the negative ones (`lbv < 0`), read only when the positive ones run out. Zero values (a
   * group whose favourites were all removed) are never read: DynamoDB cannot filter on an index key, but a
   * key condition can skip them.
   */
  query(shardKey: string, pageSize: number, negative?: boolean): QueryCommandInput;
}

function resolveBucket(c: CompiledRollup, bucket: TopBucket, at: number): { g: GranularitySpec; b: Bucket } {
  if (bucket === 'all') return { g: parseGranularity('all'), b: ALL_BUCKET };
  if (typeof bucket === 'string') {
    if (bucket === 'day' || bucket === 'week' || bucket === 'month' || bucket === 'year') {
      const g = parseGranularity(bucket);
      return { g, b: c.calendar.bucket(g, at) };
    }
    try {
      const b = c.calendar.bucketByLabel(bucket);
      const kind = { D: 'day', W: 'week', M: 'month', Y: 'year', A: 'all', H: 'hour', m: 'minute' }[
        bucket[0] ?? ''
      ];
      if (kind !== undefined) return { g: parseGranularity(kind), b };
    } catch (cause) {
      throw invalidBucket(bucket, cause);
    }
    throw invalidBucket(bucket, undefined);
  }
  if (bucket !== null && typeof bucket === 'object' && 'calendar' in bucket) {
    const unit = bucket.calendar;
    if (unit !== 'day' && unit !== 'week' && unit !== 'month' && unit !== 'year')
      throw invalidBucket(bucket, undefined);
    const offset = bucket.offset ?? 0;
    if (!Number.isInteger(offset) || Math.abs(offset) > 100_000) throw invalidBucket(bucket, undefined);
    const g = parseGranularity(unit);
    return { g, b: c.calendar.shift(c.calendar.bucket(g, at), offset, g) };
  }
  throw invalidBucket(bucket, undefined);
}

/**
 * Whether a bucket may come with `at`: one found from it (a unit or `{ calendar, offset }`), or 'all', which holds
 * every instant (so a caller passing its clock to every read, as the dev dashboard does, need not drop it there).
 * A label names its period outright, and an `at` beside it is refused.
 */
function takesAt(bucket: TopBucket): boolean {
  if (bucket === 'all' || bucket === 'day' || bucket === 'week' || bucket === 'month' || bucket === 'year')
    return true;
  return bucket !== null && typeof bucket === 'object';
}

function invalidBucket(bucket: unknown, cause: unknown): DynotallyError {
  return new DynotallyError(
    'QUERY_INVALID',
    `leaderboard bucket ${shownValue(bucket)} is not valid: use 'all', 'month' (the current one), { calendar: 'month', offset: -1 } or a label such as 'M2026-11'`,
    { details: { bucket }, cause },
  );
}

/**
 * Plans a leaderboard read.
 *
 * @throws {DynotallyError} `UNKNOWN_MEASURE`, `LEADERBOARD_NOT_CONFIGURED` (no leaderboard, another measure,
 *   or a granularity it does not rank), `QUERY_INVALID` (bad bucket or limit, or an `at` beside a bucket label
 *   such as `'M2026-11'`).
 * @example
 * ```ts
 * const plan = planTop(favourites.compiled, 'aggregates', { bucket: 'month', limit: 10 }, Date.now());
 * plan.query(plan.shardKeys[0], 11);
 * ```
 */
export function planTop(c: CompiledRollup, table: string, spec: TopSpec, now: number): TopPlan {
  const s = spec ?? {};
  onlyKeysOf(s, ['measure', 'bucket', 'limit', 'at'], 'a top() spec');
  const lb = c.leaderboard;
  if (s.measure !== undefined) findMeasure(c, s.measure);
  if (lb === undefined) {
    throw new DynotallyError(
      'LEADERBOARD_NOT_CONFIGURED',
      `rollup '${c.name}' has no leaderboard: add leaderboard: { measure: '${s.measure ?? c.measures[0]?.name}', granularities: ['all', 'month'] } to its definition`,
      { details: { rollup: c.name } },
    );
  }
  const measure = findMeasure(c, s.measure ?? lb.measure);
  if (measure.name !== lb.measure) {
    throw new DynotallyError(
      'LEADERBOARD_NOT_CONFIGURED',
      `rollup '${c.name}' ranks '${lb.measure}', not '${measure.name}': ask for measure '${lb.measure}', or move the leaderboard to '${measure.name}'`,
      { details: { rollup: c.name, measure: measure.name, ranked: lb.measure } },
    );
  }
  const limit = s.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOP_LIMIT) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `limit must be a whole number from 1 to ${MAX_TOP_LIMIT}, not ${shownValue(limit)}`,
      {
        details: { limit },
      },
    );
  }
  const at = s.at === undefined ? now : toEpochMs(s.at, 'at');
  const bucket = s.bucket ?? 'all';
  if (s.at !== undefined && !takesAt(bucket)) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `leaderboard bucket ${shownValue(bucket)} names its period whatever 'at' says: remove 'at', or ask for the period containing it (${shownValue({ bucket: 'month', at: s.at })} or { calendar: 'month', offset })`,
      { details: { bucket, at: s.at } },
    );
  }
  const { g, b } = resolveBucket(c, bucket, at);
  if (!lb.granularities.has(g.id)) {
    throw new DynotallyError(
      'LEADERBOARD_NOT_CONFIGURED',
      `rollup '${c.name}' ranks '${lb.measure}' by ${[...lb.granularities].join(' and ')}, not by ${g.id}: ask for one of those buckets, or add '${g.id}' to leaderboard.granularities`,
      { details: { rollup: c.name, granularity: g.id, ranked: [...lb.granularities] } },
    );
  }
  const shardKeys = Array.from({ length: lb.shards }, (_, i) => `${c.name}#${b.label}#${i}`);
  const t = AGGREGATE_TABLE;
  return {
    rollup: c,
    measure,
    granularity: g,
    bucket: b,
    limit,
    shardKeys,
    query: (shardKey, pageSize, negative = false) => ({
      TableName: table,
      IndexName: t.leaderboardIndex,
      KeyConditionExpression: negative ? '#k = :k AND #v < :zero' : '#k = :k AND #v > :zero',
      ExpressionAttributeNames: { '#k': t.leaderboardPartitionKey, '#v': t.leaderboardSortKey },
      ExpressionAttributeValues: { ':k': { S: shardKey }, ':zero': { N: '0' } },
      ScanIndexForward: false,
      Limit: pageSize,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  };
}
