import type { BackfillProgress } from 'dynotally';
import type { ChangeRollupView } from '../dashboard/state/types.ts';

/**
 * The "change a rollup" demo's backfill progress as the dashboard shows it ({@link ChangeRollupView.backfill}):
 * null before the backfill's first report.
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
    folded: progress.folded,
    claimedLive: progress.claimedLive,
    estimatedItems: progress.estimatedItems,
    segmentsDone: progress.segmentsDone,
    segments: progress.segments,
    itemsPerSecond: Math.round(progress.itemsPerSecond * 10) / 10,
    etaMs: Math.round(progress.etaMs),
  };
}
