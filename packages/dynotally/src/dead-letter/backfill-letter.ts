import type { StoredDeadLetter } from './letter-item.ts';

/** The source a backfill's letters carry: `backfill:<version prefix>` (`runBackfill`'s `deadLetter`). */
export const BACKFILL_LETTER_SOURCE = 'backfill:';

/**
 * Why a backfill's letter is not replayed, or undefined for any other letter. A backfill dead-letters a scanned
 * item of one version (`source` = `backfill:<prefix>`), and a replay writes every version of the rollups it is
 * given: it would add the item to the serving version, which counted it already. And an item the store refused
 * when its chunk's rows were written holds a claim of nothing after its chunk (or, kept by a row, the scan's claim),
 * by which the stream counts the item from its next change: a replay through it would count the item's image
 * beside that. So such a letter is refused (noted on it, nothing written): fix the cause and rebuild
 * the version from the source (`repairRollup`, `dynotally verify <rollup> --repair`), then drop the letter.
 *
 * @example
 * ```ts
 * const refused = backfillLetterRefusal(letter); // 'replay refused: …' for source 'backfill:amt.v2'
 * ```
 */
export function backfillLetterRefusal(letter: Pick<StoredDeadLetter, 'source'>): string | undefined {
  if (!letter.source.startsWith(BACKFILL_LETTER_SOURCE)) return undefined;
  const prefix = letter.source.slice(BACKFILL_LETTER_SOURCE.length);
  return `replay refused: a backfill of ${prefix} dead-lettered this scanned item, and a replay would write it into every version of the rollup (the serving one counted it already) or be skipped by the item's scan claim. Fix the cause, rebuild the version from the source (dynotally verify <rollup> --repair, repairRollup), then drop this letter`;
}
