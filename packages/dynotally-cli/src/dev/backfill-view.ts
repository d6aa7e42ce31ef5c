import type { BackfillProgress } from 'dynotally';
import { backfillShare } from '../cli/commands/backfill-share.ts';
import type { ChangeRollupView } from '../dashboard/state/types.ts';

/**
 * The "change a rollup" demo's backfill progress as the dashboard shows it ({@link ChangeRollupView.backfill}):
 * null before the backfill's first report. Its `share` is the CLI progress bar's ({@link backfillShare}): what
 * earlier runs scanned (a resumed build) included, over the estimated items of the segments this run builds. While
 * that estimate is 0 the share is unknown, `null`, not 0: DynamoDB refreshes a table's item count about every six
 * hours, so a fresh table's is 0 however many items it holds (the CLI prints `?` for it), and a bar at 0 would say
 * nothing is being scanned; the page draws an indeterminate bar beside the items scanned.
 *
 * @example
 * ```ts
 * backfillView(report.progress)?.scanned;
 * ```
 */
export function backfillView(progress: BackfillProgress | undefined): ChangeRollupView['backfill'] {
  if (progress === undefined) return null;
  return {
    scanned: progress.scanned,
    scannedBefore: progress.scannedBefore,
    folded: progress.folded,
    claimedLive: progress.claimedLive,
    estimatedItems: progress.estimatedItems,
    estimatedOwnItems: progress.estimatedOwnItems,
    share: backfillShare(progress),
    segmentsDone: progress.segmentsDone,
    segments: progress.segments,
    itemsPerSecond: Math.round(progress.itemsPerSecond * 10) / 10,
    etaMs: Math.round(progress.etaMs),
  };
}
