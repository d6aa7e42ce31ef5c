import { DynotallyError } from '../errors/index.ts';

const DAY_MS = 86_400_000;

/**
 * The days a `DynamoDbDeadLetterSink` keeps a letter's key taken by default (the letter, replayed, or a dropped
 * letter's tombstone): 14.
 *
 * @example
 * ```ts
 * new DynamoDbDeadLetterSink(client, table, DEFAULT_LETTER_RETENTION_DAYS); // the same as leaving it out
 * ```
 */
export const DEFAULT_LETTER_RETENTION_DAYS = 14;

/**
 * The fewest whole days a Redis flusher's dead-letter sink must keep a letter's key taken for a buffer whose keys
 * live `keyTtlMs`: their life and a day to spare (clock skew between Redis and DynamoDB's TTL), rounded up. A failed
 * flush's re-run sends its letters again for as long as the bucket's keys live; the sink turns a letter sent again
 * away only while the letter or its tombstone is kept, so it must outlast the keys, or a dropped or replayed letter
 * is stored (and replayed) again.
 *
 * @example
 * ```ts
 * leastLetterRetentionDays(7 * 86_400_000); // 8: the default 14 days are enough for the default 7-day keys
 * leastLetterRetentionDays(30 * 86_400_000); // 31
 * ```
 */
export function leastLetterRetentionDays(keyTtlMs: number): number {
  return Math.ceil(keyTtlMs / DAY_MS) + 1;
}

/**
 * Checks that a flusher's dead-letter sink keeps letters long enough for the buffer's keys
 * ({@link leastLetterRetentionDays}). A sink that does not say how long it keeps them (`retentionDays` unset: one of
 * your own) is not checked.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming both values, `details: { retentionDays, keyTtlMs, leastDays }`.
 * @example
 * ```ts
 * checkLetterRetention(14, 7 * 86_400_000); // fine
 * checkLetterRetention(14, 30 * 86_400_000); // throws CONFIG_INVALID: give the sink 31 days or more
 * ```
 */
export function checkLetterRetention(retentionDays: number | undefined, keyTtlMs: number): void {
  if (retentionDays === undefined) return;
  const leastDays = leastLetterRetentionDays(keyTtlMs);
  if (retentionDays >= leastDays) return;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `the flusher's dead-letter sink keeps letters ${retentionDays} days, less than the buffer's keys live (keyTtlMs ${keyTtlMs} ms) and a day: a re-run of a failed flush, which may come as long as the keys live, would store a replayed or dropped letter again. Give the sink ${leastDays} days or more (new DynamoDbDeadLetterSink(client, table, ${leastDays})), or a shorter keyTtlMs`,
    { details: { retentionDays, keyTtlMs, leastDays } },
  );
}
