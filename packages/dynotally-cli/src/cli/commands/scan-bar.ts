/**
 * The ETA of a scan's progress line: `ETA 224s`, or `ETA ?` while no rate is known or the table's size is not
 * estimated yet (`share` null).
 *
 * @example
 * ```ts
 * etaText(1250, 0.3, 224_000); // 'ETA 224s'
 * etaText(0, null, 0); // 'ETA ?'
 * ```
 */
export function etaText(itemsPerSecond: number, share: number | null, etaMs: number): string {
  return itemsPerSecond > 0 && share !== null ? `ETA ${Math.ceil(etaMs / 1000)}s` : 'ETA ?';
}

/**
 * A scan's progress on a terminal, as `dynotally backfill` and `dynotally verify` draw it: a bar of the share of
 * the table's estimated items scanned and its percentage, then `head` (the counts) and the `tail` parts, joined by
 * ` · `. An unknown share (the table's size not estimated yet) is drawn as such, not as an empty bar: the scan is
 * under way.
 *
 * @example
 * ```ts
 * scanBar(0.3, '120,000/400,000 items', ['1,250/s', 'ETA 224s']);
 * // '[######--------------] 30% 120,000/400,000 items · 1,250/s · ETA 224s'
 * ```
 */
export function scanBar(share: number | null, head: string, tail: readonly string[]): string {
  const width = 20;
  if (share === null)
    return `[${'?'.repeat(width)}] ${head} · the table's size is not estimated yet · ${tail.join(' · ')}`;
  const full = Math.round(share * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${Math.round(share * 100)}% ${head} · ${tail.join(' · ')}`;
}
