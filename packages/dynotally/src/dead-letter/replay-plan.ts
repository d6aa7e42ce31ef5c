import type { DynamoDBRecord } from 'aws-lambda';
import { rowBytesBound } from '../apply/transaction-bytes.ts';
import { DEFAULT_STATE_BUDGET_BYTES } from '../apply/transactional-rows.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { foldBatch } from '../fold/index.ts';
import { planWrites, type RowWrite } from '../plan/index.ts';
import type { DeadLetterDelta } from './dead-letter.ts';
import type { StoredDeadLetter } from './letter-item.ts';
import { placedDelta } from './placed-delta.ts';
import { type ReplayClaims, versionRecords } from './replay-claims.ts';
import type { ReplayTarget } from './replay-targets.ts';
import { rowDelta } from './row-delta.ts';
import { splitModify } from './split-modify.ts';

/**
 * What a dead letter's replay sends: rows (every row, also those past their TTL now, with the extrema), or why the
 * record still cannot be counted.
 *
 * @example
 * ```ts
 * const planned = await planReplay(targetsNow, claims, letter, Date.now());
 * if (planned.kind === 'poison') console.log(planned.code, planned.reason);
 * ```
 */
export type Planned =
  | {
      kind: 'rows';
      /** Every row, also those past their TTL now: the chunks and their ids must not change as rows expire. */
      rows: DeadLetterDelta[];
      extrema: ReturnType<typeof planWrites>['extrema'];
      /** Leave out, when sending, the rows past their TTL (a record's rows, as the stream path does). */
      skipExpired: boolean;
      /**
       * Per row (`pk\nsk`), the most bytes it can hold (its kind's `rowBytesBound`, with the default state budget
       * on top, as the dry run counts rows of unknown size); a row not here (a letter's deltas) counts by
       * `deltaRowBytes`: its rollup's bound when the replay is given the rollup, else 400 KB.
       */
      rowBytes: ReadonlyMap<string, number>;
    }
  | { kind: 'poison'; code: string; reason: string };

/**
 * The rows (and extrema) a letter's replay writes: a Redis flusher letter's deltas, or its record folded into
 * each version the replay writes, with the records the versions' claims decide ({@link versionRecords}); a
 * record that is poison for any version (or cannot be replayed) is `poison`, and no claim is written for it. The
 * rows of a flusher's `UNKNOWN_ROLLUP` letter that a definition in `placing` (the given rollups by name) places get
 * the TTL and leaderboard entry the flush would have written ({@link placedDelta}; those past their TTL are left
 * out when sent, as the flush drops them).
 *
 * @example
 * ```ts
 * const planned = await planReplay(targetsNow, { ...claims, ttlSeconds, now }, letter, now);
 * ```
 */
export async function planReplay(
  targetsNow: () => Promise<readonly ReplayTarget[]>,
  claims: ReplayClaims,
  letter: StoredDeadLetter,
  now: number,
  placing: ReadonlyMap<string, readonly CompiledRollup[]> = new Map(),
): Promise<Planned> {
  if (letter.unreadable !== undefined)
    return {
      kind: 'poison',
      code: 'DEAD_LETTER_NOT_REPLAYABLE',
      reason: `the dead letter cannot be read: ${letter.unreadable}; count the record from the source item (dynotally verify <rollup> --repair), then drop this letter`,
    };
  if (letter.deltas !== undefined) {
    // cells of a rollup the flusher was not given (a rollup added in a rolling deploy, the flusher still on the old
    // configuration): written as the flush would have, TTL and leaderboard entry, when the replay knows the rollup
    const unplaced = letter.code === 'UNKNOWN_ROLLUP';
    return {
      kind: 'rows',
      rows: unplaced ? letter.deltas.map((d) => placedDelta(d, placing)) : [...letter.deltas],
      extrema: [],
      skipExpired: unplaced,
      rowBytes: new Map(),
    };
  }
  if (letter.record === undefined || letter.record === null)
    return {
      kind: 'poison',
      code: 'DEAD_LETTER_NOT_REPLAYABLE',
      reason: 'the dead letter holds no record to replay',
    };
  if (letter.truncated)
    return {
      kind: 'poison',
      code: 'DEAD_LETTER_NOT_REPLAYABLE',
      reason: `the record was too large to store whole (only its keys were kept): re-apply it from the source item, then drop this letter (${letter.reason})`,
    };
  const targets = await targetsNow();
  const record = letter.record;
  // a poison record is poison for every version: found once, before any claim is written
  const poison = foldBatch(
    targets.map((t) => t.compiled),
    [record],
    { shardId: letter.shardId },
  ).poison[0];
  if (poison !== undefined) return { kind: 'poison', code: poison.error.code, reason: poison.error.message };
  let folds: Array<{ rollups: CompiledRollup[]; records: DynamoDBRecord[] }>;
  try {
    const byVersion = await versionRecords(targets, record, letter.at, claims);
    const whole = byVersion.filter((v) => v.records.length === 1 && v.records[0] === record);
    folds = [
      { rollups: whole.map((v) => v.target.compiled), records: [record] },
      ...byVersion
        .filter((v) => !whole.includes(v))
        .map((v) => ({ rollups: [v.target.compiled], records: v.records })),
    ];
  } catch (e) {
    if (isDynotallyError(e, 'RECORD_MALFORMED') || isDynotallyError(e, 'DEAD_LETTER_NOT_REPLAYABLE'))
      return { kind: 'poison', code: e.code, reason: e.message };
    throw e;
  }
  return { kind: 'rows', ...planRows(folds, letter, now), skipExpired: true };
}

