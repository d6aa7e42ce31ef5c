import type { BackfillProgress } from 'dynotally';

/**
 * The share of a backfill's work done, from 0 to 1: of this process's segments, items earlier runs scanned in them
 * included, over the table's estimated item count's share for them; null while that estimate is 0 (DynamoDB refreshes a
 * table's item count about every six hours, so a fresh table reads 0 however many items it holds). What the CLI's
 * progress bar and the dev dashboard's bar show.
 *
 * @example
 * ```ts
 * backfillShare({ scanned: 1_000, scannedBefore: 3_000, estimatedOwnItems: 10_000 }); // 0.4
 * backfillShare({ scanned: 1_000, scannedBefore: 0, estimatedOwnItems: 0 }); // null
 * ```
 */
export function backfillShare(
  p: Pick<BackfillProgress, 'scanned' | 'scannedBefore' | 'estimatedOwnItems'>,
): number | null {
  return p.estimatedOwnItems > 0 ? Math.min(1, (p.scannedBefore + p.scanned) / p.estimatedOwnItems) : null;
}
