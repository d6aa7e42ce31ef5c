import { type Exclusion, type ExclusionContext, recordExclusion, rowHash } from './exclusions.ts';

/**
 * Records, on the shard's exclusion items, that a row keeps a refused record: its take-back was refused too (the
 * row's sum without the record needs more than 38 digits, or the row would pass 400 KB). The record's letter leaves
 * that row out of a replay, and the dead-letter table keeps a record's first letter, so the row must keep the
 * record for good: every later delivery reads this and never takes the record back there, even once another
 * record has made the take-back possible (it used to, and the replay then left the row without the record).
 *
 * The entry repeats `exclusion` (the rows that refused the record, its time), so it is a whole exclusion on its
 * own and goes when the record's other entries go. Await it before the letter is sent: a crash before it leaves
 * no letter, and the redelivery tries the take-back again (its letter then names the row if the take-back
 * succeeds, and leaves it out, recorded here, if not).
 *
 * @example
 * ```ts
 * await recordKept(exclusion, `${row.pk}\u0000${row.sk}`, exclusionCtx);
 * ```
 */
export async function recordKept(exclusion: Exclusion, rowKey: string, ctx: ExclusionContext): Promise<void> {
  await recordExclusion({ ...exclusion, kept: [rowHash(rowKey)] }, ctx);
}
