import type { DynamoDBRecord } from 'aws-lambda';
import { paddedSequence } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { type Folder, foldBatch } from '../fold/index.ts';
import {
  type Exclusion,
  type ExclusionContext,
  readExclusions,
  type StoredExclusions,
} from './exclusions.ts';

/** What {@link lateToSettle} folds a batch's late records with, and the redelivery horizon (seconds) it settles within. */
export interface SettleScope {
  readonly rollups: readonly CompiledRollup[];
  readonly folder: Folder;
  readonly horizonSeconds: number;
}

/**
 * The late records of a batch ({@link splitLate}) whose exclusions an earlier delivery recorded, and that are still
 * young enough to be settled: at most the redelivery horizon old by `ctx.now`. An earlier delivery may have taken
 * such a record back from some rows and been cut short before the rest; the take-back guards each row with a marker
 * holding the record's time, which no writer drops before the record is the horizon plus its margin old
 * ({@link staleStatesOf}), so within the horizon a repeat takes it back from each row once (the batch sends nothing
 * once the record is the horizon + 40 minutes old, before a marker may be gone: `SETTLE_AFTER_LATE_SECONDS`). An
 * older one is dead-lettered as late (`RECORD_TOO_OLD`, probed), as before: a row it was taken back from may have
 * lost its marker, and the letter says to check the rows before any replay.
 *
 * Also returns what it read of the shard's exclusions (`stored`; undefined when no young late record folds to a
 * change, and nothing was read), for the rest of the batch to use instead of reading them again.
 *
 * @example
 * ```ts
 * const { settle } = await lateToSettle(late, exclusionCtx, { rollups, folder, horizonSeconds });
 * const dead = late.filter((r) => !settle.has(r)); // RECORD_TOO_OLD; the rest stay in the batch
 * ```
 */
export async function lateToSettle(
  late: readonly DynamoDBRecord[],
  ctx: ExclusionContext,
  scope: SettleScope,
): Promise<{ settle: ReadonlySet<DynamoDBRecord>; stored: StoredExclusions | undefined }> {
  const out = new Set<DynamoDBRecord>();
  // a number: splitLate found it late
  const young = late.filter(
    (r) => ctx.now / 1000 - (r.dynamodb?.ApproximateCreationDateTime as number) <= scope.horizonSeconds,
  );
  // (a record that folds to nothing, poison among them, has no exclusion: nothing to read for it)
  if (foldBatch(scope.rollups, young, { folder: scope.folder }).changes.length === 0)
    return { settle: out, stored: undefined };
  const stored = await readExclusions(ctx);
  for (const [record] of carriedOf(young, stored.bySeq)) out.add(record);
  return { settle: out, stored };
}

/**
 * The records of a batch that have a stored exclusion (by sequence number), with it.
 *
 * @example
 * ```ts
 * const carried = carriedOf(records, (await readExclusions(ctx)).bySeq);
 * ```
 */
export function carriedOf(
  records: readonly DynamoDBRecord[],
  bySeq: ReadonlyMap<string, Exclusion>,
): Map<DynamoDBRecord, Exclusion> {
  const out = new Map<DynamoDBRecord, Exclusion>();
  for (const r of records) {
    // a record without a valid sequence number is poison (the fold returns it): it has no entry, and padding
    // it would throw and fail the batch on every delivery
    const padded = paddedSequence(r.dynamodb?.SequenceNumber);
    if (padded === undefined) continue;
    const x = bySeq.get(padded);
    if (x !== undefined) out.set(r, x);
  }
  return out;
}
