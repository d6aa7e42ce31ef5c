import { lateAfterSeconds } from '../apply/late-records.ts';
import { pruneAfterSeconds, type RedeliveryOptions } from '../apply/redelivery-horizon.ts';
import type { StoredDeadLetter } from './letter-item.ts';

/**
 * How old (seconds) a letter's record may have been when it was dead-lettered for {@link replayDeadLetters} to replay
 * the letter without `replayLate`: the redelivery horizon of the stream side (`redelivery`, as the stream side is
 * given it: the stream's 24 h retention, or a mapping's shorter `maxRecordAgeSeconds`, plus an hour) less half an
 * hour. A letter with pending rows of an older record is refused (see `replayLate`); one of a record at most this
 * old is replayed.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` when `redelivery.maxRecordAgeSeconds` is neither -1 nor at least 1.
 * @example
 * ```ts
 * import { lateLetterAgeSeconds } from 'dynotally';
 *
 * lateLetterAgeSeconds(undefined); // 88_200 (24 h 30 min)
 * lateLetterAgeSeconds({ maxRecordAgeSeconds: 3_600 }); // 5_400 (1 h 30 min)
 * ```
 */
export function lateLetterAgeSeconds(redelivery: RedeliveryOptions | undefined): number {
  return lateAfterSeconds(pruneAfterSeconds(redelivery));
}

/**
 * Why a letter is not replayed without `replayLate`, or undefined. A letter's pending rows come from a probe of the
 * rows' shard states made when the record was dead-lettered ({@link pendingRowsOf}). When the record was older than
 * the redelivery horizon less half its margin by then (`lateAfterSeconds`: 24 h 30 min unless the stream side's
 * `redelivery` says less), its shard's state may already have been pruned from a row an earlier delivery added it
 * to, and the probe listed that row as pending: a replay would count the record there twice. Letters without
 * pending rows (records that never folded, the Redis flusher's deltas) are never refused.
 *
 * @example
 * ```ts
 * lateLetterRefusal(letter, undefined); // 'replay refused: the record was 95,000 s old …' for a letter of a late record
 * ```
 */
export function lateLetterRefusal(
  letter: Pick<StoredDeadLetter, 'pendingRows' | 'record' | 'at'>,
  redelivery: RedeliveryOptions | undefined,
): string | undefined {
  if (letter.pendingRows === undefined) return undefined;
  const created = letter.record?.dynamodb?.ApproximateCreationDateTime as unknown;
  if (typeof created !== 'number' || !Number.isFinite(created)) return undefined;
  const age = Math.round(letter.at / 1000 - created);
  const lateAfter = lateLetterAgeSeconds(redelivery);
  if (age <= lateAfter) return undefined;
  return `replay refused: the record was ${age.toLocaleString('en')} s old when it was dead-lettered, past the ${lateAfter.toLocaleString('en')} s its shard's exactly-once states are kept for on the rows, so the rows its letter lists as pending may include rows an earlier delivery counted it on (their state pruned since). Check the rollups (dynotally verify <rollup>): replay it with --late (replayLate: true) if they lack the record, or rebuild them (dynotally verify <rollup> --repair) and drop the letter`;
}
