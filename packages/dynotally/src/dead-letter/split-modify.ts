import type { DynamoDBRecord } from 'aws-lambda';
import type { CompiledRollup } from '../definition/index.ts';
import { foldBatch } from '../fold/index.ts';
import { addNum, compareNum, type Num } from '../numbers/index.ts';
import { planWrites, type RowWrite } from '../plan/index.ts';
import type { DeadLetterDelta } from './dead-letter.ts';
import { rowDelta } from './row-delta.ts';

/**
 * A MODIFY's delta on one row as two updates, its old image taken out and its new image added, for a row where
 * their difference needs more than 38 significant digits although each part fits (a MODIFY from
 * `100000000000000000001` to `1e-19`: `-100000000000000000001` then `+0.0000000000000000001`). A replay sends them in
 * two marked chunks, one after the other (`replayChunks`: a row named twice), so the row's value after each is
 * its value without the item, then with the new one. Undefined when the record is no MODIFY with both images, when
 * the two parts do not add up exactly to the row's delta (a rollup that counts a MODIFY otherwise than a REMOVE and an
 * INSERT), or when a part does not fit 38 digits either. Pure.
 *
 * @example
 * ```ts
 * const parts = splitModify(rollups, record, 'shardId-1', row); // [take the old out, add the new] or undefined
 * ```
 */
export function splitModify(
  rollups: readonly CompiledRollup[],
  record: DynamoDBRecord,
  shardId: string | undefined,
  row: RowWrite,
): [DeadLetterDelta, DeadLetterDelta] | undefined {
  const body = record.dynamodb;
  if (record.eventName !== 'MODIFY' || body?.OldImage === undefined || body.NewImage === undefined)
    return undefined;
  const { NewImage: _new, ...withoutNew } = body;
  const { OldImage: _old, ...withoutOld } = body;
  const parts = [
    { ...record, eventName: 'REMOVE' as const, dynamodb: withoutNew },
    { ...record, eventName: 'INSERT' as const, dynamodb: withoutOld },
  ].map((r) => rowOf(rollups, r, shardId, row));
  const [out, into] = parts;
  if (out === undefined || into === undefined || !addsUp(out, into, row)) return undefined;
  const first = rowDelta(out);
  const second = rowDelta(into);
  return first === undefined || second === undefined ? undefined : [first, second];
}

/** The row `row` names as `record` alone folds it (undefined: a poison fold, or the row not reached). */
function rowOf(
  rollups: readonly CompiledRollup[],
  record: DynamoDBRecord,
  shardId: string | undefined,
  row: RowWrite,
): RowWrite | undefined {
  const fold = foldBatch(rollups, [record], { shardId });
  if (fold.poison.length > 0) return undefined;
  return planWrites(fold.coalescer, { now: Number.NEGATIVE_INFINITY }).rows.find(
    (r) => r.pk === row.pk && r.sk === row.sk,
  );
}

/** Whether the two parts' additions (and leaderboard deltas) add up exactly to the row's, with its TTL. */
function addsUp(a: RowWrite, b: RowWrite, row: RowWrite): boolean {
  if (a.ttl !== row.ttl || b.ttl !== row.ttl) return false;
  const sums = new Map<string, Num>();
  for (const [attr, v] of [...a.adds, ...b.adds]) sums.set(attr, addNum(sums.get(attr) ?? 0, v));
  const whole = new Map<string, Num>(row.adds.map(([attr, v]) => [attr, v]));
  for (const attr of new Set([...sums.keys(), ...whole.keys()]))
    if (compareNum(sums.get(attr) ?? 0, whole.get(attr) ?? 0) !== 0) return false;
  const boards = [a.leaderboard, b.leaderboard].filter((l) => l !== undefined);
  if (row.leaderboard === undefined) return boards.length === 0;
  if (boards.some((l) => l.key !== row.leaderboard?.key)) return false;
  const board = boards.reduce<Num>((s, l) => addNum(s, l.delta), 0);
  return compareNum(board, row.leaderboard.delta) === 0;
}