/** The rows (and extrema) of a letter's record as each version folds it, kept to its pending rows. Pure. */
function planRows(
  folds: ReadonlyArray<{ rollups: readonly CompiledRollup[]; records: readonly DynamoDBRecord[] }>,
  letter: StoredDeadLetter,
  now: number,
): {
  rows: DeadLetterDelta[];
  extrema: ReturnType<typeof planWrites>['extrema'];
  rowBytes: Map<string, number>;
} {
  const planned: DeadLetterDelta[] = [];
  const extrema: ReturnType<typeof planWrites>['extrema'] = [];
  const rowBytes = new Map<string, number>();
  for (const f of folds) {
    if (f.rollups.length === 0 || f.records.length === 0) continue;
    const fold = foldBatch(f.rollups, f.records, { shardId: letter.shardId });
    for (const acc of fold.coalescer.rowList()) {
      const key = `${acc.pk}\n${acc.sk}`;
      const bytes = rowBytesBound(acc.rollup, acc.kind, DEFAULT_STATE_BUDGET_BYTES);
      rowBytes.set(key, Math.max(bytes, rowBytes.get(key) ?? 0));
    }
    // rows planned whatever their TTL (a replay resumed after some expired must cut the same chunks, with the
    // same ids, as the one it resumes); the expired ones are left out when sent. Extrema as of now.
    // appended one by one: a letter of a whole batch can plan more rows than a spread call's arguments may hold
    for (const row of planWrites(fold.coalescer, { now: Number.NEGATIVE_INFINITY }).rows) {
      const whole = rowDelta(row);
      if (whole !== undefined) {
        planned.push(whole);
        continue;
      }
      // a MODIFY whose own delta on this row needs more than 38 digits: its old image out, then its new one in
      const record = f.records.length === 1 ? f.records[0] : undefined;
      const parts = record === undefined ? undefined : splitModify(f.rollups, record, letter.shardId, row);
      if (parts === undefined) throw unrepresentableDelta(row);
      planned.push(...parts);
    }
    for (const x of planWrites(fold.coalescer, { now }).extrema) extrema.push(x);
  }
  const pending =
    letter.pendingRows === undefined ? undefined : new Set(letter.pendingRows.map((r) => `${r.pk}\n${r.sk}`));
  const rows = planned.filter((r) => pending === undefined || pending.has(`${r.pk}\n${r.sk}`));
  return { rows, extrema, rowBytes };
}

/**
 * A delta of the record no replay can send: more than 38 significant digits on a row, and not a MODIFY whose old
 * and new parts each fit ({@link splitModify}). `NUMBER_UNREPRESENTABLE` for this letter alone.
 */
function unrepresentableDelta(row: RowWrite): DynotallyError {
  const values = [...row.adds.map(([, v]) => v), ...(row.leaderboard ? [row.leaderboard.delta] : [])];
  const wide = values.find(
    (v) => rowDelta({ ...row, adds: [['v', v]], leaderboard: undefined }) === undefined,
  );
  return new DynotallyError(
    'NUMBER_UNREPRESENTABLE',
    `this record's own delta on row ${row.pk} ${row.sk} needs more than 38 significant digits${wide === undefined ? '' : ` (${wide.toString()})`}, and it cannot be sent as its old image out and its new one in either: no replay can count it. Rebuild the rollup from the source (dynotally verify <rollup> --repair), which counts the item as it is now, then drop this letter`,
    { details: { row: { pk: row.pk, sk: row.sk } } },
  );
}
