import type { VerifyProgress } from 'dynotally';

/**
 * One progress line of `dynotally verify` (stderr: a live line on a terminal, a plain line every few seconds
 * otherwise, as `dynotally backfill` prints its progress): the pass, the phase and its counts so far.
 *
 * @example
 * ```ts
 * verifyProgressLine(p);
 * // 'verify: pass 1 of 2, source: 120,000 items scanned, 4,100 rows recomputed, segments 3/4'
 * // 'verify: pass 1 of 2, stored rows: 2,050 read and compared (4,100 recomputed), 0 cell(s) differ, segments 1/4'
 * // 'verify: pass 1 of 2, missing rows: 4,100 rows compared, 0 cell(s) differ'
 * ```
 */
export function verifyProgressLine(p: VerifyProgress): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const head = `verify: pass ${p.pass} of ${p.passes}`;
  const parts =
    p.reads === 'query'
      ? `groups ${n(p.segmentsDone)}/${n(p.segments)}`
      : `segments ${n(p.segmentsDone)}/${n(p.segments)}`;
  const differ = `${n(p.drifted)} cell(s) differ`;
  if (p.phase === 'source')
    return `${head}, source: ${n(p.scanned)} items scanned, ${n(p.expectedRows)} rows recomputed, ${parts}`;
  if (p.phase === 'stored')
    return `${head}, stored rows: ${n(p.storedRows)} read and compared (${n(p.expectedRows)} recomputed), ${differ}, ${parts}`;
  return `${head}, missing rows: ${n(p.compared)} rows compared, ${differ}`;
}
