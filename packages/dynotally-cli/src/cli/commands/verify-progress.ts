import type { VerifyProgress } from 'dynotally';
import { agree, plural } from '../output/plural.ts';
import { etaText, scanBar } from './scan-bar.ts';

/**
 * One progress line of `dynotally verify` (stderr: a live line on a terminal, a plain line every few seconds
 * otherwise, as `dynotally backfill` prints its progress): the pass, the phase and its counts so far. The source
 * scan says them as the backfill does: the items scanned of the table's estimated item count (a bar with the share
 * on a terminal), the rate and the ETA (`?` while the table's item count is not estimated yet, or no rate is known).
 *
 * @example
 * ```ts
 * verifyProgressLine(p);
 * // 'verify: pass 1 of 2, source: 120,000/400,000 items scanned, 4,100 rows recomputed, segments 3/4, 1,250 items/s, ETA 224s'
 * // 'verify: pass 1 of 2, stored rows: 2,050 read and compared (4,100 recomputed), 0 cells differ, segments 1/4'
 * // 'verify: pass 1 of 2, missing rows: 4,100 rows compared, 1 cell differs'
 * verifyProgressLine(p, true);
 * // 'verify: pass 1 of 2, source: [######--------------] 30% 120,000/400,000 items · 4,100 rows recomputed · 1,250/s · ETA 224s'
 * ```
 */
export function verifyProgressLine(p: VerifyProgress, tty = false): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const head = `verify: pass ${p.pass} of ${p.passes}`;
  const parts =
    p.reads === 'query'
      ? `groups ${n(p.segmentsDone)}/${n(p.segments)}`
      : `segments ${n(p.segmentsDone)}/${n(p.segments)}`;
  const differ = `${plural(p.drifted, 'cell')} ${agree(p.drifted, 'differs', 'differ')}`;
  if (p.phase === 'source') return `${head}, source: ${sourceProgress(p, tty, parts)}`;
  if (p.phase === 'stored')
    return `${head}, stored rows: ${n(p.storedRows)} read and compared (${n(p.expectedRows)} recomputed), ${differ}, ${parts}`;
  return `${head}, missing rows: ${plural(p.compared, 'row')} compared, ${differ}`;
}

/** The source scan's counts, share, rate and ETA, as `backfillProgressLine` says a backfill's. */
function sourceProgress(p: VerifyProgress, tty: boolean, parts: string): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const share = p.estimatedItems > 0 ? Math.min(1, p.scanned / p.estimatedItems) : null;
  const eta = etaText(p.itemsPerSecond, share, p.etaMs);
  const counts = `${n(p.scanned)}/${share === null ? '?' : n(p.estimatedItems)} items`;
  const rows = `${n(p.expectedRows)} rows recomputed`;
  if (!tty) return `${counts} scanned, ${rows}, ${parts}, ${n(p.itemsPerSecond)} items/s, ${eta}`;
  return scanBar(share, counts, [rows, `${n(p.itemsPerSecond)}/s`, eta]);
}
