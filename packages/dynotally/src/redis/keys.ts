import { watermarkAttr } from '../apply/index.ts';

/**
 * The default key prefix of the Redis buffer. The `{…}` hash tag puts every key in one Redis Cluster slot,
 * which the buffer's Lua scripts need (they touch the bucket, the shard state and the indexes together).
 *
 * @example
 * ```ts
 * createBufferedApplier({ redis, client, table, rollups, keyPrefix: DEFAULT_KEY_PREFIX });
 * ```
 */
export const DEFAULT_KEY_PREFIX = 'dynotally:{buffer}:';

/**
 * The default flush bucket: 15 minutes of arrival (processing) time.
 *
 * @example
 * ```ts
 * bucketId(Date.now(), DEFAULT_BUCKET_MS); // the instant the current 15-minute bucket closes
 * ```
 */
export const DEFAULT_BUCKET_MS = 15 * 60_000;

/**
 * Every Redis key of the buffer expires this long after its last write (a safety net: 7 days).
 *
 * @example
 * ```ts
 * createBufferedApplier({ redis, client, table, rollups, keyTtlMs: DEFAULT_KEY_TTL_MS });
 * ```
 */
export const DEFAULT_KEY_TTL_MS = 7 * 24 * 3_600_000;

/**
 * The aggregate-row attribute that records the last flush bucket a row has absorbed (the bucket's id — the
 * instant it closes, epoch ms — 15 digits, zero-padded, so string order is time order). Readers compare it with a live bucket to count
 * that bucket either from Redis or from DynamoDB, never both.
 *
 * @example
 * ```ts
 * const marker = item[FLUSH_MARKER_ATTR]?.S; // '001795352400000'
 * ```
 */
export const FLUSH_MARKER_ATTR = '_fb';

/**
 * The flush-marker value of a bucket: its id (the instant it closes, epoch ms), 15 digits, zero-padded.
 *
 * @example
 * ```ts
 * bucketMarker(1795352400000); // '001795352400000'
 * ```
 */
export function bucketMarker(id: number | string): string {
  const s = typeof id === 'number' ? String(Math.trunc(id)) : id;
  return s.length >= 15 ? s : '000000000000000'.slice(s.length) + s;
}

/**
 * The id of the flush bucket of width `bucketMs` that contains `t`: the instant it closes (its end, epoch ms).
 * Buckets are identified by their end so that buckets of different widths that close together (a 15-minute
 * bucket of hour rows and a 1-hour bucket of month rows) are one bucket, flushed together.
 *
 * @example
 * ```ts
 * bucketId(Date.UTC(2026, 10, 22, 13, 7), 15 * 60_000); // Date.UTC(2026, 10, 22, 13, 15)
 * ```
 */
export function bucketId(t: number, bucketMs: number): number {
  return Math.floor(t / bucketMs) * bucketMs + bucketMs;
}

/**
 * The short, stable id of a stream shard in Redis keys and fence items: 12 hex digits of SHA-256 of the
 * stream ARN and shard id (the same hash as the row watermark attributes).
 *
 * @example
 * ```ts
 * shardTag('arn:aws:dynamodb:…/stream/…', 'shardId-0001'); // '5d41402abc4b'
 * ```
 */
export function shardTag(source: string, shardId: string): string {
  return watermarkAttr(source, shardId).slice(2);
}

/**
 * The Redis keys of the buffer under a prefix.
 *
 * - `seal`: buckets closing at or before this instant take no more writes (the flusher moves it forward).
 * - `open`: sorted set of bucket ids (the instant each closes) that hold data not yet flushed; `done`: flushed
 *   buckets kept a little while for readers (score: when flushed).
 * - `g:<bucket>`: the partition keys with data in a bucket; `d:<bucket>:<pk>`: hash `<sk>|<attr>` → exact decimal.
 * - `rk:<bucket>` and `r:<bucket>:<rollup>|<sk>`: ranked deltas by partition key, for leaderboards.
 * - `s:<shard>`: a shard's watermark and journal bookkeeping; `j:<shard>`: its last batch's cells (JSON).
 * - `mv`: sorted set of the buckets that seal moves (`flushClosed({ all: true })`) named; the flusher writes the
 *   newest one at or before a bucket into that bucket's flush markers (flush-marker.ts); `ep`: the buffer's epoch
 *   (created by the first seal or snapshot on a Redis without one), which the moves carry.
 * - `lock`: the flusher's lock.
 * - `id`: the buffer's id (random, never expires), recorded in the aggregate table's owner item (buffer-id.ts).
 * - `rw`: with `waitReplicas` only, a write made right before each `WAIT` (wait-replicas.ts).
 * - `h:<pk>`: stored-value hints, `<sk>|<attr>` → what DynamoDB holds, for wide values only (`storedHints`), and
 *   `*` once the group's hints are known (known-groups.ts);
 *   `hv:<pk>`: each hint's version, the flush marker of the write it came from (an older update changes nothing).
 *
 * @example
 * ```ts
 * bufferKeys('dynotally:{buffer}:').data(1795352400000, 'store#ss-1'); // 'dynotally:{buffer}:d:1795352400000:store#ss-1'
 * ```
 */
export function bufferKeys(prefix: string) {
  return {
    seal: `${prefix}seal`,
    open: `${prefix}open`,
    done: `${prefix}done`,
    moves: `${prefix}mv`,
    epoch: `${prefix}ep`,
    lock: `${prefix}lock`,
    id: `${prefix}id`,
    groups: (bucket: number | string) => `${prefix}g:${bucket}`,
    data: (bucket: number | string, pk: string) => `${prefix}d:${bucket}:${pk}`,
    rankedIndex: (bucket: number | string) => `${prefix}rk:${bucket}`,
    ranked: (bucket: number | string, rankKey: string) => `${prefix}r:${bucket}:${rankKey}`,
    shard: (tag: string) => `${prefix}s:${tag}`,
    journal: (tag: string) => `${prefix}j:${tag}`,
    hints: (pk: string) => `${prefix}h:${pk}`,
    hintVersions: (pk: string) => `${prefix}hv:${pk}`,
  };
}

/**
 * The hash field of one attribute of one row inside a partition key's bucket hash: `<sk>|<attr>` (sort keys and
 * attribute names never contain `|`).
 *
 * @example
 * ```ts
 * cellField('M2026-11', 'orders_22'); // 'M2026-11|orders_22'
 * ```
 */
export function cellField(sk: string, attr: string): string {
  return `${sk}|${attr}`;
}

/**
 * Splits a {@link cellField}.
 *
 * @example
 * ```ts
 * parseCellField('M2026-11|orders_22'); // { sk: 'M2026-11', attr: 'orders_22' }
 * ```
 */
export function parseCellField(field: string): { sk: string; attr: string } {
  const bar = field.indexOf('|');
  return { sk: field.slice(0, bar), attr: field.slice(bar + 1) };
}

/**
 * The ranked-delta key part of a leaderboard row: `<rollup>|<sk>`.
 *
 * @example
 * ```ts
 * rankKey('favourites', 'ALL'); // 'favourites|ALL'
 * ```
 */
export function rankKey(rollup: string, sk: string): string {
  return `${rollup}|${sk}`;
}
