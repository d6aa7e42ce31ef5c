import { DEFAULT_LETTER_RETENTION_DAYS, leastLetterRetentionDays } from 'dynotally';

/**
 * The retention (days) of the dead-letter sink a command's flusher stores its letters in: the sink's 14 days, or
 * more when the buffer's keys live longer (`--key-ttl`), with a day to spare (`leastLetterRetentionDays`, the rule
 * `createFlusher` checks). A failed flush's re-run sends its letters again as long as the bucket's keys live, and the
 * sink turns a letter sent again away only while the letter (replayed) or its tombstone (dropped) is kept, both until
 * the letter's `ttl`: it must outlast the keys.
 *
 * @example
 * ```ts
 * new DynamoDbDeadLetterSink(client, table, flushLetterRetentionDays(flags.keyTtl)); // 14, or 31 for --key-ttl 30d
 * ```
 */
export function flushLetterRetentionDays(keyTtlMs: number | undefined): number {
  if (keyTtlMs === undefined || !Number.isFinite(keyTtlMs)) return DEFAULT_LETTER_RETENTION_DAYS;
  return Math.max(DEFAULT_LETTER_RETENTION_DAYS, leastLetterRetentionDays(keyTtlMs));
}
