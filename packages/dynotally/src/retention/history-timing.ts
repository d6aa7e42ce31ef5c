/**
 * How often a write process moves its retention entries' `lastSeen` forward, at most (its own clock): once an
 * hour. A process checks before each batch it writes, so every row it writes is written within this long of
 * the `lastSeen` it last recorded (plus the batch's own duration).
 *
 * @example
 * ```ts
 * HISTORY_BUMP_MS; // 3_600_000
 * ```
 */
export const HISTORY_BUMP_MS = 3_600_000;

/**
 * Slack the query adds on top of {@link HISTORY_BUMP_MS} before it takes an entry's writers for gone: clock
 * skew between a writer and the reader, and a batch still being retried when its process's clock passed a
 * bump. One hour: generous, and it only makes the query refuse a little more, never answer wrongly.
 *
 * @example
 * ```ts
 * HISTORY_MARGIN_MS; // 3_600_000
 * ```
 */
export const HISTORY_MARGIN_MS = 3_600_000;

/**
 * How long a query client reuses a retention history it read (60 s). Stale by a minute is conservative in
 * practice: entries are only added, moved later or merged to a shorter retention, never lengthened, and a
 * live writer's `lastSeen` is at most {@link HISTORY_BUMP_MS} old, so the {@link HISTORY_MARGIN_MS} the query
 * adds covers a minute of staleness. What a cached copy can miss is a writer that records a retention new to
 * the history within that minute: its rows are deleted no earlier than their bucket's end plus its retention,
 * so only a row it writes in the last minute of that retention could be read after DynamoDB deleted it.
 *
 * @example
 * ```ts
 * HISTORY_CACHE_MS; // 60_000
 * ```
 */
export const HISTORY_CACHE_MS = 60_000;

/**
 * A writer finding its retentions already recorded by another process this recently (5 min) writes nothing: its
 * rows are then written within {@link HISTORY_BUMP_MS} + 5 min of that `lastSeen`, inside the
 * {@link HISTORY_MARGIN_MS} the query allows. Spares the item a write per process when many start at once.
 *
 * @example
 * ```ts
 * HISTORY_FRESH_MS; // 300_000
 * ```
 */
export const HISTORY_FRESH_MS = 300_000;
