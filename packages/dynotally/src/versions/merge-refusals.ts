import type { CompiledRollup } from '../definition/index.ts';
import { foldBatch, type PoisonRecord } from '../fold/index.ts';
import { planWrites } from '../plan/index.ts';

/** A record one applier of the write side refused, with the rollups that applier writes. */
export interface Refusal {
  readonly poison: PoisonRecord;
  readonly rollups: readonly CompiledRollup[];
}

/**
 * One dead letter for a record one or several appliers of the write side refused (a version under backfill beside
 * the serving one: each writes its own rows). Its rows to replay are the union of each refusing applier's: the
 * rows it lists, or, when it lists none (`pendingRows` absent: every row the record touches), every row the record
 * touches in that applier's rollups. Always named: a letter naming no rows would stand for every row of every
 * version, so its replay would add the record again to a version whose applier counted it (one refusal alone, in
 * the version under backfill only, left the serving version's rows to the replay too: review s30b). Keeping only
 * the first letter would lose the others' rows (a replay then misses them) or, when the first lists none, replay
 * rows another applier keeps (counted twice). The first refusal's code and message stay.
 *
 * @example
 * ```ts
 * const letter = mergeRefusals([{ poison: servingPoison, rollups: [v1] }, { poison: buildingPoison, rollups: [v2] }]);
 * letter.pendingRows; // the rows of both
 * ```
 */
export function mergeRefusals(refusals: readonly Refusal[]): PoisonRecord {
  const first = refusals[0];
  if (first === undefined) throw new Error('mergeRefusals needs at least one refusal');
  if (refusals.length === 1 && first.poison.pendingRows !== undefined) return first.poison;
  const rows = new Map<string, { pk: string; sk: string }>();
  for (const r of refusals) {
    for (const row of r.poison.pendingRows ?? everyRow(r)) rows.set(`${row.pk}\u0000${row.sk}`, row);
  }
  return { ...first.poison, pendingRows: [...rows.values()] };
}

/** Every row a refused record touches in an applier's rollups (what an absent `pendingRows` stands for). */
function everyRow(r: Refusal): Array<{ pk: string; sk: string }> {
  const fold = foldBatch(r.rollups, [r.poison.record]);
  return planWrites(fold.coalescer, { now: Number.NEGATIVE_INFINITY }).rows.map(({ pk, sk }) => ({ pk, sk }));
}
