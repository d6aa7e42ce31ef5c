import type { FoldBenchResult } from '../suites/fold.ts';
import { fixed, int, ratio } from './format.ts';
import { markdownTable } from './markdown-table.ts';

/** The fold suite's target (issue 13, item 4): records per CPU second, one core's worth of work. */
export const FOLD_TARGET_RECORDS_PER_SECOND = 500_000;

/**
 * The fold suite as markdown, with the target judged on records per CPU second (one core's worth of
 * work; wall time on a shared machine includes time spent descheduled).
 *
 * @example
 * ```ts
 * console.log(foldMarkdown(runFoldBench({ records: 100_000 })));
 * ```
 */
export function foldMarkdown(r: FoldBenchResult): string {
  const table = markdownTable(
    [
      'records',
      'batch',
      'requests built',
      'records/s (wall)',
      'records per CPU second',
      'row updates planned / record',
      'peak heap',
    ],
    [
      [
        int(r.records),
        int(r.batchSize),
        r.requests,
        int(r.recordsPerSecond),
        int(r.recordsPerCpuSecond),
        fixed(r.rowsPerRecord, 3),
        `${int(r.peakHeapMiB)} MiB`,
      ],
    ],
    ['r', 'r', 'l', 'r', 'r', 'r', 'r'],
  );
  const share = r.recordsPerCpuSecond / FOLD_TARGET_RECORDS_PER_SECOND;
  const verdict = share >= 1 ? 'met' : `**missed** (${ratio(share)} of the target)`;
  return `${table}\n\nTarget ≥ ${int(FOLD_TARGET_RECORDS_PER_SECOND)} records per CPU second: ${verdict}.`;
}
