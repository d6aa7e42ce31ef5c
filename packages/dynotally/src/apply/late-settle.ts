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
import { lateAfterSeconds } from './late-records.ts';
import { SETTLE_AFTER_LATE_SECONDS } from './send-deadline.ts';

/** What {@link lateToSettle} folds a batch's late records with, and the redelivery horizon (seconds) its window derives from. */
export interface SettleScope {
  readonly rollups: readonly CompiledRollup[];
  readonly folder: Folder;
  readonly horizonSeconds: number;
}

/**
 * The late records of a batch ({@link splitLate}) whose exclusions an earlier delivery recorded, and that are still
 * young enough to be settled: less than `lateAfter` + `SETTLE_AFTER_LATE_SECONDS` (24 h 40 min by default) old by
 * `ctx.now`, the batch's send deadline for them (`sendDeadline`). An earlier delivery may have taken such a record
 * back from some rows and been cut short before the rest; each take-back needs the row's shard state at or past
 * the record (and no marker), and that state may be pruned from `c + 24 h 45 min` on by this clock, so a settle's
 * last request goes out by `c + 24 h 40 min` (the arithmetic: `SETTLE_AFTER_LATE_SECONDS`). An older one is
 * dead-lettered as late (`RECORD_TOO_OLD`), its letter probed: the rows it was taken back from (their marker) and
 * those that refused it (its exclusion's rows) are pending, those that kept it are not, so a replay counts it once; the letter says to
 * check rows whose state or marker may be pruned by then.
 *
 * Also returns what it read of the shard's exclusions (`stored`; undefined when no late record folds to a change,
 * and nothing was read), for the rest of the batch to use instead of reading them again, and, for each older record
 * with an exclusion, the rows that refused it (`refusedRows`, `rowHash`es): its probe must list them as
 * pending whatever their state, which a later record of that delivery may have moved past it (review s35y).
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
): Promise<{
  settle: ReadonlySet<DynamoDBRecord>;
  stored: StoredExclusions | undefined;
  refusedRows: ReadonlyMap<DynamoDBRecord, ReadonlySet<string>>;
}> {
  const out = new Set<DynamoDBRecord>();
  const refusedRows = new Map<DynamoDBRecord, ReadonlySet<string>>();
  // a number: splitLate found it late. Strictly younger: at the bound itself its deadline has passed
  const within = lateAfterSeconds(scope.horizonSeconds) + SETTLE_AFTER_LATE_SECONDS;
  const young: DynamoDBRecord[] = [];
  const old: DynamoDBRecord[] = [];
  for (const r of late)
    (ctx.now / 1000 - (r.dynamodb?.ApproximateCreationDateTime as number) < within ? young : old).push(r);
  // (a record that folds to nothing, poison among them, has no exclusion: nothing to read for it)
  if (foldBatch(scope.rollups, late, { folder: scope.folder }).changes.length === 0)
    return { settle: out, stored: undefined, refusedRows };
  const stored = await readExclusions(ctx);
  for (const [record] of carriedOf(young, stored.bySeq)) out.add(record);
  for (const [record, x] of carriedOf(old, stored.bySeq)) refusedRows.set(record, new Set(x.rows));
  return { settle: out, stored, refusedRows };
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
