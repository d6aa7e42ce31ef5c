import type { Change } from '../decode/index.ts';
import { Coalescer, type Folder } from '../fold/index.ts';
import { planWrites, type WritePlan } from '../plan/index.ts';

/**
 * The min / max / last writes of a batch's changes without the records in `refused` (sequence numbers the store
 * refused at apply time, dead-lettered as `NUMBER_UNREPRESENTABLE` or `ITEM_TOO_LARGE`). Their counts and sums are
 * taken back row by row; an extremum cannot be, so it is planned again from the records that were applied.
 *
 * @example
 * ```ts
 * const extrema = excluded.size === 0 ? plan.extrema : extremaWithout(fold.changes, excluded, folder, now);
 * ```
 */
export function extremaWithout(
  changes: readonly Change[],
  refused: ReadonlySet<string>,
  folder: Folder,
  now: number,
): WritePlan['extrema'] {
  const co = new Coalescer();
  for (const change of changes) if (!refused.has(change.sequenceNumber)) folder.fold(change, co);
  folder.release();
  return planWrites(co, { now }).extrema;
}
