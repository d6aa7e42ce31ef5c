import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseHistory, type RetentionEntry } from './history-item.ts';
import { HISTORY_BUMP_MS, HISTORY_MARGIN_MS } from './history-timing.ts';

/**
 * A rollup's retention history as the query uses it: entries by granularity id.
 *
 * @example
 * ```ts
 * const h: RetentionHistory = historyByGranularity(parseHistory(item).entries);
 * ```
 */
export type RetentionHistory = ReadonlyMap<string, readonly RetentionEntry[]>;

/**
 * The entries grouped by granularity.
 *
 * @example
 * ```ts
 * historyByGranularity(entries).get('hour'); // the hour entries
 * ```
 */
export function historyByGranularity(entries: readonly RetentionEntry[]): RetentionHistory {
  const out = new Map<string, RetentionEntry[]>();
  for (const e of entries) out.set(e.granularity, [...(out.get(e.granularity) ?? []), e]);
  return out;
}

/**
 * A history item as the query uses it (`undefined` without an item: the definition's retention alone decides).
 *
 * @example
 * ```ts
 * const history = historyOfItem(out.Item);
 * ```
 */
export function historyOfItem(
  item: Record<string, AttributeValue> | undefined,
): RetentionHistory | undefined {
  return item === undefined ? undefined : historyByGranularity(parseHistory(item).entries);
}

/**
 * The last instant from which an entry's writers may still have written: its `lastSeen` plus the bump interval
 * and the margin. A bucket starting after it holds nothing they wrote (bar events dated in the future).
 *
 * @example
 * ```ts
 * liveUntil(entry); // entry.lastSeen + 2 h
 * ```
 */
export function liveUntil(e: RetentionEntry): number {
  return e.lastSeen + HISTORY_BUMP_MS + HISTORY_MARGIN_MS;
}

/**
 * How long a bucket of granularity `g` starting at `start` is kept: the querying definition's retention `own`,
 * shortened to that of any writer that may have written the bucket's row (an entry of `g` live at `start`):
 * a row carries the TTL its last writer set, bucket end + that writer's retention at the least.
 * Without a history (`undefined`, rollups written before the history existed) the definition's own.
 *
 * @example
 * ```ts
 * retentionAt(400 * DAY, history?.get('hour'), bucket.start); // 10 days while a 10-day writer was live
 * ```
 */
export function retentionAt(
  own: number,
  entries: readonly RetentionEntry[] | undefined,
  start: number,
): number {
  let r = own;
  for (const e of entries ?? []) if (liveUntil(e) >= start && e.retentionMs < r) r = e.retentionMs;
  return r;
}
