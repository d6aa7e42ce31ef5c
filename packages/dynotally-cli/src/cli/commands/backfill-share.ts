import type { BackfillProgress } from 'dynotally';

/**
 * The share of a backfill's work done, from 0 to 1: of this process's segments, items earlier runs scanned in them
 * included, over the table's estimated item count's share for them (0 while that estimate is 0). What the CLI's
 * progress bar shows.
 *
 * @example
 * ```ts
 * backfillShare({ scanned: 1_000, scannedBefore: 3_000, estimatedOwnItems: 10_000 }); // 0.4
 * ```
 */
export function backfillShare(
  p: Pick<BackfillProgress, 'scanned' | 'scannedBefore' | 'estimatedOwnItems'>,
): number {
  return p.estimatedOwnItems > 0 ? Math.min(1, (p.scannedBefore + p.scanned) / p.estimatedOwnItems) : 0;
}
