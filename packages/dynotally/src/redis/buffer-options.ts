import { DynotallyError } from '../errors/index.ts';
import { DEFAULT_KEY_PREFIX, DEFAULT_KEY_TTL_MS } from './keys.ts';

/**
 * Where the buffer lives in Redis; shared by the applier, the flusher and the live source (they must agree).
 *
 * @example
 * ```ts
 * const where: BufferKeyOptions = { keyPrefix: 'shop:{buffer}:', keyTtlMs: 7 * 86_400_000 };
 * ```
 */
export interface BufferKeyOptions {
  /** Prefix of every key; keep a `{…}` hash tag in it for Redis Cluster. Default `dynotally:{buffer}:`. */
  keyPrefix?: string;
  /**
   * Expiry of every key after its last write, far beyond the flush interval; default 7 days. At least the widest
   * flush bucket (the flusher: its bucket and grace) plus 24 hours, or the parts refuse it with `CONFIG_INVALID`.
   */
  keyTtlMs?: number;
}

/**
 * How long a buffer key must outlive what it serves, beyond the buffer's widest bucket: DynamoDB Streams keep a
 * record 24 hours, so a shard's last batch may be redelivered that long after its watermark (`s:<shard>`) was last
 * written, and the watermark must still be there to say it is counted; the same day is the flusher's margin to
 * reach a closed bucket before its keys expire.
 *
 * @example
 * ```ts
 * createBufferedApplier({ redis, client, table, rollups, keyTtlMs: 900_000 + REDELIVERY_HORIZON_MS }); // the least for 15-minute buckets
 * ```
 */
export const REDELIVERY_HORIZON_MS = 24 * 3_600_000;

/**
 * What a key must outlive beside {@link REDELIVERY_HORIZON_MS}: how long, and what that is, for the message.
 *
 * @example
 * ```ts
 * const span: KeySpan = { ms: 3_600_000, what: 'the widest flush bucket (rowBucketMs.all)' };
 * ```
 */
export interface KeySpan {
  readonly ms: number;
  readonly what: string;
}

/**
 * The key options with defaults applied, validated. `keyTtlMs` must be at least `span.ms` (the widest flush
 * bucket, or the flusher's bucket and grace) plus {@link REDELIVERY_HORIZON_MS}: a shorter expiry loses a cell
 * before its bucket is flushed, or a shard's watermark before a redelivery of its last batch (counted again).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for an empty prefix, a non-positive expiry, or one too short.
 *
 * @example
 * ```ts
 * bucketKeysOptions({}); // { keyPrefix: 'dynotally:{buffer}:', keyTtlMs: 604800000 }
 * bucketKeysOptions({ keyTtlMs: 60_000 }, { ms: 900_000, what: 'the widest flush bucket (bucketMs)' }); // throws CONFIG_INVALID
 * ```
 */
export function bucketKeysOptions(
  options: BufferKeyOptions,
  span: KeySpan = { ms: 0, what: 'nothing' },
): Required<BufferKeyOptions> {
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const keyTtlMs = options.keyTtlMs ?? DEFAULT_KEY_TTL_MS;
  if (keyPrefix === '')
    throw new DynotallyError('CONFIG_INVALID', 'keyPrefix must not be empty: use e.g. "dynotally:{buffer}:"');
  if (!Number.isSafeInteger(keyTtlMs) || keyTtlMs <= 0) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `keyTtlMs must be a positive whole number of ms (e.g. 604800000 for 7 days), got ${keyTtlMs}`,
      {
        details: { keyTtlMs },
      },
    );
  }
  const least = span.ms + REDELIVERY_HORIZON_MS;
  if (keyTtlMs < least) {
    const what = span.ms > 0 ? `${span.what} (${span.ms} ms) + 24 hours` : '24 hours';
    throw new DynotallyError(
      'CONFIG_INVALID',
      `keyTtlMs must be at least ${what} = ${least} ms, got ${keyTtlMs}: a buffered key must outlive its bucket until the flusher reaches it, and a shard's watermark every redelivery of its last batch (DynamoDB Streams keep records 24 hours), or counts are lost or doubled silently. Leave it unset (7 days) unless Redis memory demands less`,
      { details: { keyTtlMs, leastMs: least } },
    );
  }
  return { keyPrefix, keyTtlMs };
}

/** The row kinds `rowBucketMs` may name: what `labelKind` reads from a row's sort key. */
const ROW_KINDS: readonly string[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year', 'all'];

/**
 * The flush bucket widths with defaults applied (15 minutes), validated.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a width that is not a positive whole number of ms, or a
 * `rowBucketMs` key that is no row kind (`second`, `minute`, `hour`, `day`, `week`, `month`, `year`, `all`).
 *
 * @example
 * ```ts
 * bucketWidths({ rowBucketMs: { all: 3_600_000 } }); // { bucketMs: 900000, rowBucketMs: { all: 3600000 } }
 * ```
 */
export function bucketWidths(options: {
  bucketMs?: number | undefined;
  rowBucketMs?: Readonly<Partial<Record<string, number>>> | undefined;
}): { bucketMs: number; rowBucketMs: Readonly<Partial<Record<string, number>>> | undefined } {
  const check = (name: string, v: number): number => {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `${name} must be a positive whole number of milliseconds (e.g. 900000 for 15 minutes), got ${v}`,
        {
          details: { [name]: v },
        },
      );
    }
    return v;
  };
  const bucketMs = check('bucketMs', options.bucketMs ?? 15 * 60_000);
  for (const [kind, v] of Object.entries(options.rowBucketMs ?? {})) {
    // a misspelt kind matched no row and was ignored: those rows flushed every bucketMs, silently (review s41r)
    if (!ROW_KINDS.includes(kind))
      throw new DynotallyError(
        'CONFIG_INVALID',
        `rowBucketMs names the row kind '${kind}', which no row has: the kinds are ${ROW_KINDS.join(', ')} (the granularity of a row's sort key: days live in month rows, so a day cell flushes with rowBucketMs.month)`,
        { details: { option: 'rowBucketMs', kind, known: [...ROW_KINDS] } },
      );
    if (v !== undefined) check(`rowBucketMs.${kind}`, v);
  }
  return { bucketMs, rowBucketMs: options.rowBucketMs };
}

/**
 * The widest flush bucket of these widths, named for a message ({@link bucketKeysOptions}).
 *
 * @example
 * ```ts
 * widestBucket({ bucketMs: 900_000, rowBucketMs: { all: 3_600_000 } }); // { ms: 3600000, what: 'the widest flush bucket (rowBucketMs.all)' }
 * ```
 */
export function widestBucket(widths: {
  bucketMs: number;
  rowBucketMs?: Readonly<Partial<Record<string, number>>> | undefined;
}): KeySpan {
  let widest = { ms: widths.bucketMs, name: 'bucketMs' };
  for (const [kind, v] of Object.entries(widths.rowBucketMs ?? {}))
    if (v !== undefined && v > widest.ms) widest = { ms: v, name: `rowBucketMs.${kind}` };
  return { ms: widest.ms, what: `the widest flush bucket (${widest.name})` };
}
