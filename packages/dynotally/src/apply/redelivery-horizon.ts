import { DynotallyError } from '../errors/index.ts';

/** How long DynamoDB Streams keeps a record: 24 hours, after which it can never be read again. */
export const STREAM_RETENTION_SECONDS = 24 * 3600;
/**
 * Added to the horizon before a shard's state is pruned: clock skew between DynamoDB's record times and this
 * process, the hour precision of compact states (decoded as the end of their hour), and a write still in
 * flight when its record aged out (the batch's send deadline: `SEND_AFTER_LATE_SECONDS`, `SETTLE_AFTER_LATE_SECONDS`).
 */
export const HORIZON_MARGIN_SECONDS = 3600;

/**
 * How long a shard's watermark item (`~wm#`, `~wt#`) is kept after its last write: its `ttl`. Once an item has
 * not moved for this long, every record at or below its sequence number is older than any record DynamoDB
 * Streams can still deliver (24 h retention, which also caps a mapping's maximum record age), so its absence
 * and its presence decide every later record alike. A week, so a shard's item outlives any pause of its
 * consumer by far; TTL deletion itself runs days late.
 */
export const WATERMARK_ITEM_KEEP_SECONDS = 7 * 24 * 3600;

/**
 * The `ttl` (epoch seconds) a shard's watermark item written at `nowMs` carries: see
 * {@link WATERMARK_ITEM_KEEP_SECONDS}.
 *
 * @example
 * ```ts
 * watermarkItemTtl(Date.UTC(2026, 11, 2)); // 1796774400 (a week later)
 * ```
 */
export function watermarkItemTtl(nowMs: number): number {
  return Math.ceil(nowMs / 1000) + WATERMARK_ITEM_KEEP_SECONDS;
}

/**
 * What bounds redelivery of a stream record, besides the stream's 24-hour retention.
 *
 * @example
 * ```ts
 * // the event source mapping was created with MaximumRecordAgeInSeconds: 3600
 * const redelivery: RedeliveryOptions = { maxRecordAgeSeconds: 3600 };
 * createStreamHandler({ rollups: [jobs], table: 'aggregates', redelivery });
 * ```
 */
export interface RedeliveryOptions {
  /**
   * The event source mapping's `MaximumRecordAgeInSeconds` (Lambda discards older records instead of
   * delivering them; the stream worker's `maxRecordAgeMs` does the same and sets this for you). Only set it to
   * what the mapping really has: a shorter value than the mapping's lets a redelivery count twice
   * (`createStreamHandler` refuses one shorter than the deployment's `DYNOTALLY_MAX_RECORD_AGE_SECONDS`).
   */
  maxRecordAgeSeconds?: number | undefined;
}

/**
 * After how many seconds since its last applied record a shard's exactly-once state on a row may be pruned:
 * the longest a record can still be delivered (the stream's 24 h retention, or the mapping's maximum record
 * age when shorter) plus {@link HORIZON_MARGIN_SECONDS}. Every record at or below the pruned state is older
 * than that, so none of them can arrive again: nothing that state guarded can be redelivered.
 *
 * @example
 * ```ts
 * pruneAfterSeconds(undefined); // 90_000 (24 h + 1 h)
 * pruneAfterSeconds({ maxRecordAgeSeconds: 3600 }); // 7_200
 * ```
 */
export function pruneAfterSeconds(options: RedeliveryOptions | undefined): number {
  const age = options?.maxRecordAgeSeconds;
  if (age === undefined || age === -1) return STREAM_RETENTION_SECONDS + HORIZON_MARGIN_SECONDS;
  if (!(Number.isFinite(age) && age >= 1))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `redelivery.maxRecordAgeSeconds is ${JSON.stringify(age)}: give a number of seconds of at least 1 (a Lambda event source mapping's MaximumRecordAgeInSeconds: 60 to 604800), or -1 for none`,
      { details: { 'redelivery.maxRecordAgeSeconds': age } },
    );
  return Math.min(STREAM_RETENTION_SECONDS, Math.ceil(age)) + HORIZON_MARGIN_SECONDS;
}
